import type { RetryPolicy } from '@temporalio/common';

/**
 * The service default, as Heartcore promises: 10 attempts in all, the first at once, then 30 s doubling,
 * capped at 2 h between attempts (about 4 h of waiting in all), each attempt cut off after 15 s.
 */
export const DEFAULT_RETRY_POLICY = {
  maximumAttempts: 10,
  initialIntervalMs: 30_000,
  backoffCoefficient: 2,
  maximumIntervalMs: 2 * 60 * 60 * 1000,
  timeoutMs: 15_000,
} as const;

/** Per-webhook overrides stay inside these bounds (the contract's `retryPolicy`). */
export const RETRY_POLICY_BOUNDS = {
  maximumAttempts: { min: 1, max: 25 },
  initialIntervalMs: { min: 1_000, max: 60 * 60 * 1000 },
  backoffCoefficient: { min: 1, max: 10 },
  maximumIntervalMs: { min: 1_000, max: 24 * 60 * 60 * 1000 },
  timeoutMs: { min: 1_000, max: 60_000 },
} as const;

export interface RetrySettings {
  maximumAttempts: number;
  initialIntervalMs: number;
  backoffCoefficient: number;
  maximumIntervalMs: number;
  timeoutMs: number;
}

export function effectiveRetryPolicy(override?: Partial<RetrySettings> | null): RetrySettings {
  const o = override ?? {};
  const d = DEFAULT_RETRY_POLICY;
  return {
    maximumAttempts: o.maximumAttempts ?? d.maximumAttempts,
    initialIntervalMs: o.initialIntervalMs ?? d.initialIntervalMs,
    backoffCoefficient: o.backoffCoefficient ?? d.backoffCoefficient,
    maximumIntervalMs: o.maximumIntervalMs ?? d.maximumIntervalMs,
    timeoutMs: o.timeoutMs ?? d.timeoutMs,
  };
}

/** The declarative Temporal policy the delivery activity runs under; the server schedules every retry. */
export function toTemporalRetryPolicy(s: RetrySettings): RetryPolicy {
  return {
    maximumAttempts: s.maximumAttempts,
    initialInterval: s.initialIntervalMs,
    backoffCoefficient: s.backoffCoefficient,
    maximumInterval: s.maximumIntervalMs,
    // Failures that must not be retried (410 Gone, webhook deleted) are thrown non-retryable by the activity.
  };
}

/**
 * The policy for going on after a pause with `attemptsUsed` attempts made: only the attempts left, and the
 * backoff where it had got to, so that a pause neither burns attempts nor restarts the backoff.
 */
export function remainingRetryPolicy(s: RetrySettings, attemptsUsed: number): RetrySettings {
  if (attemptsUsed <= 0) return s;
  return {
    ...s,
    maximumAttempts: Math.max(1, s.maximumAttempts - attemptsUsed),
    initialIntervalMs: Math.min(s.initialIntervalMs * s.backoffCoefficient ** attemptsUsed, s.maximumIntervalMs),
  };
}

/** Sum of the waits between attempts under a policy: what "retrying for hours" means in numbers. */
export function totalBackoffMs(s: RetrySettings): number {
  let total = 0;
  for (let retry = 0; retry < s.maximumAttempts - 1; retry++) {
    total += Math.min(s.initialIntervalMs * s.backoffCoefficient ** retry, s.maximumIntervalMs);
  }
  return total;
}
