import { ActivityFailure, ApplicationFailure, proxyActivities, TimeoutFailure } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { FailureType } from '../delivery/failure-types';
import { toTemporalRetryPolicy } from '../delivery/retry-policy';
import type { DeliveryInput, DeliveryResult } from '../delivery/types';

/** Room for the attempt's database writes on top of the HTTP timeout the activity enforces itself. */
const ATTEMPT_OVERHEAD_MS = 10_000;

const { finishDelivery } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  // Recording the outcome must not give up: retried (with Temporal's default backoff) until it lands.
});

/**
 * One event to one webhook: send it, retrying under the webhook's policy until the receiver answers 2xx,
 * the attempts run out, or the receiver or the webhook says stop. Then record the outcome.
 */
export async function deliveryWorkflow(input: DeliveryInput): Promise<DeliveryResult> {
  const { sendWebhook } = proxyActivities<Activities>({
    startToCloseTimeout: input.retry.timeoutMs + ATTEMPT_OVERHEAD_MS,
    retry: toTemporalRetryPolicy(input.retry),
  });

  let result: DeliveryResult;
  try {
    const { statusCode, attempt } = await sendWebhook(input);
    result = { status: 'done', attempts: attempt, statusCode };
  } catch (err) {
    result = { status: 'error', attempts: lastAttempt(err, input), error: describeFailure(err) };
  }

  await finishDelivery(input.deliveryId, result);
  if (result.status === 'error') throw ApplicationFailure.nonRetryable(result.error, FailureType.failed);
  return result;
}

function lastAttempt(err: unknown, input: DeliveryInput): number {
  const details = err instanceof ActivityFailure && err.cause instanceof ApplicationFailure ? err.cause.details : undefined;
  const attempt = (details?.[0] as { attempt?: number } | undefined)?.attempt;
  return attempt ?? input.retry.maximumAttempts;
}

function describeFailure(err: unknown): string {
  if (err instanceof ActivityFailure) {
    if (err.cause instanceof TimeoutFailure) return 'Request failed: the attempt timed out';
    if (err.cause) return err.cause.message;
  }
  return err instanceof Error ? err.message : String(err);
}
