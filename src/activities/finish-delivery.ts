import type { Models } from '../db/models';
import type { ExecutionLog } from '../delivery/execution-log';
import type { DeliveryResult } from '../delivery/types';

/**
 * Records a delivery's final status once its workflow has decided it, and closes any log entry a crash
 * left pending. Attempts and the last status code were recorded by each attempt as it happened.
 */
export function createFinishDelivery({ models, executionLog }: { models: Models; executionLog: ExecutionLog }) {
  return async function finishDelivery(deliveryId: string, result: DeliveryResult): Promise<void> {
    await executionLog.closeInterrupted(deliveryId);
    await models.Delivery.updateOne(
      { _id: deliveryId },
      {
        $set: {
          status: result.status,
          finishedAt: new Date(),
          ...(result.error ? { lastError: result.error } : {}),
        },
      },
    );
  };
}
