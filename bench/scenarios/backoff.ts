import { CpuMeter, type CpuDelta } from '../cpu';
import { settle } from './settle';
import { startReceiver } from '../receiver';
import { createWebhook, publish, type Bench } from '../stack';
import { bounded, now, sleep } from '../stats';

export interface BackoffResult {
  deliveries: number;
  webhooks: number;
  publishMs: number;
  /** From the first publish until the stack went quiet (every first attempt made, or paused). */
  settleS: number;
  settled: boolean;
  /** Distinct deliveries that reached the receiver (first attempts) before the window. */
  firstAttempts: number;
  window: CpuDelta;
  windowStartS: number;
  /** Later attempts that reached the receiver during the window (retries that had come due). */
  retriesInWindow: number;
  rssMb: number[];
}

const MB = 1024 * 1024;

/**
 * Figure 5: `n` deliveries waiting in Temporal's retry backoff (the receiver answers 500; the default
 * policy's second attempt comes 30 s after the first), each event matching `webhooks` webhooks. Once the
 * stack is quiet, this process's RSS and every process's CPU over `windowS`.
 */
export async function backoff(
  b: Bench,
  n: number,
  webhooks: number,
  concurrency: number,
  windowS: number,
  settleMaxS: number,
): Promise<BackoffResult> {
  const receiver = await startReceiver({ kind: 'answer', status: 500 });
  const project = `backoff-${b.uid}`;
  for (let k = 0; k < webhooks; k++) await createWebhook(b, project, receiver.url);
  const events = Math.ceil(n / webhooks);

  const t0 = now();
  await bounded(events, concurrency, async (i) => void (await publish(b, project, `backoff-${b.uid}-${i}`)));
  const publishMs = now() - t0;

  const { settled, afterS: settleS } = await settle(b, receiver, t0, settleMaxS);
  const firstAttempts = receiver.byDelivery.size;
  const repeats0 = receiver.repeats();

  const rssMb: number[] = [process.memoryUsage().rss / MB];
  const w0 = b.cpu.snapshot();
  for (let s = 0; s < windowS; s++) {
    await sleep(1_000);
    rssMb.push(process.memoryUsage().rss / MB);
  }
  const window = CpuMeter.delta(w0, b.cpu.snapshot());
  const retriesInWindow = receiver.repeats() - repeats0;
  await receiver.close();
  return {
    deliveries: events * webhooks,
    webhooks,
    publishMs,
    settleS,
    settled,
    firstAttempts,
    window,
    windowStartS: settleS,
    retriesInWindow,
    rssMb,
  };
}
