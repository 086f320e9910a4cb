import { HttpFloor, latencyOf, type Latency } from '../floors';
import { startReceiver } from '../receiver';
import { createWebhook, drained, publish, type Bench } from '../stack';
import { bounded, now, sleep, waitUntil } from '../stats';
import { publishOpenLoop } from './latency';

export interface FlowsResult {
  n: number;
  async: Latency;
  sync: Latency;
  http: Latency;
  engine: Latency;
  /** Sync calls while every activity slot of the outbound worker is held and deliveries queue behind them. */
  syncBesideFullOutbound: Latency;
  outboundHeld: { deliveries: number; held: number; slots: number };
  /** Outbound publish → receiver at a low rate, alone and while a burst of sync calls runs. */
  outboundAlone: Latency;
  outboundBesideSync: Latency;
  syncBurst: { calls: number; concurrency: number; ms: number; errors: number };
}

/**
 * Figure 7: inbound flows. An async call's answer and a sync call of one `set` step, one at a time, beside a
 * plain POST and a one-activity workflow started and awaited (HTTP and engine floors). Then each capability
 * under a burst of the other: their task queues are their own, so neither waits behind the other's tasks.
 */
export async function flows(b: Bench, n: number, burst: number, concurrency: number): Promise<FlowsResult> {
  const projectId = `flows-${b.uid}`;
  const steps = [{ ref: 'res1', kind: 'set' as const, value: '{{ web1.id }}' }];
  const asyncFlow = await b.trpc.flows.create.mutate({
    projectId,
    name: 'bench async',
    status: 'live',
    mode: 'async',
    steps,
    response: { statusCode: 202, body: '{"accepted": {{ web1.id | json }}}', contentType: 'application/json' },
  });
  const syncFlow = await b.trpc.flows.create.mutate({
    projectId,
    name: 'bench sync',
    status: 'live',
    mode: 'sync',
    steps,
    response: { statusCode: 200, body: '{"value": {{ res1.value | json }}}', contentType: 'application/json' },
  });
  const tokenOf = async (id: string) => (await b.trpc.flows.token.query({ projectId, id })).token;
  const tokens = { [asyncFlow.id]: await tokenOf(asyncFlow.id), [syncFlow.id]: await tokenOf(syncFlow.id) };

  const callOnce = async (flowId: string, id: string, expected: number) => {
    const res = await fetch(`${b.apiUrl}/v1/flow-webhook/${flowId}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens[flowId]}`, 'content-type': 'application/json' },
      body: JSON.stringify({ id }),
    });
    const text = await res.text();
    if (res.status !== expected) throw new Error(`flow answered ${res.status}: ${text.slice(0, 200)}`);
  };
  const oneAtATime = async (flowId: string, prefix: string, count: number, expected: number) => {
    const samples: number[] = [];
    const errors: unknown[] = [];
    for (let i = 0; i < count; i++) {
      const t0 = now();
      await callOnce(flowId, `${prefix}-${i}`, expected).then(
        () => samples.push(now() - t0),
        (err: unknown) => errors.push(err),
      );
    }
    return latencyOf(samples, count, errors);
  };

  // Warm-up: the first calls start threads and fill caches.
  await oneAtATime(asyncFlow.id, 'warm-a', 10, 202);
  await oneAtATime(syncFlow.id, 'warm-s', 10, 200);

  const asyncLatency = await oneAtATime(asyncFlow.id, 'a', n, 202);
  const syncLatency = await oneAtATime(syncFlow.id, 's', n, 200);

  const receiver = await startReceiver();
  const httpFloor = new HttpFloor(receiver);
  const http = await httpFloor.roundTrip(`flow-http-${b.uid}`, n);
  await httpFloor.close();
  const engine = await b.floor.roundTrip(`flow-engine-${b.uid}`, n);

  // Sync calls while the outbound worker's activity slots are all held (by receivers that do not answer) and
  // more deliveries wait in its task queue: with one queue, a flow would wait behind them.
  const heldProject = `flows-held-${b.uid}`;
  const holders = await Promise.all(Array.from({ length: 30 }, () => startReceiver({ kind: 'hang' })));
  for (const h of holders) await createWebhook(b, heldProject, h.url);
  const events = Math.ceil(burst / holders.length);
  await bounded(events, concurrency, (i) => publish(b, heldProject, `held-${b.uid}-${i}`).then(() => undefined));
  const slots = b.config.WORKER_MAX_CONCURRENT_ACTIVITIES;
  const heldNow = () => holders.reduce((sum, h) => sum + h.hanging(), 0);
  await waitUntil(() => heldNow() >= Math.min(slots, events * holders.length), 30_000, 50);
  const held = heldNow();
  const syncBesideFullOutbound = await oneAtATime(syncFlow.id, 'full', n, 200);
  for (const h of holders) h.release(200);
  await drained(b, heldProject, 60_000);
  await Promise.all(holders.map((h) => h.close()));
  const outProject = `flows-out-${b.uid}`;
  await createWebhook(b, outProject, receiver.url);

  // Outbound latency at 5/s, alone, then while sync calls run `concurrency` at a time.
  const rate = 5;
  const count = 25;
  const outboundAlone = await publishOpenLoop(b, receiver, outProject, `alone-${b.uid}`, rate, count);
  let calling = true;
  const t0 = now();
  let calls = 0;
  let callErrors = 0;
  const callers = Array.from({ length: concurrency }, async () => {
    while (calling) {
      calls++;
      await callOnce(syncFlow.id, `burst-${calls}`, 200).catch(() => callErrors++);
    }
  });
  await sleep(500);
  const outboundBesideSync = await publishOpenLoop(b, receiver, outProject, `beside-${b.uid}`, rate, count);
  calling = false;
  await Promise.all(callers);
  const burstMs = now() - t0;
  await receiver.close();

  return {
    n,
    async: asyncLatency,
    sync: syncLatency,
    http,
    engine,
    syncBesideFullOutbound,
    outboundHeld: { deliveries: events * holders.length, held, slots },
    outboundAlone,
    outboundBesideSync,
    syncBurst: { calls, concurrency, ms: burstMs, errors: callErrors },
  };
}
