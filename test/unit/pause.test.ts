import { PAUSE_BASE_MS, PAUSE_MAX_MS, pauseDelayMs } from '../../src/outbound/workflow/pause';

describe('pauseDelayMs: how long a refused attempt waits', () => {
  it('waits out an open circuit, spread over at most a second', () => {
    expect(pauseDelayMs({ resumeInMs: 60_000 }, 0, 0)).toBe(60_000);
    expect(pauseDelayMs({ resumeInMs: 60_000 }, 7, 0.999)).toBe(60_999);
    expect(pauseDelayMs({ resumeInMs: -5 }, 0, 0)).toBe(0);
  });

  it('backs off a full endpoint: doubling from 1 s, within the upper half of each step', () => {
    expect(pauseDelayMs({}, 0, 0)).toBe(PAUSE_BASE_MS / 2);
    expect(pauseDelayMs({}, 0, 1)).toBe(PAUSE_BASE_MS);
    expect(pauseDelayMs({}, 3, 0)).toBe(4_000);
    expect(pauseDelayMs({}, 3, 1)).toBe(8_000);
  });

  it('never waits longer than the cap, however long the endpoint stays full', () => {
    for (const n of [9, 20, 100, 10_000]) {
      expect(pauseDelayMs({}, n, 1)).toBe(PAUSE_MAX_MS);
      expect(pauseDelayMs({}, n, 0)).toBe(PAUSE_MAX_MS / 2);
    }
  });

  it('an hour of waiting behind a full endpoint is a couple of dozen checks, not thousands', () => {
    let waited = 0;
    let checks = 0;
    while (waited < 3_600_000) waited += pauseDelayMs({}, checks++, 0.5);
    expect(checks).toBeLessThan(30);
  });
});
