import {
  CancellationScope,
  condition,
  continueAsNew,
  defineQuery,
  isCancellation,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import { deliveredSignal } from './entity';
import { PROGRESS_QUERY } from './failures';
import { startDelivery } from './start-delivery';
import type { DeliveryActivities, RecoveryCounts, RecoveryInput } from './types';

/** How far a recovery has got: what `recoveries.get` shows while it runs. */
export const progressQuery = defineQuery<RecoveryCounts>(PROGRESS_QUERY);

const { planRecoveryPage } = proxyActivities<DeliveryActivities>({ startToCloseTimeout: '2 minutes' });
const { finishRecovery } = proxyActivities<DeliveryActivities>({ startToCloseTimeout: '30 seconds' });

/**
 * One `deliveries.recover` (`recovery-<id>`): pages through the project's stored events of the window, and
 * delivers again what the webhook failed (under its original `webhook-id`) or, asked to, what it missed, with at
 * most `window` deliveries in flight (a sliding window: each delivery is its own workflow and signals its end
 * back). It continues as new when its history grows long, once nothing is in flight, and stops at cancel (the
 * deliveries already started go on).
 */
export async function recoveryWorkflow(input: RecoveryInput): Promise<RecoveryCounts> {
  const counts: RecoveryCounts = input.counts ?? { total: 0, sent: 0, skipped: 0, failed: 0 };
  const inFlight = new Set<string>();
  setHandler(progressQuery, () => counts);
  setHandler(deliveredSignal, ({ deliveryId, status }) => {
    if (!inFlight.delete(deliveryId)) return;
    if (status === 'error') counts.failed++;
    else counts.sent++;
  });
  try {
    for (let after = input.after ?? null; ;) {
      const page = await planRecoveryPage(input, after);
      counts.total += page.considered;
      counts.skipped += page.skipped;
      for (const d of page.deliveries) {
        await condition(() => inFlight.size < input.window);
        inFlight.add(d.input.deliveryId);
        const workflowId = `recovery-${input.recoveryId}-${d.input.deliveryId}`;
        const notify = workflowInfo().workflowId;
        await startDelivery({ ...d.input, notify }, d.template, d.template.tags, workflowId);
      }
      if (page.next === null) break;
      after = page.next;
      if (workflowInfo().continueAsNewSuggested) {
        await condition(() => inFlight.size === 0);
        return await continueAsNew<typeof recoveryWorkflow>({ ...input, after, counts });
      }
    }
    await condition(() => inFlight.size === 0);
    await finishRecovery(input.recoveryId, 'done', counts);
    return counts;
  } catch (err) {
    if (isCancellation(err)) {
      await CancellationScope.nonCancellable(() => finishRecovery(input.recoveryId, 'cancelled', counts));
    }
    throw err;
  }
}
