import {
  continueAsNew,
  defineSignal,
  getExternalWorkflowHandle,
  patched,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import { deliver, deliveryFailed } from './deliver';
import { DELIVERED_SIGNAL, ENDPOINT_FREE_SIGNAL } from './failures';
import type { DeliveredSignal, DeliveryInput, DeliveryResult } from './types';

/** A place is kept for this delivery at its endpoint: try again now. */
export const endpointFree = defineSignal(ENDPOINT_FREE_SIGNAL);

/**
 * One event to one webhook, as its own workflow (`delivery-<deliveryId>`): `deliver` (deliver.ts) sends it,
 * retried, paused and recorded. A delivery of an entity's lane tells the entity's workflow when it has ended,
 * so that the next one of that entity may go.
 */
export async function deliveryWorkflow(input: DeliveryInput): Promise<DeliveryResult> {
  const attemptsRecordTheEnd = patched('attempts-record-the-end');
  let wakeUps = 0;
  setHandler(endpointFree, () => void wakeUps++);

  const result = await deliver(input, {
    wakeUps: () => wakeUps,
    parkNow: () => workflowInfo().continueAsNewSuggested,
    attemptsRecordTheEnd,
  });
  if (result.status === 'parked') {
    return continueAsNew<typeof deliveryWorkflow>({ ...input, attemptsBefore: result.attemptsUsed });
  }
  if (input.notify) {
    const delivered: DeliveredSignal = {
      webhookId: input.webhookId,
      deliveryId: input.deliveryId,
      status: result.status,
    };
    // The entity's workflow may have been ended from outside: this delivery's end stands all the same.
    await getExternalWorkflowHandle(input.notify)
      .signal<[DeliveredSignal]>(DELIVERED_SIGNAL, delivered)
      .catch(() => undefined);
  }
  if (result.status === 'error') throw deliveryFailed(result.error);
  return result;
}
