import {
  ActivityFailure,
  ApplicationFailure,
  condition,
  continueAsNew,
  defineSignal,
  patched,
  proxyActivities,
  setHandler,
  TimeoutFailure,
  workflowInfo,
} from '@temporalio/workflow';
import { ENDPOINT_FREE_SIGNAL, FailureType, isAttemptDetails, isPauseDetails, isUnrecordedDetails } from './failures';
import type { DeliveryActivities, DeliveryInput, DeliveryResult } from './types';
import { pauseDelayMs } from './pause';
import { remainingRetryPolicy, toTemporalRetryPolicy } from '../../shared/workflow/retry-policy';

/**
 * Room, on top of the HTTP timeout the activity enforces itself, for a moment's wait for a place at the
 * endpoint and the attempt's database reads and writes.
 */
const ATTEMPT_OVERHEAD_MS = 10_000;

/** A place is kept for this delivery at its endpoint: try again now. */
export const endpointFree = defineSignal(ENDPOINT_FREE_SIGNAL);

const { finishDelivery, recordAttempt } = proxyActivities<DeliveryActivities>({
  startToCloseTimeout: '30 seconds',
  // Recording the outcome must not give up: retried (Temporal's default policy) until it lands.
});

/**
 * One event to one webhook: send it, retrying under the webhook's policy until the receiver answers 2xx,
 * the attempts run out, or the receiver or the webhook says stop. While the endpoint refuses attempts, wait
 * without using up attempts: in its line until signalled (too many requests in flight), or on a timer
 * until its circuit may close.
 * Each attempt records its own outcome; only an attempt that was cut off leaves the end to record here.
 */
export async function deliveryWorkflow(input: DeliveryInput): Promise<DeliveryResult> {
  // Workflows started before attempts recorded their own end still record it in a second activity.
  const attemptsRecordTheEnd = patched('attempts-record-the-end');
  let attemptsUsed = input.attemptsBefore ?? 0;
  let pausesInARow = 0;
  // Counted, not flagged: a wake-up may come before the refusal it answers has reached this workflow.
  let wakeUps = 0;
  setHandler(endpointFree, () => void wakeUps++);

  for (;;) {
    const wakeUpsBefore = wakeUps;
    const { sendWebhook } = proxyActivities<DeliveryActivities>({
      startToCloseTimeout: input.retry.timeoutMs + ATTEMPT_OVERHEAD_MS,
      retry: toTemporalRetryPolicy(remainingRetryPolicy(input.retry, attemptsUsed)),
    });
    let result: DeliveryResult;
    try {
      const { statusCode, attempt } = await sendWebhook(input, attemptsUsed);
      result = { status: 'done', attempts: attempt, statusCode };
      if (!attemptsRecordTheEnd) await finishDelivery(input.deliveryId, result);
      return result;
    } catch (err) {
      const pause = detailsOf(err, isPauseDetails, FailureType.paused);
      if (pause) {
        // Waits grow while the endpoint keeps refusing; attempts made in between start them afresh.
        if (pause.attemptsUsed > attemptsUsed) pausesInARow = 0;
        attemptsUsed = pause.attemptsUsed;
        // In the endpoint's line: until woken (the timer is a safety net). Otherwise: on a timer.
        await condition(
          () => pause.queued === true && wakeUps > wakeUpsBefore,
          pauseDelayMs(pause, pausesInARow++, Math.random()),
        );
        // An endpoint paused for days would grow one history without end: go on in a fresh run.
        if (workflowInfo().continueAsNewSuggested) {
          await continueAsNew<typeof deliveryWorkflow>({ ...input, attemptsBefore: attemptsUsed });
        }
        continue;
      }
      // The request was made but its recording failed: record it here; a retry would send it again.
      const unrecorded = detailsOf(err, isUnrecordedDetails, FailureType.unrecorded);
      if (unrecorded) {
        const { record } = unrecorded;
        await recordAttempt(record, input.body);
        if (unrecorded.outcome === 'success') {
          return { status: 'done', attempts: record.attempt, statusCode: record.statusCode };
        }
        const error = unrecorded.reason ?? record.error ?? 'the delivery failed';
        throw ApplicationFailure.nonRetryable(error, FailureType.failed);
      }
      const details = detailsOf(err, isAttemptDetails, FailureType.attempt, FailureType.stopped);
      result = {
        status: 'error',
        attempts: details?.attempt ?? input.retry.maximumAttempts,
        error: describeFailure(err),
      };
      if (!attemptsRecordTheEnd || !details?.recorded) await finishDelivery(input.deliveryId, result);
      throw ApplicationFailure.nonRetryable(result.error, FailureType.failed);
    }
  }
}

function detailsOf<T>(err: unknown, is: (v: unknown) => v is T, ...types: string[]): T | undefined {
  const cause = err instanceof ActivityFailure && err.cause instanceof ApplicationFailure ? err.cause : undefined;
  const details: unknown = cause?.type && types.includes(cause.type) ? cause.details?.[0] : undefined;
  return is(details) ? details : undefined;
}

function describeFailure(err: unknown): string {
  if (err instanceof ActivityFailure) {
    if (err.cause instanceof TimeoutFailure) return 'Request failed: the attempt timed out';
    if (err.cause) return err.cause.message;
  }
  return err instanceof Error ? err.message : String(err);
}
