import type { ExecutionLog } from '../store/execution-log';
import type { DeliveryStore } from '../store/deliveries';
import type { DeliveryResult } from '../workflow/types';

/**
 * Records the end of a delivery whose last attempt could not (it was cut off, so Temporal timed it out),
 * closing the log entry it left pending. Attempts record their own outcome, and the end when they are last.
 */
export function createFinishDelivery({
  deliveries,
  executionLog,
}: {
  deliveries: DeliveryStore;
  executionLog: ExecutionLog;
}) {
  return async function finishDelivery(deliveryId: string, result: DeliveryResult): Promise<void> {
    const progress = await deliveries.progress(deliveryId);
    if (progress?.pendingLog) await executionLog.closeInterrupted(progress.pendingLog);
    await deliveries.ended(deliveryId, { status: result.status, error: result.error, attempts: result.attempts });
  };
}
