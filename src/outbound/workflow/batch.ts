import { proxyActivities } from '@temporalio/workflow';
import { startDelivery } from './start-delivery';
import type { BatchInput, DeliveryActivities } from './types';

const { keepDeliveries } = proxyActivities<DeliveryActivities>({ startToCloseTimeout: '10 seconds' });
const { publishBatchPage } = proxyActivities<DeliveryActivities>({
  startToCloseTimeout: '5 minutes',
  // Each is idempotent (stored and started by derived ids): retried until it lands.
});

/**
 * One `events.publishBatch` (`batch-<batchId>`): first its digest deliveries (one per digest webhook listing the
 * batch's entities, in parts when large, stored by the publish), each its own delivery workflow; then every event of the batch to the other
 * webhooks, a page at a time, as `events.publish` would deliver it (ordering and coalescing included).
 * At most 10,000 events, 200 a page: a short history, no continue-as-new needed.
 */
export async function batchWorkflow(input: BatchInput): Promise<void> {
  const { digests } = input;
  for (const d of digests) await startDelivery(d.input, d.template, d.template.tags);
  if (digests.length) {
    await keepDeliveries(digests.map((d) => ({ webhookId: d.input.webhookId, deliveryId: d.input.deliveryId })));
  }
  for (let from: number | null = 0; from !== null;) from = await publishBatchPage(input, from);
}
