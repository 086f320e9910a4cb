import { rmSync } from 'node:fs';
import os from 'node:os';
import type { CpuDelta } from './cpu';
import type { Latency, Throughput } from './floors';
import { backoff, type BackoffResult } from './scenarios/backoff';
import { flows, type FlowsResult } from './scenarios/flows';
import { hanging, type HangingResult } from './scenarios/hanging';
import { latency, type LatencyResult } from './scenarios/latency';
import { lanes, type LanesResult } from './scenarios/lanes';
import { publishCall, type PublishCallResult } from './scenarios/publish-call';
import { isolation, type IsolationResult } from './scenarios/isolation';
import { scaling, type ScalingResult } from './scenarios/scaling';
import { sustained, type SustainedResult } from './scenarios/sustained';
import { startBench, type Bench } from './stack';
import { errorText, fmt, fmtInt, now, sleep, table } from './stats';

/**
 * `npm run bench`: Hookline's figures, each beside two floors measured in the same run on the same servers:
 * a plain HTTP POST to the same kind of receiver (HTTP floor) and a Temporal workflow of one no-op activity
 * on a worker tuned like Hookline's (engine floor). Every count can be overridden (BENCH_*), so can any
 * variable of the contract (e.g. ENDPOINT_MAX_IN_FLIGHT); a watchdog stops the run at BENCH_TIMEOUT_S.
 */
const num = (name: string, fallback: number) => {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? v : fallback;
};
const N = num('BENCH_N', 300);
const CONCURRENCY = num('BENCH_CONCURRENCY', 16);
const WARMUP = num('BENCH_WARMUP', 20);
const LATENCY_S = num('BENCH_LATENCY_S', 15);
const FLOOR_LATENCY_S = num('BENCH_FLOOR_LATENCY_S', 5);
const FANOUT = num('BENCH_FANOUT', 10);
const PUBLISHES = num('BENCH_PUBLISHES', 100);
const FLOOR_PUBLISHES = num('BENCH_FLOOR_PUBLISHES', 30);
const DRAIN_S = num('BENCH_DRAIN_S', 10);
const PUBLISH_MAX_S = num('BENCH_PUBLISH_MAX_S', 25);
const HANGING = num('BENCH_HANGING', 1000);
const HEALTHY = num('BENCH_HEALTHY', 100);
const HANG_FANOUT = num('BENCH_HANG_FANOUT', 10);
const QUIET_S = num('BENCH_QUIET_S', 15);
/**
 * Unset: as many as the measured sustained rate handles in ~25 s (10,000 at most), so that they are all
 * tried and the stack quiet before the first retries (30 s) and the circuit breaker's cooldown (60 s) end.
 */
const BACKOFF = Number(process.env.BENCH_BACKOFF) || undefined;
const BACKOFF_FANOUT = num('BENCH_BACKOFF_FANOUT', 10);
const BACKOFF_WINDOW_S = num('BENCH_BACKOFF_WINDOW_S', 15);
const SETTLE_MAX_S = num('BENCH_SETTLE_MAX_S', 35);
/**
 * The hanging requests time out after 60 s: settling, the quiet window and the healthy deliveries fit before.
 * 1,000 first attempts settle in 20 s on a fast 2-core machine and take 37 s on a slower one (2026-12-01).
 */
const HANG_SETTLE_MAX_S = num('BENCH_HANG_SETTLE_MAX_S', 36);
const FLOW_N = num('BENCH_FLOW_N', 100);
const FLOW_BURST = num('BENCH_FLOW_BURST', 600);
const TIMEOUT_S = num('BENCH_TIMEOUT_S', 1200);
const BASELINE_S = num('BENCH_BASELINE_S', 5);
const SCALE_PROJECTS = num('BENCH_SCALE_PROJECTS', 1000);
const SCALE_WEBHOOKS = num('BENCH_SCALE_WEBHOOKS', 5);
const SCALE_RING = num('BENCH_SCALE_RING', 300);
const SCALE_SAMPLES = num('BENCH_SCALE_SAMPLES', 60);
const ISO_HANGING = num('BENCH_ISO_HANGING', 150);
const ISO_PER_WEBHOOK = num('BENCH_ISO_PER_WEBHOOK', 100);
/**
 * BENCH_PHASES=1,2 runs only those figures (6 comes with 1; 2, 4 and 5 need 1's rate, else 20/s; 7 is flows;
 * 8 is the cost of calls beside 1,000 other projects' data, which seeds millions of records and comes last;
 * 9 is isolation between webhooks and projects on one host; 10 is ordering, coalescing and the one-operation publish).
 */
const LANES_N = num('BENCH_LANES_N', 300);
const PHASES = new Set((process.env.BENCH_PHASES ?? '1,2,3,10,4,5,7,9,8').split(',').map((x) => x.trim()));

interface Results {
  sustained?: SustainedResult;
  latency?: LatencyResult;
  publishCall?: PublishCallResult;
  hanging?: HangingResult;
  backoff?: BackoffResult;
  flows?: FlowsResult;
  scaling?: ScalingResult;
  isolation?: IsolationResult;
  lanes?: LanesResult;
  monitoring?: boolean;
  settings?: string;
  /** Every process's CPU with nothing to do, just after start-up. */
  baseline?: CpuDelta;
  failures: string[];
}

const startedAt = now();
const elapsedS = () => (now() - startedAt) / 1000;
const progress = (msg: string) => process.stderr.write(`[bench ${fmt(elapsedS(), 0).padStart(3)} s] ${msg}\n`);

async function main() {
  const results: Results = { failures: [] };
  const started: { bench?: Bench } = {};
  let phase = 'start-up';
  const watchdog = setTimeout(() => {
    console.error(`[bench] over BENCH_TIMEOUT_S=${TIMEOUT_S} s during ${phase}: stopping; figures so far:`);
    report(results);
    for (const s of started.bench?.servers ?? []) s.kill();
    if (started.bench) rmSync(started.bench.tmp, { recursive: true, force: true });
    process.exit(2);
  }, TIMEOUT_S * 1000);
  watchdog.unref();

  const run = async <T>(name: string, fn: () => Promise<T>): Promise<T | undefined> => {
    phase = name;
    progress(`${name} …`);
    try {
      const r = await fn();
      progress(`${name} done`);
      return r;
    } catch (err) {
      results.failures.push(`${name}: ${errorText(err)}`);
      progress(`${name} FAILED: ${errorText(err)}`);
      return undefined;
    }
  };

  progress('provisioning and starting Temporal dev server + FerretDB, bundling workflows');
  const b = (started.bench = await startBench());
  results.monitoring = b.monitoring;
  const c = b.config;
  results.settings =
    `settings: ENDPOINT_MAX_IN_FLIGHT=${c.ENDPOINT_MAX_IN_FLIGHT} WORKER_MAX_CONCURRENT_ACTIVITIES=${c.WORKER_MAX_CONCURRENT_ACTIVITIES} ` +
    `CIRCUIT_FAILURE_THRESHOLD=${c.CIRCUIT_FAILURE_THRESHOLD} CIRCUIT_COOLDOWN_MS=${c.CIRCUIT_COOLDOWN_MS} LOG_CAP_PER_WEBHOOK=${c.LOG_CAP_PER_WEBHOOK}; ` +
    `one process hosts the API, the worker, the engine floor's worker and the load ('bench')`;
  try {
    results.baseline = (
      await run(`idle baseline (${BASELINE_S} s)`, () => b.cpu.measure(() => sleep(BASELINE_S * 1000)))
    )?.cpu;
    if (PHASES.has('1'))
      results.sustained = await run(`1+6 sustained throughput (n=${N}, ${CONCURRENCY} in flight)`, () =>
        sustained(b, N, CONCURRENCY, WARMUP),
      );
    const rate = Math.max(2, Math.round((results.sustained?.hookline.perSecond ?? 40) / 2));
    if (PHASES.has('2'))
      results.latency = await run(`2 latency at ${rate}/s for ${LATENCY_S} s`, () =>
        latency(b, rate, LATENCY_S, FLOOR_LATENCY_S),
      );
    if (PHASES.has('3'))
      results.publishCall = await run(`3 events.publish with ${FANOUT} matching webhooks`, () =>
        publishCall(b, FANOUT, PUBLISHES, FLOOR_PUBLISHES, DRAIN_S, PUBLISH_MAX_S),
      );
    if (PHASES.has('10'))
      results.lanes = await run(`10 ordering, coalescing, one-operation publish (n=${LANES_N})`, () =>
        lanes(b, LANES_N, CONCURRENCY),
      );
    // The healthy deliveries take at most ~10 s each time, so that the hanging ones (60 s per attempt) still hang.
    const healthyRate = Math.max(rate, Math.ceil(HEALTHY / 10));
    if (PHASES.has('4'))
      results.hanging = await run(`4 ${HEALTHY} healthy beside ${HANGING} hanging`, () =>
        hanging(b, HANGING, HEALTHY, healthyRate, CONCURRENCY, QUIET_S, HANG_FANOUT, HANG_SETTLE_MAX_S),
      );
    // Before 5: its deliveries retry for minutes after it, and would share the machine with these calls.
    if (PHASES.has('7'))
      results.flows = await run(`7 inbound flows (n=${FLOW_N}, beside ${FLOW_BURST} held deliveries)`, () =>
        flows(b, FLOW_N, FLOW_BURST, CONCURRENCY),
      );
    const sustainedRate = results.sustained?.hookline.perSecond ?? 10;
    const left = TIMEOUT_S - 20 - elapsedS() - BACKOFF_WINDOW_S;
    const backoffN =
      BACKOFF ?? Math.max(200, Math.min(10_000, Math.round((sustainedRate * Math.min(25, left)) / 100) * 100));
    if (PHASES.has('5'))
      results.backoff = await run(`5 ${backoffN} deliveries in retry backoff`, () =>
        backoff(b, backoffN, BACKOFF_FANOUT, CONCURRENCY, BACKOFF_WINDOW_S, SETTLE_MAX_S),
      );
    if (PHASES.has('9'))
      results.isolation = await run(`9 isolation on one host`, () =>
        isolation(b, ISO_HANGING, ISO_PER_WEBHOOK, CONCURRENCY),
      );
    if (PHASES.has('8'))
      results.scaling = await run(`8 calls beside ${SCALE_PROJECTS} projects' data`, () =>
        scaling(b, SCALE_PROJECTS, SCALE_WEBHOOKS, SCALE_RING, SCALE_SAMPLES),
      );
  } finally {
    phase = 'stopping';
    progress('stopping');
    await b.stop();
  }
  report(results);
  clearTimeout(watchdog);
}

// ---- report ----

const pct = (x: number) => `${fmt(100 * x, 0)} %`;
const ms = (x: number) => `${fmt(x, x < 10 ? 1 : 0)} ms`;
const perS = (t: Throughput) => `${fmt(t.perSecond, t.perSecond < 100 ? 1 : 0)}/s`;
const verdict = (ok: boolean | undefined) => (ok === undefined ? 'n/a' : ok ? 'ok' : 'FAIL');
const cpuTotal = (d: CpuDelta) => Object.values(d.procs).reduce((s, x) => s + (Number.isFinite(x) ? x : 0), 0);
/** Near idle: no process above its idle baseline + 5 % of one core. */
const nearIdle = (d: CpuDelta, base?: CpuDelta) =>
  Object.entries(d.procs).every(([p, x]) => !(x / d.wallMs > 0.05 + (base ? base.procs[p]! / base.wallMs : 0)));
const shares = (d: CpuDelta) =>
  `${Object.entries(d.procs)
    .map(([name, x]) => `${name} ${fmt((100 * x) / d.wallMs)}%`)
    .join(', ')} of a core (rest of machine ${fmt((100 * d.othersMs) / d.wallMs, 0)}%)`;
const lat = (l: Latency) => `${ms(l.p50)} / ${ms(l.p99)}`;
const lost = (l: Latency) => (l.received < l.n ? ` (${l.n - l.received} of ${l.n} never arrived)` : '');

function report(r: Results): void {
  const rows: string[][] = [];
  const notes: string[] = [];
  if (r.baseline) {
    rows.push([
      `0 idle baseline, ${fmt(r.baseline.wallMs / 1000, 0)} s after start-up`,
      `${fmt((cpuTotal(r.baseline) / r.baseline.wallMs) * 100)}% of a core`,
      shares(r.baseline),
      '',
      '',
    ]);
  }
  const s = r.sustained;
  if (s) {
    const ratio = s.hookline.perSecond / s.engine.perSecond;
    rows.push([
      `1 sustained deliveries/s (n=${s.n}, ${s.concurrency} in flight)`,
      perS(s.hookline),
      `HTTP ${perS(s.http)} · engine ${perS(s.engine)} → ${pct(ratio)} of engine`,
      '≥ 70 % of engine',
      verdict(ratio >= 0.7 && s.hookline.notDone === 0 && s.hookline.errors.length === 0),
    ]);
    const hs = (x: typeof s.histories.hookline) =>
      `${fmt(x.events, 1)} events (max ${x.maxEvents}), ${fmt(x.activities, 1)} activities, ${fmt(x.timers, 2)} timers (pauses)`;
    notes.push(
      `1: workflow history per delivery (sample of ${s.histories.hookline.sampled}): Hookline ${hs(s.histories.hookline)}; engine floor ${hs(s.histories.engine)}`,
    );
    const others = (d: CpuDelta) => fmt((100 * d.othersMs) / d.wallMs, 0);
    notes.push(
      `1: other processes on this machine took ${others(s.engine.cpu)} % / ${others(s.hookline.cpu)} % of a core during the engine floor / Hookline runs (noise)`,
    );
    notes.push(
      `1: of Hookline's CPU, after the last delivery arrived (the bench's deliveries.get confirmation reads, the last log writes): ` +
        Object.entries(s.hookline.confirmCpu.procs)
          .map(([name, x]) => `${name} ${fmt(x / s.n, 2)}`)
          .join(', ') +
        ' ms per delivery',
    );
    notes.push(
      `1: publish → receiver alone ${fmt(s.hookline.receivedPerSecond)}/s (${s.hookline.received}/${s.n} received); ` +
        `not 'done' by the deadline: ${s.hookline.notDone}; publish errors: ${s.hookline.errors.length}` +
        (s.hookline.errors[0] ? ` (${errorText(s.hookline.errors[0])})` : ''),
    );
  }
  const l = r.latency;
  if (l) {
    const head = `2 publish → receiver @ ${l.rate}/s open loop, ${l.seconds} s`;
    rows.push([
      `${head} p50`,
      ms(l.hookline.p50),
      `HTTP ${ms(l.http.p50)} · engine ${ms(l.engine.p50)} (start → activity)`,
      '≤ 50 ms',
      verdict(l.hookline.p50 <= 50 && l.hookline.received === l.hookline.n),
    ]);
    rows.push([
      `${head} p99`,
      ms(l.hookline.p99),
      `HTTP ${ms(l.http.p99)} · engine ${ms(l.engine.p99)}`,
      '≤ 250 ms',
      verdict(l.hookline.p99 <= 250 && l.hookline.received === l.hookline.n),
    ]);
    notes.push(
      `2: ${l.hookline.n} publishes${lost(l.hookline)}, errors ${l.hookline.errors.length}; floors ${l.http.n} each at the same rate`,
    );
  }
  const p = r.publishCall;
  if (p) {
    rows.push([
      `3 events.publish call p50 / p99, ${p.webhooks} matching webhooks, ${p.hookline.n} back to back`,
      lat(p.hookline),
      `HTTP POST ${lat(p.http)} · engine ${p.webhooks} starts at once ${lat(p.engine)}`,
      'p99 ≤ 20 ms',
      verdict(p.hookline.p99 <= 20 && p.hookline.errors.length === 0),
    ]);
    rows.push([
      `3 the same, one at a time on an idle stack (n=${p.isolated.n})`,
      lat(p.isolated),
      '',
      'p99 ≤ 20 ms',
      verdict(p.isolated.p99 <= 20),
    ]);
    notes.push(
      `3: ${p.hookline.n} of ${p.asked} sequential publishes made within BENCH_PUBLISH_MAX_S=${PUBLISH_MAX_S}, errors ${p.hookline.errors.length}; of their ${p.deliveries} deliveries ${p.arrivedAtEnd} had arrived when the calls ended, ` +
        `${p.arrivedAfterWait} after ${DRAIN_S} s more; clean-up terminated ${p.terminated} (still running ${p.stillRunning}); engine floor over ${p.engine.n} rounds`,
    );
  }
  const z = r.lanes;
  if (z) {
    const ratio = z.publish10.p50 / z.publish1.p50;
    rows.push([
      `10 events.publish p50 / p99, 10 webhooks (n=${z.publish10.n})`,
      lat(z.publish10),
      `1 webhook ${lat(z.publish1)} (same run, alternating) → ${fmt(ratio, 2)}× at p50`,
      'p50 ≤ 1.5× 1 webhook',
      verdict(ratio <= 1.5),
    ]);
    const t = z.temporalMsPerDelivery;
    rows.push([
      `10 Temporal server CPU per delivery, 10-webhook fan-out (${t.deliveries} deliveries)`,
      `${fmt(t.fanOut, 2)} ms`,
      `10 one-webhook publishes, a workflow per delivery (as before): ${fmt(t.perWebhook, 2)} ms`,
      'less than before',
      verdict(t.fanOut < t.perWebhook),
    ]);
    rows.push([
      `10 sustained deliveries/s, each event its own entity (n=${z.sustained.n})`,
      `plain ${fmt(z.sustained.plain)}/s`,
      `ordering 'entity' ${fmt(z.sustained.ordered)}/s · coalesce (quiet 1 s) ${fmt(z.sustained.coalesced)}/s`,
      '',
      '',
    ]);
    rows.push([
      `10 autosaves: ${z.autosave.entities} entities × ${z.autosave.saves} updates, coalesce ${z.autosave.coalesce.quietMs / 1000} s quiet`,
      `${z.autosave.sent} deliveries for ${z.autosave.published} events`,
      `${pct(z.autosave.sent / z.autosave.published)} of the events sent`,
      '',
      '',
    ]);
    rows.push([
      `10 release of ${fmtInt(z.release.events)} events to a digest webhook: answer → digest arrives`,
      ms(z.release.digestMs),
      `the publishBatch call itself ${ms(z.release.callMs)}`,
      '≤ 1 s',
      verdict(z.release.digestMs <= 1_000),
    ]);
  }
  const h = r.hanging;
  if (h) {
    const ratio = h.busy.p99 / h.idle.p99;
    rows.push([
      `4 ${h.healthy} healthy p99 beside ${fmtInt(h.hanging)} hanging (@ ${h.rate}/s)`,
      ms(h.busy.p99),
      `idle stack ${ms(h.idle.p99)} → ${fmt(ratio, 2)}× idle` +
        (l && l.rate === h.rate ? ` · floors at this rate: HTTP ${ms(l.http.p99)}, engine ${ms(l.engine.p99)}` : ''),
      '≤ 2× idle, all arrive',
      verdict(ratio <= 2 && h.busy.received === h.busy.n),
    ]);
    rows.push([
      `4 CPU over ${fmt(h.quiet.wallMs / 1000, 0)} s while ${fmtInt(h.hanging)} wait`,
      `${fmt((cpuTotal(h.quiet) / h.quiet.wallMs) * 100)}% of a core`,
      shares(h.quiet),
      'near idle (each ≤ idle + 5 %)',
      verdict(nearIdle(h.quiet, r.baseline)),
    ]);
    notes.push(
      `4: ${h.settled.settled ? 'quiet' : 'NOT quiet (bounded wait ended)'} ${fmt(h.settled.afterS)} s after the first hanging publish, then the window; ` +
        `CPU of the window in 5 s slices (all processes, % of a core): ${h.slices.map((d) => fmt((100 * cpuTotal(d)) / d.wallMs, 0)).join(' → ')}`,
    );
    notes.push(
      `4: ${h.busy.received}/${h.busy.n} healthy arrived${lost(h.busy)} (idle: ${h.idle.received}/${h.idle.n}); ` +
        `hanging endpoint held ${h.heldAtWindow} requests at the window (${h.hangingHits} requests in all); ` +
        `publishing ${fmtInt(h.hanging)} took ${fmt(h.publishMs / 1000)} s; scenario span ${fmt(h.spanS, 0)} s (< 60 s attempt timeout); ` +
        `clean-up terminated ${h.cleanup.terminated}, still running ${h.cleanup.stillRunning}`,
    );
  }
  const k = r.backoff;
  if (k) {
    const first = k.rssMb[0]!;
    const last = k.rssMb[k.rssMb.length - 1]!;
    const max = Math.max(...k.rssMb);
    const flat = max - first <= Math.max(10, 0.05 * first);
    rows.push([
      `5 RSS of this process over ${k.rssMb.length - 1} s, ${fmtInt(k.deliveries)} in backoff`,
      `${fmt(first, 0)} → ${fmt(last, 0)} MB`,
      `max ${fmt(max, 0)} MB`,
      'flat',
      verdict(flat),
    ]);
    rows.push([
      `5 CPU over the same ${fmt(k.window.wallMs / 1000, 0)} s`,
      `${fmt((cpuTotal(k.window) / k.window.wallMs) * 100)}% of a core`,
      shares(k.window),
      'near idle (each ≤ idle + 5 %)',
      verdict(nearIdle(k.window, r.baseline)),
    ]);
    const rate = s?.hookline.perSecond;
    notes.push(
      `5: ${fmtInt(k.deliveries)} deliveries = ${Math.ceil(k.deliveries / k.webhooks)} events × ${k.webhooks} webhooks, published in ${fmt(k.publishMs / 1000)} s; ` +
        `${k.settled ? 'quiet' : 'NOT quiet (bounded wait ended)'} ${fmt(k.settleS)} s after the first publish; ` +
        `${k.firstAttempts} distinct deliveries reached the 500 receiver (the rest paused by the circuit breaker or not yet tried); ` +
        `retries during the window ${k.retriesInWindow}` +
        (rate
          ? `; 10,000 first attempts at the sustained ${fmt(rate)}/s would take ~${fmt(10_000 / rate, 0)} s (BENCH_BACKOFF to change)`
          : ''),
    );
  }
  const f = r.flows;
  if (f) {
    rows.push([
      `7 flow call, async, answered p50 / p99 (n=${f.n}, one at a time)`,
      lat(f.async),
      `HTTP POST ${lat(f.http)}`,
      'p99 ≤ 50 ms',
      verdict(f.async.p99 <= 50 && f.async.errors.length === 0),
    ]);
    rows.push([
      `7 flow call, sync, one set step, answered p50 / p99`,
      lat(f.sync),
      `engine: start + result of a one-activity workflow ${lat(f.engine)}`,
      'p50 ≤ 100 ms',
      verdict(f.sync.p50 <= 100 && f.sync.errors.length === 0),
    ]);
    rows.push([
      `7 sync p50 / p99 while all ${f.outboundHeld.slots} outbound activity slots are held`,
      lat(f.syncBesideFullOutbound),
      `alone ${lat(f.sync)} → p50 ${fmt(f.syncBesideFullOutbound.p50 / f.sync.p50, 2)}×`,
      'not queued behind (≤ 2× alone)',
      verdict(f.syncBesideFullOutbound.errors.length === 0 && f.syncBesideFullOutbound.p50 <= 2 * f.sync.p50),
    ]);
    rows.push([
      `7 outbound publish → receiver p50 / p99 @ 5/s during a sync burst`,
      lat(f.outboundBesideSync),
      `alone ${lat(f.outboundAlone)} → p50 ${fmt(f.outboundBesideSync.p50 / f.outboundAlone.p50, 2)}×`,
      'all arrive',
      verdict(f.outboundBesideSync.received === f.outboundBesideSync.n),
    ]);
    notes.push(
      `7: ${f.outboundHeld.deliveries} deliveries to 30 endpoints that hold every request: ${f.outboundHeld.held} held at once (slots ${f.outboundHeld.slots}), the rest queued; the sync burst made ${f.syncBurst.calls} calls, ` +
        `${f.syncBurst.concurrency} at a time, in ${fmt(f.syncBurst.ms / 1000)} s (${fmt((f.syncBurst.calls * 1000) / f.syncBurst.ms)}/s), errors ${f.syncBurst.errors}; ` +
        `errors: async ${f.async.errors.length}, sync ${f.sync.errors.length}` +
        (f.sync.errors[0] ? ` (${errorText(f.sync.errors[0])})` : ''),
    );
  }
  if (s) {
    const per = (op: Map<string, number>) =>
      [...op]
        .sort((a, b) => b[1] - a[1])
        .map(([name, n]) => `${name} ${fmt(n / s.n, 2)}`)
        .join(', ');
    if (r.monitoring) {
      const w = s.dbOps.worker.total / s.n;
      rows.push([
        '6 DB commands per first-time-successful delivery, worker',
        fmt(w, 2),
        `API (publish) ${fmt(s.dbOps.api.total / s.n, 2)}`,
        '≤ 3 (README)',
        verdict(w <= 3),
      ]);
      const ferret = s.hookline.cpu.procs.ferretdb ?? s.hookline.cpu.procs.mongod;
      const cmds = s.dbOps.all;
      if (ferret !== undefined)
        notes.push(
          `6: database server CPU per command in the sustained phase: ${fmt(ferret / cmds, 2)} ms (${cmds} commands by API + worker, confirmation reads included)`,
        );
      notes.push(`6 worker: ${per(s.dbOps.worker.byOp)}`);
      notes.push(`6 API:    ${per(s.dbOps.api.byOp)}`);
    } else {
      rows.push(['6 DB commands per delivery', 'n/a', 'no command events (monitorCommands off)', '', 'n/a']);
    }
  }

  const iso = r.isolation;
  if (iso) {
    const within = (x: { arrived: number; seconds: number }) => x.arrived >= 30 && x.seconds <= 8;
    const arrived = (x: { arrived: number; seconds: number }) =>
      x.arrived >= 30 ? `${fmt(x.seconds)} s` : `${x.arrived}/30 in ${fmt(x.seconds, 0)} s`;
    rows.push([
      `9 30 deliveries beside a webhook holding ${iso.hanging} hanging, same host`,
      arrived(iso.sameHost),
      `another host ${arrived(iso.otherHost)}`,
      '30 of 30 ≤ 8 s',
      verdict(within(iso.sameHost) && within(iso.otherHost)),
    ]);
    rows.push([
      `9 project Y's 30 beside project X's ${fmtInt(iso.backlog)} on 20 webhooks, one host`,
      arrived(iso.projectsSameHost),
      `each webhook on its own host ${arrived(iso.projectsOwnHosts)}`,
      '30 of 30 ≤ 8 s',
      verdict(within(iso.projectsSameHost) && within(iso.projectsOwnHosts)),
    ]);
    notes.push(
      `9: X's deliveries done when Y's 30th arrived: ${iso.projectsSameHost.xDoneBefore} of ${iso.backlog} (one host), ` +
        `${iso.projectsOwnHosts.xDoneBefore} of ${iso.backlog} (own hosts)`,
    );
  }
  const sc = r.scaling;
  if (sc) {
    const calls = [
      ['events.publish (1 webhook)', 'publish'],
      ['deliveries.list', 'deliveriesList'],
      ['logs.list', 'logsList'],
      ['webhooks.list', 'webhooksList'],
    ] as const;
    for (const [name, key] of calls) {
      const ratio = sc.full[key] / sc.empty[key];
      rows.push([
        `8 ${name} p50 beside ${fmtInt(sc.projects)} projects × ${sc.webhooksPerProject} webhooks, full rings`,
        ms(sc.full[key]),
        `empty database ${ms(sc.empty[key])} → ${fmt(ratio, 2)}×`,
        '≤ 1.5×',
        verdict(ratio <= 1.5),
      ]);
    }
    notes.push(
      `8: seeded ${fmtInt(sc.seeded.webhooks)} webhooks, ${fmtInt(sc.seeded.deliveries)} deliveries and ${fmtInt(sc.seeded.logEntries)} log entries ` +
        `(rings of ${sc.ring}) through the driver in ${fmt(sc.seeded.seconds, 0)} s`,
    );
  }

  console.log(`\nHookline bench · ${os.cpus().length} cores · ${new Date().toISOString()} · ${fmt(elapsedS(), 0)} s`);
  if (r.settings) console.log(r.settings);
  console.log(table(['figure', 'Hookline', 'beside (floors, same run)', 'target', 'result'], rows));
  console.log('');
  for (const n of notes) console.log(n);

  if (s) {
    const procs = Object.keys(s.hookline.cpu.procs);
    const cpuRow = (name: string, t: Throughput & { cpu: CpuDelta }) => [
      name,
      ...procs.map((p) => fmt(t.cpu.procs[p]! / t.n, 2)),
      fmt(cpuTotal(t.cpu) / t.n, 2),
      fmt(t.cpu.othersMs / t.n, 2),
    ];
    console.log(`\nCPU ms per delivery, sustained phase (bench = this process: API + worker + load generator)`);
    console.log(
      table(
        ['', ...procs, 'total', 'rest of machine'],
        [
          cpuRow('HTTP floor (POST)', s.http),
          cpuRow('engine floor (workflow)', s.engine),
          cpuRow('Hookline', s.hookline),
        ],
      ),
    );
  }
  if (r.failures.length) {
    console.log('\nPhases that did not complete:');
    for (const f of r.failures) console.log(`  ${f}`);
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
