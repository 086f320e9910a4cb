import { cancelRecovery, getRecovery, listRecoveries } from '../../outbound/recoveries/service';
import { listRecoveriesInput } from '../../outbound/recoveries/schema';
import { byIdInput } from '../../shared/schema';
import { presentPage, presentRecovery } from '../present';
import { authedProcedure, router } from '../trpc';

export const recoveriesRouter = router({
  get: authedProcedure
    .input(byIdInput)
    .query(async ({ ctx, input }) => presentRecovery(await getRecovery(ctx.outbound, input))),

  list: authedProcedure
    .input(listRecoveriesInput)
    .query(async ({ ctx, input }) => presentPage(await listRecoveries(ctx.outbound, input), presentRecovery)),

  cancel: authedProcedure.input(byIdInput).mutation(({ ctx, input }) => cancelRecovery(ctx.outbound, input)),
});
