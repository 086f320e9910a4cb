import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { createTRPCClient, httpLink } from '@trpc/client';
import { request } from 'undici';
import type { AppRouter } from '../src/api/router';
import { createApiServer } from '../src/api/server';
import { loadConfig } from '../src/config';
import { connectDatabase } from '../src/db/mongo';
import { createLogger } from '../src/logger';
import { createWorker, installTemporalRuntime } from '../src/worker';
import { freePort, provision, startDatabaseServer, startTemporalDevServer } from '../temporal/servers';

/**
 * `npm run bench`: what Hookline adds on top of a plain HTTP POST to the same receiver, measured in the same
 * run on the same machine, so the printed ratios compare like with like. Sequential latency (publish → the
 * receiver has it) and a burst of concurrent events (publish all → the receiver has all).
 */
const SEQUENTIAL = Number(process.env.BENCH_SEQUENTIAL ?? 30);
const BURST = Number(process.env.BENCH_BURST ?? 200);

async function main() {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'hookline-bench-'));
  const tools = await provision(['temporal', 'ferretdb']);
  const [tPort, mPort] = await Promise.all([freePort(), freePort()]);
  const servers = await Promise.all([
    startTemporalDevServer({ bin: tools.TEMPORAL_BIN!, port: tPort, namespace: 'default', quiet: true }),
    startDatabaseServer({ tools, port: mPort, dir: path.join(tmp, 'db'), quiet: true }),
  ]);
  const config = loadConfig({
    API_TOKENS: 'bench-token-123',
    TEMPORAL_ADDRESS: `127.0.0.1:${tPort}`,
    MONGODB_URI: `mongodb://127.0.0.1:${mPort}/bench`,
    ALLOW_PRIVATE_TARGETS: 'true',
    LOG_LEVEL: 'error',
    // BENCH_ENDPOINT_MAX_IN_FLIGHT=… compares the concurrency limit's cost on a burst to one endpoint.
    ENDPOINT_MAX_IN_FLIGHT: process.env.BENCH_ENDPOINT_MAX_IN_FLIGHT ?? '10',
  });
  const logger = createLogger('error');
  installTemporalRuntime(logger);
  const db = await connectDatabase(config.MONGODB_URI);
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  const nativeConnection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  const worker = await createWorker({ config, connection: nativeConnection, db, logger });
  const workerRun = worker.run();
  const api = createApiServer({ config, db, temporal: new Client({ connection }), logger });
  await new Promise<void>((r) => api.listen(0, '127.0.0.1', r));
  const trpc = createTRPCClient<AppRouter>({
    links: [
      httpLink({
        url: `http://127.0.0.1:${(api.address() as AddressInfo).port}/trpc`,
        headers: { authorization: 'Bearer bench-token-123' },
      }),
    ],
  });

  // The receiver resolves a waiter per event id as requests arrive.
  const waiters = new Map<string, () => void>();
  const receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      res.writeHead(200).end();
      const id = (JSON.parse(body) as { eventId?: string }).eventId;
      if (id) waiters.get(id)?.();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  const arrived = (id: string) => new Promise<void>((resolve) => waiters.set(id, resolve));

  await trpc.webhooks.create.mutate({
    projectId: 'bench',
    name: 'bench',
    url,
    triggers: [{ entityType: 'record', actions: ['update'] }],
  });
  const publish = (eventId: string) =>
    trpc.events.publish.mutate({
      projectId: 'bench',
      eventId,
      entityType: 'record',
      action: 'update',
      entity: { id: eventId },
    });
  const direct = async (eventId: string) => {
    const done = arrived(eventId);
    const res = await request(url, { method: 'POST', body: JSON.stringify({ eventId }) });
    await res.body.dump();
    await done;
  };
  const viaHookline = async (eventId: string) => {
    const done = arrived(eventId);
    await publish(eventId);
    await done;
  };

  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const timeEach = async (n: number, prefix: string, fn: (id: string) => Promise<void>) => {
    const times: number[] = [];
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      await fn(`${prefix}-${i}`);
      times.push(performance.now() - t0);
    }
    return median(times);
  };
  const timeBurst = async (n: number, prefix: string, fn: (id: string) => Promise<void>) => {
    const t0 = performance.now();
    await Promise.all(Array.from({ length: n }, (_, i) => fn(`${prefix}-${i}`)));
    return performance.now() - t0;
  };

  await timeEach(5, 'warm-direct', direct);
  await timeEach(5, 'warm-hookline', viaHookline);
  const baseLatency = await timeEach(SEQUENTIAL, 'direct', direct);
  const hookLatency = await timeEach(SEQUENTIAL, 'seq', viaHookline);
  const baseBurst = await timeBurst(BURST, 'burst-direct', direct);
  const hookBurst = await timeBurst(BURST, 'burst', viaHookline);

  const row = (what: string, base: number, ours: number, unit: string) =>
    console.log(
      `${what.padEnd(44)} baseline ${base.toFixed(1).padStart(8)} ${unit}  hookline ${ours.toFixed(1).padStart(8)} ${unit}  ratio ${(ours / base).toFixed(1)}x`,
    );
  console.log(`Hookline bench (${os.cpus().length} cores); baseline = a direct undici POST to the same receiver`);
  row(`median latency, publish → received (n=${SEQUENTIAL})`, baseLatency, hookLatency, 'ms');
  row(`burst of ${BURST} events, all received`, baseBurst, hookBurst, 'ms');
  console.log(`burst throughput: ${((BURST / hookBurst) * 1000).toFixed(0)} deliveries/s`);

  receiver.close();
  api.close();
  worker.shutdown();
  await workerRun;
  await nativeConnection.close();
  await connection.close();
  await db.conn.close();
  await Promise.all(servers.map((s) => s.stop()));
  rmSync(tmp, { recursive: true, force: true });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
