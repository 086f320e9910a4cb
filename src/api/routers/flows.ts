import { createFlowInput, listFlowsInput, listRunsInput, updateFlowInput } from '../../inbound/flows/schema';
import { createFlow, deleteFlow, getFlow, listFlows, rotateToken, updateFlow } from '../../inbound/flows/service';
import { listRuns } from '../../inbound/flows/debugger';
import { byIdInput } from '../../shared/schema';
import { presentFlow, presentPage, presentRun } from '../present';
import { authedProcedure, router } from '../trpc';

export const flowsRouter = router({
  create: authedProcedure
    .input(createFlowInput)
    .mutation(async ({ ctx, input }) => presentFlow(ctx.inbound, await createFlow(ctx.inbound, input))),

  get: authedProcedure
    .input(byIdInput)
    .query(async ({ ctx, input }) => presentFlow(ctx.inbound, await getFlow(ctx.inbound, input.projectId, input.id))),

  list: authedProcedure
    .input(listFlowsInput)
    .query(async ({ ctx, input }) =>
      presentPage(await listFlows(ctx.inbound, input), (f) => presentFlow(ctx.inbound, f)),
    ),

  update: authedProcedure
    .input(updateFlowInput)
    .mutation(async ({ ctx, input }) => presentFlow(ctx.inbound, await updateFlow(ctx.inbound, input))),

  delete: authedProcedure.input(byIdInput).mutation(({ ctx, input }) => deleteFlow(ctx.inbound, input)),

  token: authedProcedure.input(byIdInput).query(async ({ ctx, input }) => {
    const { token } = await getFlow(ctx.inbound, input.projectId, input.id);
    return { token };
  }),

  rotateToken: authedProcedure.input(byIdInput).mutation(({ ctx, input }) => rotateToken(ctx.inbound, input)),

  /** The flow debugger. */
  runs: authedProcedure
    .input(listRunsInput)
    .query(async ({ ctx, input }) => presentPage(await listRuns(ctx.inbound, input), presentRun)),
});
