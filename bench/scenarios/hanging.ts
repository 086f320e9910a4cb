import { CpuMeter, type CpuDelta } from '../cpu';
import type { Latency } from '../floors';
import { startReceiver } from '../receiver';
import { createWebhook, drained, publish, terminateAll, type Bench } from '../stack';
import { bounded, now, sleep } from '../stats';
import { settle } from './settle';
import { publishOpenLoop } from './latency';

export interface HangingResult {
  hanging: number;
  healthy: number;
  rate: number;
  idle: Latency;
  busy: Latency;
  /** Requests held by the hanging receiver when the quiet window began, and its hits in all. */
  heldAtWindow: number;
  hangingHits: number;
  quiet: CpuDelta;
  /** The same window in 5 s slices: whether the waiting gets cheaper as it goes on. */
  slices: CpuDelta[];
  publishMs: number;
  /** Whether the stack went quiet before the window, and when (s after the first hanging publish). */
  settled: { settled: boolean; afterS: number };
  /** Seconds from the first hanging publish to the end of the healthy deliveries (attempts time out at 60 s). */
  spanS: number;
  cleanup: { terminated: number; stillRunning: number };
}

/** Long enough that no hanging delivery ends within the scenario: one attempt times out after 60 s, then 1 h. */
const HANG_POLICY = {
  maximumAttempts: 25,
  initialIntervalMs: 3_600_000,
  maximumIntervalMs: 86_400_000,
  timeoutMs: 60_000,
};

/**
 * Figure 4: `healthy` deliveries to a healthy endpoint at `rate`, first on an idle stack, then while `hanging`
 * deliveries hang on another endpoint (it never answers); CPU of every process over a quiet window while
 * they wait.
 */
export async function hanging(
  b: Bench,
  hangingCount: number,
  healthy: number,
  rate: number,
  concurrency: number,
  quietS: number,
  fanout: number,
  settleMaxS: number,
): Promise<HangingResult> {
  const idleReceiver = await startReceiver();
  const busyReceiver = await startReceiver();
  const stuck = await startReceiver({ kind: 'hang' });
  const idleProject = `idle-${b.uid}`;
  const busyProject = `busy-${b.uid}`;
  const hangProject = `hang-${b.uid}`;
  await createWebhook(b, idleProject, idleReceiver.url);
  await createWebhook(b, busyProject, busyReceiver.url);
  // Each event matches `fanout` webhooks of the hanging endpoint: fewer API calls, the same endpoint.
  for (let k = 0; k < fanout; k++) await createWebhook(b, hangProject, stuck.url, { retryPolicy: HANG_POLICY });
  const events = Math.ceil(hangingCount / fanout);

  const idle = await publishOpenLoop(b, idleReceiver, idleProject, `idle-${b.uid}`, rate, healthy);
  await drained(b, idleProject, 30_000);

  const t0 = now();
  await bounded(events, concurrency, async (i) => void (await publish(b, hangProject, `hang-${b.uid}-${i}`)));
  const publishMs = now() - t0;
  // Every delivery has made its first attempt (or queued for the endpoint) once the stack is quiet (bounded).
  const settled = await settle(b, stuck, t0, settleMaxS);
  const heldAtWindow = stuck.hanging();
  const w0 = b.cpu.snapshot();
  const slices: CpuDelta[] = [];
  let slice0 = w0;
  for (let t = 0; t < quietS; t += 5) {
    await sleep(Math.min(5, quietS - t) * 1000);
    const next = b.cpu.snapshot();
    slices.push(CpuMeter.delta(slice0, next));
    slice0 = next;
  }
  const quiet = CpuMeter.delta(w0, slice0);

  const busy = await publishOpenLoop(b, busyReceiver, busyProject, `busy-${b.uid}`, rate, healthy);
  const spanS = (now() - t0) / 1000;
  const hangingHits = stuck.hits();

  // Clean-up: answer what hangs (410 stops those deliveries and disables the webhook), end the rest.
  stuck.release(410);
  const terminated = await terminateAll(b, hangProject).catch(() => 0);
  const stillRunning = await drained(b, hangProject, 20_000);
  await drained(b, busyProject, 10_000);
  await Promise.all([idleReceiver.close(), busyReceiver.close(), stuck.close()]);
  return {
    hanging: events * fanout,
    healthy,
    rate,
    idle,
    busy,
    heldAtWindow,
    hangingHits,
    quiet,
    slices,
    publishMs,
    settled,
    spanS,
    cleanup: { terminated, stillRunning },
  };
}
