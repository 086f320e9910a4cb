import { performance } from 'node:perf_hooks';

/** Small numeric and timing helpers of the bench. */

export const now = () => performance.now();
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** The p-th percentile (0-100) by nearest rank; NaN for no samples. */
export function percentile(xs: number[], p: number): number {
  if (xs.length === 0) return NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

/** Polls `cond` every `everyMs` until it holds or `timeoutMs` passes; true if it held. */
export async function waitUntil(cond: () => boolean | Promise<boolean>, timeoutMs: number, everyMs = 25) {
  const deadline = now() + timeoutMs;
  for (;;) {
    if (await cond()) return true;
    if (now() >= deadline) return false;
    await sleep(everyMs);
  }
}

/** Runs fn(0..n-1) with at most `concurrency` calls in flight; resolves when all have settled. */
export async function bounded(n: number, concurrency: number, fn: (i: number) => Promise<void>): Promise<unknown[]> {
  const errors: unknown[] = [];
  let next = 0;
  const lane = async () => {
    while (next < n) {
      const i = next++;
      await fn(i).catch((err: unknown) => errors.push(err));
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, lane));
  return errors;
}

/**
 * Open loop: call i is due at start + i / rate whatever the earlier calls are doing (so slow answers do not
 * slow the offered load, and latency is measured from the due time: no coordinated omission).
 */
export async function openLoop(
  rate: number,
  count: number,
  fn: (i: number, dueAt: number) => Promise<void>,
): Promise<unknown[]> {
  const errors: unknown[] = [];
  const calls: Promise<void>[] = [];
  const start = now() + 10;
  for (let i = 0; i < count; i++) {
    const dueAt = start + (i * 1000) / rate;
    const wait = dueAt - now();
    if (wait > 1) await sleep(wait);
    calls.push(fn(i, dueAt).catch((err: unknown) => void errors.push(err)));
  }
  await Promise.all(calls);
  return errors;
}

export const fmt = (x: number, digits = 1) => (Number.isFinite(x) ? x.toFixed(digits) : 'n/a');
export const fmtInt = (x: number) => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : 'n/a');

export function errorText(err: unknown): string {
  const e = err as { message?: string; cause?: { message?: string } };
  return (e?.message ?? String(err)) + (e?.cause?.message ? ` (${e.cause.message})` : '');
}

/** A plain-text table: columns padded to their widest cell. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
