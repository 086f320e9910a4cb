import { publishEvent } from '../../events/publish';
import { publishEventInput } from '../schemas';
import { authedProcedure, router } from '../trpc';

export const eventsRouter = router({
  publish: authedProcedure.input(publishEventInput).mutation(({ ctx, input }) => publishEvent(ctx.deps, input)),
});
