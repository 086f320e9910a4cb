import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { createTRPCClient, httpLink } from '@trpc/client';
import type { CommandStartedEvent } from 'mongodb';
import type { AppRouter } from '../src/api/router';
import { createApiServer } from '../src/api/server';
import { loadConfig } from '../src/config';
import { openDatabase, type AppDatabase } from '../src/database';
import { createLogger } from '../src/shared/logger';
import { createLiquidSandbox } from '../src/shared/templates/liquid';
import { startTracing } from '../src/tracing';
import { createWorkers, installTemporalRuntime } from '../src/worker';
import {
  freePort,
  provision,
  startDatabaseServer,
  startTemporalDevServer,
  type RunningServer,
} from '../temporal/servers';
import { CpuMeter } from './cpu';
import { EngineFloor } from './floors';
import { errorText, now, sleep, waitUntil } from './stats';

const TOKEN = 'bench-token-0123456789';

/** Counts the commands a driver connection issues (command monitoring), by `command collection`. */
export class CommandCounter {
  readonly byOp = new Map<string, number>();
  total = 0;

  constructor(private readonly db: AppDatabase) {
    db.conn.getClient().on('commandStarted', (e: CommandStartedEvent) => {
      if (IGNORED_COMMANDS.has(e.commandName)) return;
      const target = e.command[e.commandName] as unknown;
      const op = typeof target === 'string' ? `${e.commandName} ${target}` : e.commandName;
      this.byOp.set(op, (this.byOp.get(op) ?? 0) + 1);
      this.total++;
    });
  }

  /** Whether the driver emits events at all (it does only with monitorCommands on). */
  async works(): Promise<boolean> {
    const before = this.total;
    await this.db.conn.db!.collection('bench_monitor_probe').findOne({});
    return this.total > before;
  }

  snapshot(): { total: number; byOp: Map<string, number> } {
    return { total: this.total, byOp: new Map(this.byOp) };
  }

  static delta(a: ReturnType<CommandCounter['snapshot']>, b: ReturnType<CommandCounter['snapshot']>) {
    const byOp = new Map<string, number>();
    for (const [op, n] of b.byOp) if (n - (a.byOp.get(op) ?? 0) > 0) byOp.set(op, n - (a.byOp.get(op) ?? 0));
    return { total: b.total - a.total, byOp };
  }
}
const IGNORED_COMMANDS = new Set(['hello', 'isMaster', 'ismaster', 'ping', 'endSessions', 'buildInfo', 'saslStart']);

/**
 * Hookline as `npm start` runs it (API and worker), in this process, on servers started once for the whole
 * run, plus the engine floor's worker. The API and the worker each get a database connection of their own,
 * so that the commands each issues are counted apart.
 */
export async function startBench() {
  const uid = randomBytes(3).toString('hex');
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'hookline-bench-'));
  const servers: RunningServer[] = [];
  const closers: (() => Promise<unknown>)[] = [];
  const stop = async () => {
    for (const close of closers.reverse()) {
      await Promise.race([close().catch((err) => console.error(`[bench] stop: ${errorText(err)}`)), sleep(20_000)]);
    }
    await Promise.all(servers.map((s) => s.stop(5_000).catch(() => s.kill())));
    rmSync(tmp, { recursive: true, force: true });
  };

  try {
    const tools = await provision(['temporal', 'ferretdb']);
    const [tPort, mPort] = await Promise.all([freePort(), freePort()]);
    const started = await Promise.allSettled([
      startTemporalDevServer({ bin: tools.TEMPORAL_BIN!, port: tPort, namespace: 'default', quiet: true }),
      startDatabaseServer({ tools, port: mPort, dir: path.join(tmp, 'db'), quiet: true }),
    ]);
    for (const s of started) if (s.status === 'fulfilled') servers.push(s.value);
    for (const s of started) if (s.status === 'rejected') throw s.reason;

    const env = { ...process.env };
    for (const k of ['HTTPS_PROXY', 'HTTP_PROXY', 'NO_PROXY', 'https_proxy', 'http_proxy']) delete env[k];
    const config = loadConfig({
      // Any variable of the contract may be set to compare (ENDPOINT_MAX_IN_FLIGHT=…, CIRCUIT_…); these may not.
      ...env,
      NODE_ENV: 'production',
      ROLE: 'all',
      API_TOKENS: TOKEN,
      TEMPORAL_ADDRESS: `127.0.0.1:${tPort}`,
      TEMPORAL_NAMESPACE: 'default',
      TASK_QUEUE: `bench-hookline-${uid}`,
      FLOW_TASK_QUEUE: `bench-flows-${uid}`,
      MONGODB_URI: `mongodb://127.0.0.1:${mPort}/bench`,
      ALLOW_PRIVATE_TARGETS: 'true',
      LOG_LEVEL: 'error',
    });
    const logger = createLogger('error');
    installTemporalRuntime(logger);
    // Observability as a deployment has it: METRICS_ENABLED (default on: commands timed, /metrics scraped every
    // second below) and, with BENCH_TRACING=1, tracing to an OTLP collector on this machine that drops what it gets.
    const tracing = process.env.BENCH_TRACING === '1' ? await benchTracing(logger, closers) : undefined;
    const metrics = config.METRICS_ENABLED;
    process.stderr.write(
      `[bench] metrics ${metrics ? 'on (GET /metrics scraped every 1 s)' : 'off'}, tracing ${tracing ? 'on (OTLP to a local collector)' : 'off'}\n`,
    );

    // The driver emits command events only with monitorCommands on (figure 6 counts them).
    const apiDb = await openDatabase(config.MONGODB_URI, { monitorCommands: true, metrics });
    closers.push(() => apiDb.conn.close());
    const workerDb = await openDatabase(config.MONGODB_URI, { monitorCommands: true, metrics });
    closers.push(() => workerDb.conn.close());
    const commands = { api: new CommandCounter(apiDb), worker: new CommandCounter(workerDb) };
    const monitoring = (await commands.api.works()) && (await commands.worker.works());

    const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
    closers.push(() => connection.close());
    const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
    const nativeConnection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
    closers.push(() => nativeConnection.close());

    const liquid = createLiquidSandbox();
    closers.push(() => liquid.close());
    const floor = new EngineFloor(config, client, uid);
    const t0 = now();
    const [worker] = await Promise.all([
      createWorkers({ config, connection: nativeConnection, db: workerDb, logger, liquid, tracing }),
      floor.start(),
    ]);
    closers.push(() => floor.stop());
    process.stderr.write(`[bench] workers ready (workflows bundled) in ${((now() - t0) / 1000).toFixed(1)} s\n`);
    const running = worker.run();
    closers.push(async () => {
      worker.shutdown();
      await running;
    });

    // As `npm start` with ROLE=all: the API starts workflows over the worker's connection, eagerly.
    const apiClient = new Client({
      connection: nativeConnection,
      namespace: config.TEMPORAL_NAMESPACE,
      interceptors: tracing?.clientInterceptors,
    });
    const api = createApiServer({ config, db: apiDb, temporal: apiClient, logger, liquid, eagerStart: true });
    await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
    closers.push(async () => {
      api.closeAllConnections();
      await new Promise<void>((resolve) => api.close(() => resolve()));
    });
    const trpc = createTRPCClient<AppRouter>({
      links: [
        httpLink({
          url: `http://127.0.0.1:${(api.address() as AddressInfo).port}/trpc`,
          headers: { authorization: `Bearer ${TOKEN}` },
        }),
      ],
    });

    const cpu = new CpuMeter(Object.fromEntries(servers.map((s) => [s.name, s.child.pid])));
    const apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
    if (metrics) {
      // As Prometheus would: the whole exposition, every second, through the API's port.
      const scrape = setInterval(
        () =>
          void fetch(`${apiUrl}/metrics`).then(
            (r) => r.text(),
            () => '',
          ),
        1_000,
      );
      closers.push(async () => clearInterval(scrape));
    }
    return { uid, tmp, config, client, trpc, apiUrl, floor, commands, monitoring, cpu, servers, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

export type Bench = Awaited<ReturnType<typeof startBench>>;

// ---- Hookline through its public API ----

export interface WebhookOptions {
  contentTypes?: string[];
  retryPolicy?: {
    maximumAttempts?: number;
    initialIntervalMs?: number;
    backoffCoefficient?: number;
    maximumIntervalMs?: number;
    timeoutMs?: number;
  };
}

export async function createWebhook(b: Bench, projectId: string, url: string, o: WebhookOptions = {}) {
  const w = await b.trpc.webhooks.create.mutate({
    projectId,
    name: `bench ${projectId}`,
    url,
    triggers: [
      { entityType: 'record', actions: ['update'], ...(o.contentTypes ? { contentTypes: o.contentTypes } : {}) },
    ],
    ...(o.retryPolicy ? { retryPolicy: o.retryPolicy } : {}),
  });
  return w.id;
}

export function publish(b: Bench, projectId: string, eventId: string, contentType = 'product') {
  return b.trpc.events.publish.mutate({
    projectId,
    eventId,
    entityType: 'record',
    action: 'update',
    contentType,
    entity: { id: eventId, name: 'Premium pack', price: 500 },
  });
}

/**
 * Waits until deliveries.get says 'done' for every id (the log entry and status are written), checking the
 * newest first; returns how many were not done by the deadline.
 */
export async function confirmDone(b: Bench, projectId: string, ids: string[], timeoutMs: number): Promise<number> {
  // Pages `deliveries.list` (done, newest first) rather than reading each delivery: the check is the public
  // API's word that each was delivered and logged, at a few calls for the lot instead of one per delivery.
  const deadline = now() + timeoutMs;
  const wanted = new Set(ids);
  for (;;) {
    const done = new Set<string>();
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<typeof b.trpc.deliveries.list.query>> = await b.trpc.deliveries.list.query({
        projectId,
        status: 'done',
        limit: 100,
        cursor,
      });
      for (const d of page.items) if (wanted.has(d.id)) done.add(d.id);
      cursor = page.nextCursor;
    } while (cursor && done.size < wanted.size);
    if (done.size >= wanted.size || now() > deadline) return wanted.size - done.size;
    await sleep(50);
  }
}

/** Delivery workflows of a project still running (Temporal visibility, by the documented search attribute). */
export async function runningWorkflows(b: Bench, projectId: string): Promise<number> {
  const { count } = await b.client.workflow.count(`HooklineProjectId="${projectId}" AND ExecutionStatus="Running"`);
  return count;
}

/** Waits (bounded) until no delivery workflow of the project runs; returns how many still did. */
export async function drained(b: Bench, projectId: string, timeoutMs: number): Promise<number> {
  let left = NaN;
  await waitUntil(
    async () => {
      left = await runningWorkflows(b, projectId).catch(() => NaN);
      return left === 0;
    },
    timeoutMs,
    250,
  );
  return left;
}

/** Ends a project's delivery workflows that still run (clean-up between phases); returns how many it ended. */
export async function terminateAll(b: Bench, projectId: string): Promise<number> {
  let n = 0;
  for (let pass = 0; pass < 3; pass++) {
    const ended = await terminatePass(b, projectId);
    n += ended;
    if (ended === 0 || (await drained(b, projectId, 2_000)) === 0) break;
  }
  return n;
}

async function terminatePass(b: Bench, projectId: string): Promise<number> {
  let n = 0;
  const ids: string[] = [];
  for await (const w of b.client.workflow.list({
    query: `HooklineProjectId="${projectId}" AND ExecutionStatus="Running"`,
  })) {
    ids.push(w.workflowId);
  }
  let next = 0;
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next < ids.length) {
        const id = ids[next++]!;
        await b.client.workflow
          .getHandle(id)
          .terminate('bench clean-up')
          .then(() => n++)
          .catch(() => undefined);
      }
    }),
  );
  return n;
}

/** Events and timers in the histories of (up to) `sample` workflows: what each costs the engine. */
export async function historyShape(b: Bench, workflowIds: string[], sample = 40) {
  const step = Math.max(1, Math.floor(workflowIds.length / sample));
  const picked = workflowIds.filter((_, i) => i % step === 0).slice(0, sample);
  const events: number[] = [];
  const timers: number[] = [];
  const activities: number[] = [];
  for (const id of picked) {
    const history = await b.client.workflow
      .getHandle(id)
      .fetchHistory()
      .catch(() => undefined);
    if (!history?.events) continue;
    events.push(history.events.length);
    timers.push(history.events.filter((e) => e.timerStartedEventAttributes).length);
    activities.push(history.events.filter((e) => e.activityTaskScheduledEventAttributes).length);
  }
  const mean = (xs: number[]) => (xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : NaN);
  return {
    sampled: events.length,
    events: mean(events),
    maxEvents: Math.max(...events),
    timers: mean(timers),
    activities: mean(activities),
  };
}
export type HistoryShape = Awaited<ReturnType<typeof historyShape>>;

/** Tracing on, exporting to a collector on 127.0.0.1 that answers every export and keeps nothing. */
async function benchTracing(logger: ReturnType<typeof createLogger>, closers: (() => Promise<unknown>)[]) {
  const collector = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
  });
  await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise((resolve) => collector.close(resolve)));
  // The exporter reads its endpoint from the environment, as in a deployment.
  process.env.OTEL_EXPORTER_OTLP_ENDPOINT = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
  const tracing = startTracing(logger);
  if (tracing) closers.push(() => tracing.shutdown());
  return tracing;
}
