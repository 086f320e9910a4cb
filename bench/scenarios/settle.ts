import { CpuMeter } from '../cpu';
import type { Receiver } from '../receiver';
import type { Bench } from '../stack';
import { now, sleep } from '../stats';

/**
 * Waits until the stack has gone quiet after a burst: no new request at `receiver` and under 10 % of a core
 * for all our processes together, for 2 s in a row; at most until `maxS` after `since`. Returns whether
 * it went quiet and when (s after `since`).
 */
export async function settle(b: Bench, receiver: Receiver, since: number, maxS: number) {
  let quietFor = 0;
  let lastHits = receiver.hits();
  let snap = b.cpu.snapshot();
  while (quietFor < 2_000 && now() - since < maxS * 1000) {
    await sleep(500);
    const next = b.cpu.snapshot();
    const d = CpuMeter.delta(snap, next);
    const busy = Object.values(d.procs).reduce((s, x) => s + (Number.isFinite(x) ? x : 0), 0) / d.wallMs;
    quietFor = busy < 0.1 && receiver.hits() === lastHits ? quietFor + d.wallMs : 0;
    lastHits = receiver.hits();
    snap = next;
  }
  return { settled: quietFor >= 2_000, afterS: (now() - since) / 1000 };
}
