import { pageBySequence } from '../../db/pagination';
import { presentLogEntry } from '../present';
import { listLogsInput } from '../schemas';
import { authedProcedure, router } from '../trpc';

export const logsRouter = router({
  list: authedProcedure.input(listLogsInput).query(async ({ ctx, input }) => {
    const filter = {
      projectId: input.projectId,
      webhookId: input.webhookId,
      ...(input.deliveryId ? { deliveryId: input.deliveryId } : {}),
      ...(input.status ? { status: input.status } : {}),
    };
    const page = await pageBySequence(ctx.deps.db.models.LogEntry, filter, input);
    return { items: page.items.map(presentLogEntry), nextCursor: page.nextCursor };
  }),
});
