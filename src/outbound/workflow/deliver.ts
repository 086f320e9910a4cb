import {
  ActivityFailure,
  ApplicationFailure,
  condition,
  proxyActivities,
  TimeoutFailure,
  type ActivityOptions,
} from '@temporalio/workflow';
import { FailureType, isAttemptDetails, isPauseDetails, isUnrecordedDetails } from './failures';
import type { DeliveryActivities, DeliveryInput, DeliveryResult } from './types';
import { pauseDelayMs } from './pause';
import { remainingRetryPolicy, toTemporalRetryPolicy } from '../../shared/workflow/retry-policy';

/**
 * Room, on top of the HTTP timeout the activity enforces itself, for a moment's wait for a place at the
 * endpoint and the attempt's database reads and writes.
 */
const ATTEMPT_OVERHEAD_MS = 10_000;

const { finishDelivery, recordAttempt } = proxyActivities<DeliveryActivities>({
  startToCloseTimeout: '30 seconds',
  // Recording the outcome must not give up: retried (Temporal's default policy) until it lands.
});

/** How the workflow running a delivery lets it wait, and stop for a fresh run. */
export interface DeliverContext {
  /** Signals received saying a place is kept at the endpoint (counted, not flagged: see delivery.ts). */
  wakeUps(): number;
  /** Asked after each wait: the workflow goes on in a fresh run, and the delivery stops there to go on in it. */
  parkNow(): boolean;
  /** Workflows started before attempts recorded their own end still record it in a second activity. */
  attemptsRecordTheEnd: boolean;
  /** Shown in the Web UI beside each attempt (a workflow running several deliveries names each). */
  summary?: string;
  /** Its webhook's fair share, when the workflow's own is not (a fan-out's is its project's). */
  priority?: { fairnessKey: string; fairnessWeight: number };
}

/** How a delivery ended, or where it stopped for the workflow's next run. */
export type Delivered = DeliveryResult | { status: 'parked'; attemptsUsed: number };

/**
 * One event to one webhook: send it, retrying under the webhook's policy until the receiver answers 2xx,
 * the attempts run out, or the receiver or the webhook says stop. While the endpoint refuses attempts, wait
 * without using up attempts: in its line until signalled (too many requests in flight), or on a timer
 * until its circuit may close.
 * Each attempt records its own outcome; only an attempt that was cut off leaves the end to record here.
 */
export async function deliver(input: DeliveryInput, ctx: DeliverContext): Promise<Delivered> {
  let attemptsUsed = input.attemptsBefore ?? 0;
  let pausesInARow = 0;

  for (;;) {
    const wakeUpsBefore = ctx.wakeUps();
    const options: ActivityOptions = {
      startToCloseTimeout: input.retry.timeoutMs + ATTEMPT_OVERHEAD_MS,
      retry: toTemporalRetryPolicy(remainingRetryPolicy(input.retry, attemptsUsed)),
      ...(ctx.summary ? { summary: ctx.summary } : {}),
      ...(ctx.priority ? { priority: ctx.priority } : {}),
    };
    const { sendWebhook } = proxyActivities<DeliveryActivities>(options);
    let result: DeliveryResult;
    try {
      const { statusCode, attempt } = await sendWebhook(input, attemptsUsed);
      result = { status: 'done', attempts: attempt, statusCode };
      if (!ctx.attemptsRecordTheEnd) await finishDelivery(input.deliveryId, result);
      return result;
    } catch (err) {
      const pause = detailsOf(err, isPauseDetails, FailureType.paused);
      if (pause) {
        // Waits grow while the endpoint keeps refusing; attempts made in between start them afresh.
        if (pause.attemptsUsed > attemptsUsed) pausesInARow = 0;
        attemptsUsed = pause.attemptsUsed;
        // In the endpoint's line: until woken (the timer is a safety net). Otherwise: on a timer.
        await condition(
          () => pause.queued === true && ctx.wakeUps() > wakeUpsBefore,
          pauseDelayMs(pause, pausesInARow++, Math.random()),
        );
        // An endpoint paused for days would grow one history without end: go on in a fresh run.
        if (ctx.parkNow()) return { status: 'parked', attemptsUsed };
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
        return {
          status: 'error',
          attempts: record.attempt,
          error: unrecorded.reason ?? record.error ?? 'the delivery failed',
        };
      }
      const details = detailsOf(err, isAttemptDetails, FailureType.attempt, FailureType.stopped);
      result = {
        status: 'error',
        attempts: details?.attempt ?? input.retry.maximumAttempts,
        error: describeFailure(err),
      };
      if (!ctx.attemptsRecordTheEnd || !details?.recorded) {
        // The deliveries folded into this one end with it (passed only when there are some: the activity's input
        // in histories recorded before folding stays as it was).
        if (input.coalesced?.length) await finishDelivery(input.deliveryId, result, input.coalesced);
        else await finishDelivery(input.deliveryId, result);
      }
      return result;
    }
  }
}

/** A delivery's end as its workflow's own failure, so that the Web UI lists failed deliveries as Failed. */
export const deliveryFailed = (error: string | undefined) =>
  ApplicationFailure.nonRetryable(error ?? 'the delivery failed', FailureType.failed);

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
