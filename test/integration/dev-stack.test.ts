import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { freePort } from '../../temporal/servers';
import { startReceiver, type Receiver } from '../helpers/receiver';

/**
 * `npm run dev` as a user runs it: one command starts Temporal (with its Web UI), the database, the worker
 * and the API and prints the ready line; Ctrl-C stops every child; a second start keeps what was stored.
 */
describe('npm run dev', () => {
  const root = path.resolve(__dirname, '../..');
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'hookline-dev-'));
  let ports: Record<'API_PORT' | 'TEMPORAL_PORT' | 'TEMPORAL_UI_PORT' | 'MONGO_PORT', number>;
  let dev: ChildProcess | undefined;
  let receiver: Receiver;

  beforeAll(async () => {
    const [a, t, u, m] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
    ports = { API_PORT: a, TEMPORAL_PORT: t, TEMPORAL_UI_PORT: u, MONGO_PORT: m };
    receiver = await startReceiver();
  });
  afterAll(async () => {
    if (dev && dev.exitCode === null) {
      process.kill(-dev.pid!, 'SIGINT');
      await new Promise((r) => dev!.once('exit', r));
    }
    await receiver?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function startDev(): Promise<{ readyLine: string; exited: Promise<number | null> }> {
    const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'warn' };
    for (const k of ['TEMPORAL_ADDRESS', 'MONGODB_URI', 'API_TOKENS', 'NODE_ENV', 'API_HOST']) delete env[k];
    for (const [k, v] of Object.entries(ports)) env[k] = String(v);
    // A process group of its own, so that Ctrl-C can be sent to the whole group, as a terminal does.
    dev = spawn('bash', ['temporal/dev.sh'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const exited = new Promise<number | null>((resolve) => dev!.once('exit', resolve));
    let out = '';
    let err = '';
    dev.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-5000)));
    const readyLine = await new Promise<string>((resolve, reject) => {
      dev!.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const line = out.split('\n').find((l) => l.startsWith('Hookline ready'));
        if (line) resolve(line);
      });
      void exited.then((code) => reject(new Error(`npm run dev exited (${code}) before it was ready:\n${err}`)));
    });
    return { readyLine, exited };
  }

  async function stopDev(exited: Promise<number | null>): Promise<void> {
    process.kill(-dev!.pid!, 'SIGINT'); // Ctrl-C
    expect(await exited).toBe(0);
    for (const port of Object.values(ports)) expect(await listening(port)).toBe(false);
  }

  const api = (p: string, init?: RequestInit) =>
    fetch(`http://127.0.0.1:${ports.API_PORT}/trpc/${p}`, {
      ...init,
      headers: { authorization: 'Bearer dev-token', 'content-type': 'application/json' },
    }).then(async (r) => ({ status: r.status, body: (await r.json()) as { result: { data: any } } }));

  it('starts the whole stack, stops it with Ctrl-C, and keeps everything across a restart', async () => {
    const first = await startDev();
    expect(first.readyLine).toContain(`http://127.0.0.1:${ports.API_PORT}`);
    expect(first.readyLine).toContain(`http://127.0.0.1:${ports.TEMPORAL_UI_PORT}`);
    expect((await fetch(`http://127.0.0.1:${ports.TEMPORAL_UI_PORT}/`)).status).toBe(200);

    const created = await api('webhooks.create', {
      method: 'POST',
      body: JSON.stringify({
        projectId: 'dev',
        name: 'local',
        url: receiver.url,
        triggers: [{ entityType: 'record', actions: ['publish'] }],
      }),
    });
    expect(created.status).toBe(200);
    const webhookId: string = created.body.result.data.id;
    const published = await api('events.publish', {
      method: 'POST',
      body: JSON.stringify({
        projectId: 'dev',
        entityType: 'record',
        action: 'publish',
        contentType: 'page',
        entity: { id: 'home' },
      }),
    });
    const delivery = published.body.result.data.deliveries[0];
    await receiver.waitFor(1);

    // What the Web UI lists: the delivery workflow, found by Hookline's search attribute.
    const connection = await Connection.connect({ address: `127.0.0.1:${ports.TEMPORAL_PORT}` });
    const temporal = new Client({ connection });
    const listed = async () => {
      const ids: string[] = [];
      for await (const wf of temporal.workflow.list({ query: `HooklineWebhookId = "${webhookId}"` }))
        ids.push(wf.workflowId);
      return ids;
    };
    await waitUntil(async () => (await listed()).length > 0);
    expect(await listed()).toEqual([delivery.workflowId]);
    await temporal.workflow.getHandle(delivery.workflowId).result();
    await connection.close();

    await stopDev(first.exited);

    const second = await startDev();
    expect(second.readyLine).toMatch(/^Hookline ready/);
    const input = encodeURIComponent(JSON.stringify({ projectId: 'dev', id: delivery.id }));
    const kept = await api(`deliveries.get?input=${input}`);
    expect(kept.body.result.data).toMatchObject({ id: delivery.id, webhookId, status: 'done', attempts: 1 });
    const again = await Connection.connect({ address: `127.0.0.1:${ports.TEMPORAL_PORT}` });
    const history = await new Client({ connection: again }).workflow.getHandle(delivery.workflowId).fetchHistory();
    expect(history.events?.length).toBeGreaterThan(5);
    await again.close();

    // Kill every process (SIGKILL to the whole group) while a delivery is between retries; start again.
    let failing = true;
    const flaky = await startReceiver(() => (failing ? { status: 500 } : { status: 200 }));
    try {
      const retrying = await api('webhooks.create', {
        method: 'POST',
        body: JSON.stringify({
          projectId: 'dev',
          name: 'flaky',
          url: flaky.url,
          triggers: [{ entityType: 'record', actions: ['update'] }],
          retryPolicy: { initialIntervalMs: 2_000, backoffCoefficient: 1 },
        }),
      });
      const event = await api('events.publish', {
        method: 'POST',
        body: JSON.stringify({ projectId: 'dev', entityType: 'record', action: 'update', entity: { id: 'home' } }),
      });
      const pending = event.body.result.data.deliveries[0];
      await flaky.waitFor(1);
      process.kill(-dev!.pid!, 'SIGKILL');
      await second.exited;
      failing = false;

      const third = await startDev();
      expect(third.readyLine).toMatch(/^Hookline ready/);
      await flaky.waitFor(2);
      const done = async () => {
        const q = encodeURIComponent(JSON.stringify({ projectId: 'dev', id: pending.id }));
        return (await api(`deliveries.get?input=${q}`)).body.result.data;
      };
      await waitUntil(async () => (await done()).status === 'done', 60_000);
      expect(await done()).toMatchObject({ status: 'done', lastStatusCode: 200 });
      expect(new Set(flaky.requests.map((r) => r.headers['webhook-id']))).toEqual(new Set([pending.id]));
      const q = encodeURIComponent(JSON.stringify({ projectId: 'dev', webhookId: retrying.body.result.data.id }));
      const logs = (await api(`logs.list?input=${q}`)).body.result.data.items as { status: string }[];
      expect(logs[0]!.status).toBe('done');
      expect(logs.filter((l) => l.status === 'pending')).toEqual([]);
      await stopDev(third.exited);
    } finally {
      await flaky.close();
    }
  }, 240_000);
});

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 200));
  }
}
