import { listLogsInput } from '../../outbound/deliveries/schema';
import { listLogs } from '../../outbound/deliveries/service';
import { presentLogEntry, presentPage } from '../present';
import { authedProcedure, router } from '../trpc';

export const logsRouter = router({
  list: authedProcedure
    .input(listLogsInput)
    .query(async ({ ctx, input }) => presentPage(await listLogs(ctx.outbound, input), presentLogEntry)),
});
