import { publishEvent } from '../../outbound/events/publish';
import { publishBatchInput, publishEventInput } from '../../outbound/events/schema';
import { publishBatch } from '../../outbound/events/batch';
import { authedProcedure, router } from '../trpc';

export const eventsRouter = router({
  publish: authedProcedure.input(publishEventInput).mutation(({ ctx, input }) => publishEvent(ctx.outbound, input)),
  publishBatch: authedProcedure
    .input(publishBatchInput)
    .mutation(({ ctx, input }) => publishBatch(ctx.outbound, input)),
});
