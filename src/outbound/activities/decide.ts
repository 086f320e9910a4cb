/**
 * Where a delivery attempt is decided: given what the receiver did, succeed, retry (maybe after a delay
 * the receiver asked for), or stop for good. Pure, so that it has its own unit test; the activity turns
 * the decision into a Temporal outcome.
 */
export type AttemptResult =
  { kind: 'response'; status: number; retryAfter?: string | null } | { kind: 'failure'; error: string };

export type Decision =
  | { outcome: 'success' }
  | { outcome: 'retry'; reason: string; nextRetryDelayMs?: number }
  | { outcome: 'stop'; reason: string; disableWebhook: boolean };

export interface DecideOptions {
  /** Bounds for a receiver's Retry-After: never sooner than this, never later than the policy allows. */
  minRetryDelayMs: number;
  maxRetryDelayMs: number;
  now?: Date;
}

export function decideAttempt(result: AttemptResult, opts: DecideOptions): Decision {
  if (result.kind === 'failure') return { outcome: 'retry', reason: result.error };
  const { status } = result;
  if (status >= 200 && status < 300) return { outcome: 'success' };
  if (status === 410) {
    return {
      outcome: 'stop',
      reason: 'HTTP 410 Gone: the receiver asked to stop; webhook disabled',
      disableWebhook: true,
    };
  }
  const reason = status >= 300 && status < 400 ? `HTTP ${status} (redirects are not followed)` : `HTTP ${status}`;
  if (status === 429 || status === 503) {
    const delay = parseRetryAfterMs(result.retryAfter, opts.now ?? new Date());
    if (delay !== undefined) {
      const bounded = Math.min(Math.max(delay, opts.minRetryDelayMs), opts.maxRetryDelayMs);
      return { outcome: 'retry', reason, nextRetryDelayMs: bounded };
    }
  }
  return { outcome: 'retry', reason };
}

/** Retry-After is either delta-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfterMs(value: string | null | undefined, now: Date): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  if (!/^[A-Za-z]{3},/.test(trimmed)) return undefined; // an HTTP date starts with the day's name
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now.getTime());
}
