import { deliveriesRouter } from './routers/deliveries';
import { eventsRouter } from './routers/events';
import { flowsRouter } from './routers/flows';
import { logsRouter } from './routers/logs';
import { recoveriesRouter } from './routers/recoveries';
import { webhooksRouter } from './routers/webhooks';
import { router } from './trpc';

export const appRouter = router({
  webhooks: webhooksRouter,
  events: eventsRouter,
  deliveries: deliveriesRouter,
  logs: logsRouter,
  recoveries: recoveriesRouter,
  flows: flowsRouter,
});

/** What a TypeScript client imports: `createTRPCClient<AppRouter>` (see examples/). */
export type AppRouter = typeof appRouter;
