import { createEndpointGuard, isRefusal, type Permit } from '../../src/outbound/activities/endpoint-guard';
import { endpointOf, fairnessOf } from '../../src/outbound/deliveries/endpoint';

const permit = async (entering: ReturnType<ReturnType<typeof createEndpointGuard>['enter']>): Promise<Permit> => {
  const p = await entering;
  if (isRefusal(p)) throw new Error(`refused: ${p.reason}`);
  return p;
};

/** A guard with one place per endpoint that records whom it wakes. */
function lineGuard() {
  const woken: string[] = [];
  const guard = createEndpointGuard({
    maxInFlight: 1,
    failureThreshold: 5,
    cooldownMs: 1_000,
    wake: async (id) => void woken.push(id),
  });
  return { guard, woken };
}

describe('endpoint guard (in-worker limits and circuit breaker)', () => {
  const e = 'https://a.example';

  it('lets at most maxInFlight requests to an endpoint at once, and others meanwhile', async () => {
    const guard = createEndpointGuard({ maxInFlight: 2, failureThreshold: 5, cooldownMs: 1_000 });
    const a = await permit(guard.enter(e, 0));
    await permit(guard.enter(e, 0));
    expect(await guard.enter(e, 0)).toMatchObject({ reason: expect.stringMatching(/too many requests in flight/) });
    await permit(guard.enter('https://b.example', 0));
    a.release('success', 0);
    await permit(guard.enter(e, 0));
  });

  it('tells the metrics what waits: in line, paused by a circuit (until it comes back or its pause ends), circuits open', async () => {
    const { guard } = lineGuard();
    const held = await permit(guard.enter(e, 0, 'wf-0'));
    await guard.enter(e, 0, 'wf-1');
    await guard.enter(e, 0, 'wf-2');
    expect(guard.stats(0)).toEqual({ inLine: 2, paused: 0, open: 0 });
    held.release('failure', 0);
    const other = 'https://b.example';
    for (let i = 0; i < 5; i++) (await permit(guard.enter(other, 0))).release('failure', 0);
    // Open until 1,000: two deliveries paused.
    expect(await guard.enter(other, 10, 'wf-3')).toMatchObject({ circuit: true });
    expect(await guard.enter(other, 10, 'wf-4')).toMatchObject({ circuit: true });
    expect(guard.stats(10)).toMatchObject({ paused: 2, open: 1 });
    // wf-3 comes back after the cool-down and probes; wf-4 comes back on another worker (never here): its pause is
    // over all the same.
    const probe = await permit(guard.enter(other, 1_000, 'wf-3'));
    expect(guard.stats(1_000)).toMatchObject({ paused: 0, open: 1 });
    probe.release('success', 1_000);
    expect(guard.stats(1_000)).toMatchObject({ paused: 0, open: 0 });
    // A circuit whose cool-down is over and that nobody probes is not counted open.
    for (let i = 0; i < 5; i++) (await permit(guard.enter(other, 2_000))).release('failure', 2_000);
    expect(guard.stats(2_500)).toMatchObject({ open: 1 });
    expect(guard.stats(3_500)).toMatchObject({ open: 0 });
  });

  it('a permit released twice frees one place only', async () => {
    const guard = createEndpointGuard({ maxInFlight: 1, failureThreshold: 5, cooldownMs: 1_000 });
    const a = await permit(guard.enter(e, 0));
    a.release('none', 0);
    a.release('none', 0);
    await permit(guard.enter(e, 0));
    expect(isRefusal(await guard.enter(e, 0))).toBe(true);
  });

  it('opens after the threshold of consecutive failures, says until when, then lets one probe through', async () => {
    const guard = createEndpointGuard({ maxInFlight: 10, failureThreshold: 3, cooldownMs: 1_000 });
    for (let i = 0; i < 3; i++) (await permit(guard.enter(e, 100))).release('failure', 100);
    expect(await guard.enter(e, 500)).toEqual({
      reason: expect.stringMatching(/circuit open/),
      untilMs: 1_100,
      circuit: true,
    });
    const probe = await permit(guard.enter(e, 1_100));
    expect(await guard.enter(e, 1_100)).toEqual({ reason: expect.stringMatching(/half-open/), circuit: true });
    probe.release('failure', 1_200);
    expect(await guard.enter(e, 1_300)).toMatchObject({ untilMs: 2_200 });
    (await permit(guard.enter(e, 2_200))).release('success', 2_200);
    expect(guard.inspect(e)).toEqual({ inFlight: 0, waiting: 0, consecutiveFailures: 0, openUntil: undefined });
    await permit(guard.enter(e, 2_200));
  });

  it('a success between failures starts the count again', async () => {
    const guard = createEndpointGuard({ maxInFlight: 10, failureThreshold: 2, cooldownMs: 1_000 });
    (await permit(guard.enter(e, 0))).release('failure', 0);
    (await permit(guard.enter(e, 0))).release('success', 0);
    (await permit(guard.enter(e, 0))).release('failure', 0);
    expect(isRefusal(await guard.enter(e, 0))).toBe(false);
  });

  it('makes each webhook its own endpoint, and weighs fairness so that a project shares one weight', () => {
    // Two webhooks on one host are two endpoints: a hanging one never takes the other's places.
    expect(endpointOf('wh_a')).not.toBe(endpointOf('wh_b'));
    expect(fairnessOf('wh_a', 20)).toEqual({ fairnessKey: 'wh_a', fairnessWeight: 0.05 });
    expect(fairnessOf('wh_b', 0)).toEqual({ fairnessKey: 'wh_b', fairnessWeight: 1 });
    expect(fairnessOf('wh_c', 1_000_000).fairnessWeight).toBe(0.001); // Temporal's floor
  });

  it('one full endpoint does not refuse another', async () => {
    const guard = createEndpointGuard({ maxInFlight: 1, failureThreshold: 5, cooldownMs: 1_000 });
    await permit(guard.enter(endpointOf('wh_hanging'), 0));
    expect(isRefusal(await guard.enter(endpointOf('wh_hanging'), 0))).toBe(true);
    await permit(guard.enter(endpointOf('wh_healthy'), 0));
  });

  it("caps a project's requests in flight across its webhooks, and never another project's", async () => {
    const woken: string[] = [];
    const guard = createEndpointGuard({
      maxInFlight: 2,
      maxInFlightPerGroup: 3,
      failureThreshold: 5,
      cooldownMs: 1_000,
      wake: async (id) => void woken.push(id),
    });
    const a1 = await permit(guard.enter('wh_a', 0, 'a1', 'p1'));
    await permit(guard.enter('wh_a', 0, 'a2', 'p1'));
    await permit(guard.enter('wh_b', 0, 'b1', 'p1'));
    // wh_b has room, its project has not: it waits in wh_b's line, and another project goes on.
    expect(await guard.enter('wh_b', 0, 'b2', 'p1')).toEqual({
      reason: expect.stringMatching(/project of endpoint wh_b has too many requests in flight/),
      queued: true,
    });
    await permit(guard.enter('wh_c', 0, 'c1', 'p2'));
    await permit(guard.enter('wh_c', 0, 'c2', 'p2'));
    // A place of the project frees on wh_a: the place is kept for wh_b's first in line, and it is woken.
    a1.release('success', 0);
    expect(woken).toEqual(['b2']);
    await permit(guard.enter('wh_b', 0, 'b2', 'p1'));
    expect(await guard.enter('wh_a', 0, 'a3', 'p1')).toMatchObject({ queued: true });
  });

  it('bounds its line: past maxWaiting a refused delivery is not queued (it waits on its own timer)', async () => {
    const guard = createEndpointGuard({
      maxInFlight: 1,
      failureThreshold: 5,
      cooldownMs: 1_000,
      maxWaiting: 2,
      wake: async () => undefined,
    });
    await permit(guard.enter(e, 0, 'holder'));
    expect(await guard.enter(e, 0, 'w1')).toMatchObject({ queued: true });
    expect(await guard.enter(e, 0, 'w2')).toMatchObject({ queued: true });
    expect(await guard.enter(e, 0, 'w3')).toMatchObject({ queued: false });
    expect(await guard.enter(e, 0, 'w1')).toMatchObject({ queued: true }); // still in line, whatever the bound
    expect(guard.inspect(e).waiting).toBe(2);
  });

  it('forgets an idle endpoint, its failures included, so that it holds only active endpoints', async () => {
    jest.useFakeTimers({ now: 0 });
    try {
      const guard = createEndpointGuard({ maxInFlight: 5, failureThreshold: 3, cooldownMs: 1_000, idleForgetMs: 500 });
      for (let i = 0; i < 1_000; i++) (await permit(guard.enter(`wh_${i}`, 0))).release('failure', 0);
      expect(guard.size()).toBe(1_000);
      // An open circuit is remembered for as long as it is open, however idle.
      for (let i = 0; i < 3; i++) (await permit(guard.enter('wh_open', 0))).release('failure', 0);
      const held = await permit(guard.enter('wh_busy', 0));
      jest.setSystemTime(600);
      await permit(guard.enter('wh_new', 600));
      expect(guard.size()).toBe(3); // wh_open, wh_busy (in flight), wh_new
      expect(guard.inspect('wh_open').openUntil).toBe(1_000);
      held.release('success', 600);
      jest.setSystemTime(1_200);
      await permit(guard.enter('wh_other', 1_200));
      expect(guard.inspect('wh_1').consecutiveFailures).toBe(0);
      expect(guard.size()).toBeLessThanOrEqual(2);
    } finally {
      jest.useRealTimers();
    }
  });

  it('puts refused deliveries in line and wakes the first when a place frees, keeping the place for it', async () => {
    const { guard, woken } = lineGuard();
    const first = await permit(guard.enter(e, 0, 'wf-1'));
    expect(await guard.enter(e, 0, 'wf-2')).toMatchObject({ queued: true });
    expect(await guard.enter(e, 0, 'wf-3')).toMatchObject({ queued: true });
    expect(await guard.enter(e, 0, 'wf-2')).toMatchObject({ queued: true }); // once in line, whatever it asks
    expect(guard.inspect(e).waiting).toBe(2);
    expect(woken).toEqual([]);

    first.release('success', 0);
    expect(woken).toEqual(['wf-2']);
    // The place is kept for wf-2: a newcomer does not take it, wf-2 does.
    expect(await guard.enter(e, 0, 'wf-4')).toMatchObject({ queued: true });
    const second = await permit(guard.enter(e, 0, 'wf-2'));
    second.release('success', 0);
    expect(woken).toEqual(['wf-2', 'wf-3']);
  });

  it('gives a kept place to the next in line when the woken workflow is gone', async () => {
    const woken: string[] = [];
    const guard = createEndpointGuard({
      maxInFlight: 1,
      failureThreshold: 5,
      cooldownMs: 1_000,
      wake: async (id) => {
        woken.push(id);
        if (id === 'gone') throw new Error('workflow not found');
      },
    });
    const first = await permit(guard.enter(e, 0, 'a'));
    await guard.enter(e, 0, 'gone');
    await guard.enter(e, 0, 'next');
    first.release('success', 0);
    await new Promise((r) => setImmediate(r));
    expect(woken).toEqual(['gone', 'next']);
    await permit(guard.enter(e, 0, 'next'));
  });

  it('without a way to wake, a refusal is not queued (the workflow checks back on a timer)', async () => {
    const guard = createEndpointGuard({ maxInFlight: 1, failureThreshold: 5, cooldownMs: 1_000 });
    await permit(guard.enter(e, 0, 'a'));
    expect(await guard.enter(e, 0, 'b')).toEqual({ reason: expect.any(String), queued: false });
  });

  it('an attempt may wait in the worker for a place a moment, before it is refused into the line', async () => {
    const guard = createEndpointGuard({ maxInFlight: 1, failureThreshold: 5, cooldownMs: 1_000, lingerMs: 5_000 });
    const first = await permit(guard.enter(e, 0, 'a'));
    const second = guard.enter(e, 0, 'b');
    first.release('success', 0);
    const handedOver = await permit(second);
    expect(guard.inspect(e)).toMatchObject({ inFlight: 1, waiting: 0 });
    handedOver.release('success', 0);

    const quick = createEndpointGuard({ maxInFlight: 1, failureThreshold: 5, cooldownMs: 1_000, lingerMs: 20 });
    await permit(quick.enter(e, 0, 'a'));
    expect(await quick.enter(e, 0, 'b')).toEqual({ reason: expect.any(String), queued: false });
  });

  it('a woken delivery takes the place kept for it; then the line is empty and newcomers get in', async () => {
    const { guard, woken } = lineGuard();
    const first = await permit(guard.enter(e, 0, 'a'));
    expect(await guard.enter(e, 0, 'b')).toMatchObject({ queued: true });
    first.release('success', 0); // keeps the place for b, and wakes it
    (await permit(guard.enter(e, 0, 'b'))).release('success', 0);
    expect(await guard.enter(e, 0, 'c')).not.toHaveProperty('queued');
    expect(guard.inspect(e)).toMatchObject({ waiting: 0 });
    expect(woken).toEqual(['b']);
  });
});
