import { createInboundActivities, type InboundActivityDeps } from '../inbound/activities';
import { createOutboundActivities, type OutboundActivityDeps } from '../outbound/activities';
import { createRetentionActivities, type RetentionActivityDeps } from '../retention/activities';

/**
 * Every activity the workers run, built from their dependencies (samples-typescript's
 * activities-dependency-injection): the worker's entry point for activity code. Each capability's activities
 * are registered on its own task queue (worker.ts), so that an outbound retry backlog never delays an inbound
 * flow; the retention sweep's run beside the deliveries.
 */
export function createActivities(deps: {
  outbound: OutboundActivityDeps;
  inbound: InboundActivityDeps;
  retention: RetentionActivityDeps;
}) {
  return {
    outbound: { ...createOutboundActivities(deps.outbound), ...createRetentionActivities(deps.retention) },
    inbound: createInboundActivities(deps.inbound),
  };
}

export type Activities = ReturnType<typeof createActivities>;
