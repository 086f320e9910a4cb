import { CpuMeter, type CpuDelta } from '../cpu';
import { HttpFloor, type Throughput } from '../floors';
import { startReceiver } from '../receiver';
import {
  CommandCounter,
  confirmDone,
  createWebhook,
  drained,
  historyShape,
  publish,
  type Bench,
  type HistoryShape,
} from '../stack';
import { bounded, now, waitUntil } from '../stats';

export interface SustainedResult {
  n: number;
  concurrency: number;
  http: Throughput & { cpu: CpuDelta };
  engine: Throughput & { cpu: CpuDelta };
  hookline: Throughput & {
    cpu: CpuDelta;
    /** The part of `cpu` after the last delivery arrived: mostly the bench's own deliveries.get reads. */
    confirmCpu: CpuDelta;
    receivedPerSecond: number;
    received: number;
    notDone: number;
  };
  /** Commands per delivery, worker's connection and API's (publish only). */
  dbOps: {
    worker: ReturnType<typeof CommandCounter.delta>;
    api: ReturnType<typeof CommandCounter.delta>;
    /** Every command in the phase, the confirmation reads included. */
    all: number;
  };
  /** A sample of the workflow histories of each. */
  histories: { hookline: HistoryShape; engine: HistoryShape };
}

/**
 * Figure 1 (and 6): n deliveries fired `concurrency` at a time, publish → the receiver answered 2xx → the
 * delivery reads 'done' (its log entry written), beside n plain POSTs and n one-activity workflows.
 * The deliveries spread over webhooks of ≤ 200 deliveries each (each webhook keeps its newest
 * LOG_CAP_PER_WEBHOOK deliveries), all to one receiver, as a CMS's burst to one site would be.
 */
export async function sustained(b: Bench, n: number, concurrency: number, warmup: number): Promise<SustainedResult> {
  const receiver = await startReceiver();
  const httpFloor = new HttpFloor(receiver);
  const project = `sustain-${b.uid}`;
  const hooks = Math.max(1, Math.ceil((n + warmup) / 200));
  for (let k = 0; k < hooks; k++) await createWebhook(b, project, receiver.url, { contentTypes: [`ct${k}`] });
  const ct = (i: number) => `ct${i % hooks}`;

  // Warm-up of all three paths (JIT, connection pools, the worker's caches), not measured.
  await httpFloor.sustained(`warm-http-${b.uid}`, warmup, concurrency);
  await b.floor.sustained(`warm-${b.uid}`, warmup, concurrency, 30_000);
  await bounded(warmup, concurrency, async (i) => void (await publish(b, project, `warm-${b.uid}-${i}`, ct(i))));
  await waitUntil(() => receiver.byDelivery.size >= warmup, 30_000);
  await drained(b, project, 30_000);

  const http = await b.cpu.measure(() => httpFloor.sustained(`http-${b.uid}`, n, concurrency));
  const engine = await b.cpu.measure(() => b.floor.sustained(`sust-${b.uid}`, n, concurrency, 120_000));

  const received0 = receiver.byDelivery.size;
  const ids: string[] = [];
  const workflowIds: string[] = [];
  const cpu0 = b.cpu.snapshot();
  const worker0 = b.commands.worker.snapshot();
  const api0 = b.commands.api.snapshot();
  const t0 = now();
  const errors = await bounded(n, concurrency, async (i) => {
    const r = await publish(b, project, `sust-${b.uid}-${i}`, ct(i));
    ids.push(...r.deliveries.map((d) => d.id));
    workflowIds.push(...r.deliveries.map((d) => d.workflowId));
  });
  const api1 = b.commands.api.snapshot();
  await waitUntil(() => receiver.byDelivery.size - received0 >= n, 120_000);
  const tReceived = now();
  const cpuReceived = b.cpu.snapshot();
  const received = receiver.byDelivery.size - received0;
  const notDone = await confirmDone(b, project, ids, 60_000);
  const ms = now() - t0;
  const cpuEnd = b.cpu.snapshot();
  const cpu = CpuMeter.delta(cpu0, cpuEnd);
  const confirmCpu = CpuMeter.delta(cpuReceived, cpuEnd);
  const worker1 = b.commands.worker.snapshot();
  const api2 = b.commands.api.snapshot();
  await httpFloor.close();
  await receiver.close();
  const histories = {
    hookline: await historyShape(b, workflowIds),
    engine: await historyShape(
      b,
      Array.from({ length: n }, (_, i) => b.floor.workflowId(`sust-${b.uid}-${i}`)),
    ),
  };

  return {
    n,
    concurrency,
    http: { ...http.result, cpu: http.cpu },
    engine: { ...engine.result, cpu: engine.cpu },
    hookline: {
      n,
      ms,
      perSecond: (n * 1000) / ms,
      errors,
      cpu,
      confirmCpu,
      received,
      receivedPerSecond: (received * 1000) / (tReceived - t0),
      notDone,
    },
    dbOps: {
      worker: CommandCounter.delta(worker0, worker1),
      api: CommandCounter.delta(api0, api1),
      all: worker1.total - worker0.total + api2.total - api0.total,
    },
    histories,
  };
}
