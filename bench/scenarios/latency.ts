import { HttpFloor, latencyOf, type Latency } from '../floors';
import { startReceiver, type Receiver } from '../receiver';
import { createWebhook, drained, publish, type Bench } from '../stack';
import { openLoop, waitUntil } from '../stats';

/** Open loop at `rate`/s: each publish due at a fixed time; latency = due time → the receiver has it. */
export async function publishOpenLoop(
  b: Bench,
  receiver: Receiver,
  project: string,
  prefix: string,
  rate: number,
  n: number,
): Promise<Latency> {
  const due = new Map<string, number>();
  const errors = await openLoop(rate, n, async (i, dueAt) => {
    const eventId = `${prefix}-${i}`;
    due.set(eventId, dueAt);
    await publish(b, project, eventId);
  });
  await waitUntil(() => [...due.keys()].every((id) => receiver.byEvent.has(id)), 60_000, 50);
  const samples = [...due].flatMap(([id, t]) => {
    const at = receiver.byEvent.get(id);
    return at === undefined ? [] : [at - t];
  });
  return latencyOf(samples, n, errors);
}

export interface LatencyResult {
  rate: number;
  seconds: number;
  hookline: Latency;
  http: Latency;
  engine: Latency;
}

/**
 * Figure 2: publish → receiver latency at `rate` (half the sustained rate) for `seconds`, beside plain POSTs
 * and one-activity workflows at the same rate for `floorSeconds`.
 */
export async function latency(b: Bench, rate: number, seconds: number, floorSeconds: number): Promise<LatencyResult> {
  const receiver = await startReceiver();
  const project = `latency-${b.uid}`;
  await createWebhook(b, project, receiver.url);
  const n = Math.max(10, Math.round(rate * seconds));
  const nf = Math.max(10, Math.round(rate * floorSeconds));

  const hookline = await publishOpenLoop(b, receiver, project, `lat-${b.uid}`, rate, n);
  await drained(b, project, 30_000);
  const httpFloor = new HttpFloor(receiver);
  const http = await httpFloor.latency(`lat-http-${b.uid}`, rate, nf);
  await httpFloor.close();
  const engine = await b.floor.latency(`lat-${b.uid}`, rate, nf, 60_000);
  await receiver.close();
  return { rate, seconds, hookline, http, engine };
}
