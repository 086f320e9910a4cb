import {
  DEFAULT_RETRY_POLICY,
  effectiveRetryPolicy,
  toTemporalRetryPolicy,
  totalBackoffMs,
} from '../../src/shared/workflow/retry-policy';

describe('retry policy', () => {
  it('defaults to 10 attempts, 30 s doubling, capped at 2 h, 15 s per attempt', () => {
    expect(DEFAULT_RETRY_POLICY).toEqual({
      maximumAttempts: 10,
      initialIntervalMs: 30_000,
      backoffCoefficient: 2,
      maximumIntervalMs: 7_200_000,
      timeoutMs: 15_000,
    });
    // 30 s, 1, 2, 4, 8, 16, 32, 64 min, then the 2 h cap: about 4 h 7 min of waiting in all.
    expect(totalBackoffMs(DEFAULT_RETRY_POLICY)).toBe((30 + 60 + 120 + 240 + 480 + 960 + 1920 + 3840 + 7200) * 1000);
  });

  it('is a declarative Temporal RetryPolicy', () => {
    expect(toTemporalRetryPolicy(DEFAULT_RETRY_POLICY)).toMatchObject({
      maximumAttempts: 10,
      initialInterval: 30_000,
      backoffCoefficient: 2,
      maximumInterval: 7_200_000,
    });
  });

  it('a webhook overrides only what it sets', () => {
    expect(effectiveRetryPolicy({ maximumAttempts: 3, timeoutMs: undefined })).toEqual({
      ...DEFAULT_RETRY_POLICY,
      maximumAttempts: 3,
    });
    expect(effectiveRetryPolicy(null)).toEqual(DEFAULT_RETRY_POLICY);
  });
});
