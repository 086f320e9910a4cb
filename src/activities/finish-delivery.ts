import type { DeliveryRecord } from '../delivery/delivery-record';
import type { ExecutionLog } from '../delivery/execution-log';
import type { DeliveryResult } from '../delivery/types';

/**
 * Records the end of a delivery whose last attempt could not (it was cut off, so Temporal timed it out),
 * closing the log entry it left pending. Attempts record their own outcome, and the end when they are last.
 */
export function createFinishDelivery({
  deliveries,
  executionLog,
}: {
  deliveries: DeliveryRecord;
  executionLog: ExecutionLog;
}) {
  return async function finishDelivery(deliveryId: string, result: DeliveryResult): Promise<void> {
    const progress = await deliveries.progress(deliveryId);
    const pendingLog = progress?.pendingLog;
    if (pendingLog?.id && typeof pendingLog.n === 'number') {
      await executionLog.closeInterrupted({ id: pendingLog.id, n: pendingLog.n });
    }
    await deliveries.ended(deliveryId, { status: result.status, error: result.error, attempts: result.attempts });
  };
}
