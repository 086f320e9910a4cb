import { HttpFloor, latencyOf, type Latency } from '../floors';
import { startReceiver } from '../receiver';
import { createWebhook, drained, publish, terminateAll, type Bench } from '../stack';
import { now, waitUntil } from '../stats';

export interface PublishCallResult {
  webhooks: number;
  hookline: Latency;
  /** One plain POST round trip. */
  http: Latency;
  /** `webhooks` one-activity workflows started at once (the least a publish to them must do). */
  engine: Latency;
  /** Publishes on an otherwise idle stack: each waits for its deliveries to arrive before the next. */
  isolated: Latency;
  /** Sequential calls asked for (the time cap may have cut them short: `hookline.n` were made). */
  asked: number;
  /** Of the deliveries published, how many had arrived when the calls ended, and when the drain wait ended. */
  deliveries: number;
  arrivedAtEnd: number;
  arrivedAfterWait: number;
  /** Delivery workflows ended by the clean-up, and still running after it. */
  terminated: number;
  stillRunning: number;
}

/** `count` sequential calls, fewer if `maxMs` runs out first (then `n` says how many were made). */
async function timed(count: number, fn: (i: number) => Promise<unknown>, maxMs = Infinity): Promise<Latency> {
  const samples: number[] = [];
  const errors: unknown[] = [];
  const start = now();
  for (let i = 0; i < count && now() - start < maxMs; i++) {
    const t0 = now();
    await fn(i).catch((err: unknown) => errors.push(err));
    samples.push(now() - t0);
  }
  return latencyOf(samples, samples.length, errors);
}

/**
 * Figure 3: `events.publish` call latency, `n` sequential calls, each event matching `webhooks` webhooks
 * (their deliveries run meanwhile, as they would). The floors: one plain POST, and `webhooks` workflow
 * starts at once (`floorN` times, measured first and left to finish). The deliveries still under way when
 * the calls end get `drainS` to arrive; the rest are terminated, so that the next phase starts clean.
 */
export async function publishCall(
  b: Bench,
  webhooks: number,
  n: number,
  floorN: number,
  drainS: number,
  maxS: number,
): Promise<PublishCallResult> {
  const receiver = await startReceiver();
  const project = `fanout-${b.uid}`;
  for (let k = 0; k < webhooks; k++) await createWebhook(b, project, receiver.url);

  const httpFloor = new HttpFloor(receiver);
  const http = await timed(n, (i) => httpFloor.sustained(`pubhttp-${b.uid}-${i}`, 1, 1));
  await httpFloor.close();
  const keys: string[] = [];
  const engine = await timed(floorN, (i) =>
    Promise.all(
      Array.from({ length: webhooks }, (_, k) => {
        keys.push(`pub-${b.uid}-${i}-${k}`);
        return b.floor.startWorkflow(`pub-${b.uid}-${i}-${k}`);
      }),
    ),
  );
  await waitUntil(() => keys.every((k) => b.floor.ran.has(k)), 60_000, 100);

  // One at a time on an otherwise idle stack (each waits for its deliveries to arrive before the next); the
  // first 3 warm up.
  const isolatedSamples: number[] = [];
  for (let i = 0; i < 8; i++) {
    const before = receiver.byDelivery.size;
    const t0 = now();
    await publish(b, project, `pubiso-${b.uid}-${i}`);
    if (i >= 3) isolatedSamples.push(now() - t0);
    await waitUntil(() => receiver.byDelivery.size >= before + webhooks, 20_000);
    await drained(b, project, 10_000);
  }
  const isolated = latencyOf(isolatedSamples, isolatedSamples.length, []);
  const hookline = await timed(n, (i) => publish(b, project, `pub-${b.uid}-${i}`), maxS * 1000);
  const deliveries = (hookline.n + 8) * webhooks;
  const arrivedAtEnd = receiver.byDelivery.size;
  await waitUntil(() => receiver.byDelivery.size >= deliveries, drainS * 1000, 100);
  const arrivedAfterWait = receiver.byDelivery.size;
  const terminated = await terminateAll(b, project).catch(() => NaN);
  const stillRunning = await drained(b, project, 10_000);
  await receiver.close();
  return {
    webhooks,
    hookline,
    http,
    engine,
    isolated,
    asked: n,
    deliveries,
    arrivedAtEnd,
    arrivedAfterWait,
    terminated,
    stillRunning,
  };
}
