import { decideAttempt, parseRetryAfterMs } from '../../src/outbound/activities/decide';

const opts = { minRetryDelayMs: 1_000, maxRetryDelayMs: 7_200_000, now: new Date('2026-01-01T00:00:00Z') };

describe('decideAttempt', () => {
  it.each([200, 201, 204, 299])('HTTP %i is success', (status) => {
    expect(decideAttempt({ kind: 'response', status }, opts)).toEqual({ outcome: 'success' });
  });

  it.each([199, 300, 301, 302, 400, 401, 404, 409, 500, 502, 504])('HTTP %i is a retried failure', (status) => {
    expect(decideAttempt({ kind: 'response', status }, opts)).toMatchObject({
      outcome: 'retry',
      reason: expect.stringContaining(`HTTP ${status}`),
    });
  });

  it('says why a redirect failed', () => {
    expect(decideAttempt({ kind: 'response', status: 301 }, opts)).toMatchObject({
      reason: 'HTTP 301 (redirects are not followed)',
    });
  });

  it('410 Gone stops and disables the webhook', () => {
    expect(decideAttempt({ kind: 'response', status: 410 }, opts)).toMatchObject({
      outcome: 'stop',
      disableWebhook: true,
    });
  });

  it('a network failure is retried with its reason', () => {
    expect(decideAttempt({ kind: 'failure', error: 'Request failed: connection refused' }, opts)).toEqual({
      outcome: 'retry',
      reason: 'Request failed: connection refused',
    });
  });

  it.each([429, 503])('Retry-After on %i sets the next delay, within bounds', (status) => {
    expect(decideAttempt({ kind: 'response', status, retryAfter: '120' }, opts)).toMatchObject({
      nextRetryDelayMs: 120_000,
    });
    expect(decideAttempt({ kind: 'response', status, retryAfter: '0' }, opts)).toMatchObject({
      nextRetryDelayMs: 1_000,
    });
    expect(decideAttempt({ kind: 'response', status, retryAfter: '999999' }, opts)).toMatchObject({
      nextRetryDelayMs: 7_200_000,
    });
    expect(
      decideAttempt({ kind: 'response', status, retryAfter: 'Thu, 01 Jan 2026 00:05:00 GMT' }, opts),
    ).toMatchObject({
      nextRetryDelayMs: 300_000,
    });
  });

  it('ignores Retry-After elsewhere and when it is not a delay', () => {
    expect(decideAttempt({ kind: 'response', status: 500, retryAfter: '60' }, opts)).not.toHaveProperty(
      'nextRetryDelayMs',
    );
    expect(decideAttempt({ kind: 'response', status: 429, retryAfter: 'soon' }, opts)).not.toHaveProperty(
      'nextRetryDelayMs',
    );
  });
});

describe('parseRetryAfterMs', () => {
  it('reads seconds and HTTP dates; a past date means now', () => {
    expect(parseRetryAfterMs(' 5 ', opts.now)).toBe(5_000);
    expect(parseRetryAfterMs('Wed, 31 Dec 2025 00:00:00 GMT', opts.now)).toBe(0);
    expect(parseRetryAfterMs(undefined, opts.now)).toBeUndefined();
    expect(parseRetryAfterMs('-1', opts.now)).toBeUndefined();
  });
});
