import { createInboundActivities, type InboundActivityDeps } from './inbound/activities';
import { createOutboundActivities, type OutboundActivityDeps } from './outbound/activities';

/**
 * Every capability's activities, each registered on its capability's own task queue (worker.ts), so that an
 * outbound retry backlog never delays an inbound flow.
 */
export function createAllActivities(deps: { outbound: OutboundActivityDeps; inbound: InboundActivityDeps }) {
  return { outbound: createOutboundActivities(deps.outbound), inbound: createInboundActivities(deps.inbound) };
}

export type AllActivities = ReturnType<typeof createAllActivities>;
