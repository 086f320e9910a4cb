import type { WorkflowEnd } from '../../shared/workflow-end';
import type { DeliveryRecord } from '../store/records';

/**
 * How a delivery ended whose workflow was ended from outside (terminated in the Web UI, say), which its workflow
 * could not record: shown so by the API (deliveries/service.ts), recorded so by the retention sweep.
 */
export function deliveryEndSeenFromOutside(d: Pick<DeliveryRecord, 'lastError'>, ended: WorkflowEnd) {
  return ended.completed
    ? { status: 'done' as const, finishedAt: ended.at }
    : { status: 'error' as const, finishedAt: ended.at, error: d.lastError ?? `workflow ${ended.how}` };
}
