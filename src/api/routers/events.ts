import { publishEvent } from '../../outbound/events/publish';
import { publishEventInput } from '../../outbound/events/schema';
import { authedProcedure, router } from '../trpc';

export const eventsRouter = router({
  publish: authedProcedure.input(publishEventInput).mutation(({ ctx, input }) => publishEvent(ctx.outbound, input)),
});
