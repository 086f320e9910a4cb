import { continueAsNew, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import { deliver, type Delivered } from './deliver';
import { endpointFree } from './delivery';
import type { DeliveryActivities, DeliveryInput, FanOutInput } from './types';

const { keepDeliveries } = proxyActivities<DeliveryActivities>({ startToCloseTimeout: '10 seconds' });

/**
 * One event to several webhooks without ordering or coalescing: each delivery runs as activities of this one
 * workflow (`event-<eventRecordId>`), side by side, each with its webhook's retry policy, its own record, log
 * entries and `webhook-id`, and its attempts shown in the Web UI with the webhook they go to. One workflow
 * instead of one per webhook: what a publish starts, and what the Temporal server does per delivery, is less.
 * A delivery waiting for its endpoint stops at its next wait when the history grows long; once every delivery
 * has ended or stopped so, the stopped ones go on in a fresh run.
 */
export async function fanOutWorkflow(input: FanOutInput): Promise<{ done: number; failed: number }> {
  if (input.keep) {
    await keepDeliveries(
      input.deliveries.map(({ input: d }) => ({ webhookId: d.webhookId, deliveryId: d.deliveryId })),
    );
  }
  let wakeUps = 0;
  setHandler(endpointFree, () => void wakeUps++);
  const results: Delivered[] = await Promise.all(
    input.deliveries.map(({ input: d, summary, priority }) =>
      deliver(d, {
        priority,
        wakeUps: () => wakeUps,
        parkNow: () => workflowInfo().continueAsNewSuggested,
        attemptsRecordTheEnd: true,
        summary,
      }),
    ),
  );
  const parked: FanOutInput['deliveries'] = [];
  results.forEach((r, i) => {
    if (r.status !== 'parked') return;
    const entry = input.deliveries[i]!;
    const resumed: DeliveryInput = { ...entry.input, attemptsBefore: r.attemptsUsed };
    parked.push({ ...entry, input: resumed });
  });
  if (parked.length) return continueAsNew<typeof fanOutWorkflow>({ deliveries: parked, keep: false });
  return {
    done: results.filter((r) => r.status === 'done').length,
    failed: results.filter((r) => r.status === 'error').length,
  };
}
