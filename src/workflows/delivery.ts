import {
  ActivityFailure,
  ApplicationFailure,
  continueAsNew,
  proxyActivities,
  sleep,
  TimeoutFailure,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import { FailureType, type PauseDetails } from '../delivery/failure-types';
import { remainingRetryPolicy, toTemporalRetryPolicy } from '../delivery/retry-policy';
import type { DeliveryInput, DeliveryResult } from '../delivery/types';

/** Room for an attempt's database writes on top of the HTTP timeout the activity enforces itself. */
const ATTEMPT_OVERHEAD_MS = 5_000;

const { finishDelivery } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  // Recording the outcome must not give up: retried (Temporal's default policy) until it lands.
});

/**
 * One event to one webhook: send it, retrying under the webhook's policy until the receiver answers 2xx,
 * the attempts run out, or the receiver or the webhook says stop. While the endpoint is paused (circuit
 * open, or too many requests in flight) wait, without using up attempts. Then record the outcome.
 */
export async function deliveryWorkflow(input: DeliveryInput): Promise<DeliveryResult> {
  let attemptsUsed = input.attemptsBefore ?? 0;
  let result: DeliveryResult | undefined;

  while (!result) {
    const { sendWebhook } = proxyActivities<Activities>({
      startToCloseTimeout: input.retry.timeoutMs + ATTEMPT_OVERHEAD_MS,
      retry: toTemporalRetryPolicy(remainingRetryPolicy(input.retry, attemptsUsed)),
    });
    try {
      const { statusCode, attempt } = await sendWebhook(input, attemptsUsed);
      result = { status: 'done', attempts: attempt, statusCode };
    } catch (err) {
      const pause = pauseOf(err);
      if (!pause) {
        result = { status: 'error', attempts: lastAttempt(err, attemptsUsed, input), error: describeFailure(err) };
        break;
      }
      attemptsUsed = pause.attemptsUsed;
      await sleep(pause.resumeInMs);
      // An endpoint paused for days would grow one history without end: go on in a fresh run.
      if (workflowInfo().continueAsNewSuggested) {
        await continueAsNew<typeof deliveryWorkflow>({ ...input, attemptsBefore: attemptsUsed });
      }
    }
  }

  await finishDelivery(input.deliveryId, result);
  if (result.status === 'error') throw ApplicationFailure.nonRetryable(result.error, FailureType.failed);
  return result;
}

function applicationCause(err: unknown): ApplicationFailure | undefined {
  return err instanceof ActivityFailure && err.cause instanceof ApplicationFailure ? err.cause : undefined;
}

function pauseOf(err: unknown): PauseDetails | undefined {
  const cause = applicationCause(err);
  return cause?.type === FailureType.paused ? (cause.details?.[0] as PauseDetails) : undefined;
}

function lastAttempt(err: unknown, attemptsUsed: number, input: DeliveryInput): number {
  const attempt = (applicationCause(err)?.details?.[0] as { attempt?: number } | undefined)?.attempt;
  // A Temporal-level timeout carries no details: every remaining attempt was used.
  return attempt ?? input.retry.maximumAttempts;
}

function describeFailure(err: unknown): string {
  if (err instanceof ActivityFailure) {
    if (err.cause instanceof TimeoutFailure) return 'Request failed: the attempt timed out';
    if (err.cause) return err.cause.message;
  }
  return err instanceof Error ? err.message : String(err);
}
