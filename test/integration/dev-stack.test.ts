import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { freePort } from '../../temporal/servers';
import { startReceiver, type Receiver } from '../helpers/receiver';

/**
 * `npm run dev` as a user runs it: one command starts Temporal (with its Web UI), the database, the worker
 * and the API and prints the ready line; Ctrl-C stops every child; a second start keeps what was stored.
 *
 * However it is stopped (Ctrl-C to the terminal's process group, a second Ctrl-C, SIGTERM to the app alone,
 * SIGKILL to `npm run dev` alone or to every process), every process it started ends and no port is left
 * open. The processes are found by walking /proc from the `npm run dev` process once the stack is ready, so
 * the check covers whatever it started, not only what it says it started.
 */
describe('npm run dev', () => {
  const root = path.resolve(__dirname, '../..');
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'hookline-dev-'));
  let ports: Record<'API_PORT' | 'TEMPORAL_PORT' | 'TEMPORAL_UI_PORT' | 'MONGO_PORT', number>;
  let receiver: Receiver;
  const devs: ChildProcess[] = [];
  const seen: Proc[] = [];

  beforeAll(async () => {
    const [a, t, u, m] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
    ports = { API_PORT: a, TEMPORAL_PORT: t, TEMPORAL_UI_PORT: u, MONGO_PORT: m };
    receiver = await startReceiver();
  });
  afterAll(async () => {
    // A failed test must not leave a stack behind for the next one.
    for (const dev of devs) if (dev.exitCode === null && dev.signalCode === null) dev.kill('SIGKILL');
    for (const p of seen) if (running(p)) process.kill(p.pid, 'SIGKILL');
    await receiver?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  interface Dev {
    child: ChildProcess;
    pid: number;
    readyLine: string;
    exited: Promise<number | null>;
    /** Every process under `npm run dev` once it was ready. */
    procs: Proc[];
    stderr(): string;
  }

  async function startDev(): Promise<Dev> {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      // A burst's deliveries to one receiver are all in flight at once, none waiting for a place.
      ENDPOINT_MAX_IN_FLIGHT: '50',
    };
    for (const k of ['TEMPORAL_ADDRESS', 'MONGODB_URI', 'API_TOKENS', 'NODE_ENV', 'API_HOST']) delete env[k];
    for (const [k, v] of Object.entries(ports)) env[k] = String(v);
    // A process group of its own, so that Ctrl-C can be sent to the whole group, as a terminal does.
    const child = spawn('bash', ['temporal/dev.sh'], {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    devs.push(child);
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    let out = '';
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-20_000)));
    const readyLine = await new Promise<string>((resolve, reject) => {
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const line = out.split('\n').find((l) => l.startsWith('Hookline ready'));
        if (line) resolve(line);
      });
      void exited.then((code) => reject(new Error(`npm run dev exited (${code}) before it was ready:\n${err}`)));
    });
    const procs = processTree(child.pid!);
    seen.push(...procs);
    // What the walk must have found (dev.sh execs node, so the dev process is temporal/dev.ts itself).
    for (const what of ['temporal/dev.ts', 'src/main.ts', 'temporal server start-dev', 'ferretdb'])
      expect(procs.map((p) => p.args).join('\n')).toContain(what);
    return { child, pid: child.pid!, readyLine, exited, procs, stderr: () => err };
  }

  /** Every process of the stack has ended (within a bound, so that a hang fails the test) and no port is open. */
  async function expectAllGone(dev: Dev): Promise<void> {
    await waitUntil(
      async () => dev.procs.every((p) => !running(p)),
      60_000,
      () => {
        const left = dev.procs.filter(running).map((p) => `${p.pid} ${p.args}`);
        return `still running:\n${left.join('\n')}\n--- npm run dev stderr ---\n${dev.stderr()}`;
      },
    );
    let open: string[] = [];
    const noneOpen = async () => {
      const found = await Promise.all(Object.entries(ports).map(async ([k, v]) => ((await listening(v)) ? k : '')));
      open = found.filter(Boolean);
      return open.length === 0;
    };
    await waitUntil(noneOpen, 10_000, () => `still listening: ${open.join(', ')}`);
  }

  function pidOf(dev: Dev, what: string): number {
    const p = dev.procs.find((q) => q.args.includes(what));
    if (!p) throw new Error(`no ${what} in the stack`);
    return p.pid;
  }

  const api = (p: string, init?: RequestInit) =>
    fetch(`http://127.0.0.1:${ports.API_PORT}/trpc/${p}`, {
      ...init,
      headers: { authorization: 'Bearer dev-token', 'content-type': 'application/json' },
    }).then(async (r) => ({ status: r.status, body: (await r.json()) as { result: { data: any } } }));
  const post = (p: string, input: unknown) => api(p, { method: 'POST', body: JSON.stringify(input) });

  it('starts the whole stack, stops it with Ctrl-C right after a burst, and keeps everything across a restart and a crash', async () => {
    const first = await startDev();
    expect(first.readyLine).toContain(`http://127.0.0.1:${ports.API_PORT}`);
    expect(first.readyLine).toContain(`http://127.0.0.1:${ports.TEMPORAL_UI_PORT}`);
    expect(first.readyLine).toContain(`activity page http://127.0.0.1:${ports.API_PORT}/ui`);
    expect((await fetch(`http://127.0.0.1:${ports.TEMPORAL_UI_PORT}/`)).status).toBe(200);

    const created = await post('webhooks.create', {
      projectId: 'dev',
      name: 'local',
      url: receiver.url,
      triggers: [{ entityType: 'record', actions: ['publish'] }],
    });
    expect(created.status).toBe(200);
    const webhookId: string = created.body.result.data.id;
    const published = await post('events.publish', {
      projectId: 'dev',
      entityType: 'record',
      action: 'publish',
      contentType: 'page',
      entity: { id: 'home' },
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

    // A burst of deliveries to a receiver that answers after a second, and Ctrl-C while they are in flight:
    // the app stops first, so its worker reports them to a Temporal server that is still there.
    let firstArrived!: () => void;
    const arrived = new Promise<void>((resolve) => (firstArrived = resolve));
    const slow = await startReceiver(async () => {
      firstArrived();
      await new Promise((r) => setTimeout(r, 1_000));
      return { status: 200 };
    });
    try {
      await post('webhooks.create', {
        projectId: 'burst',
        name: 'slow',
        url: slow.url,
        triggers: [{ entityType: 'record', actions: ['update'] }],
      });
      const burst = await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          post('events.publish', {
            projectId: 'burst',
            entityType: 'record',
            action: 'update',
            entity: { id: `r${i}` },
          }),
        ),
      );
      const burstWorkflows: string[] = burst.map((r) => r.body.result.data.deliveries[0].workflowId);
      await arrived;
      process.kill(-first.pid, 'SIGINT'); // Ctrl-C
      expect(await first.exited).toBe(0);
      await expectAllGone(first);
      // The app stopped on its own, cleanly, within its deadline: not killed, not cut short.
      expect(first.stderr()).toContain('[dev] hookline exited (code 0)');

      const second = await startDev();
      expect(second.readyLine).toMatch(/^Hookline ready/);
      const input = encodeURIComponent(JSON.stringify({ projectId: 'dev', id: delivery.id }));
      const kept = await api(`deliveries.get?input=${input}`);
      expect(kept.body.result.data).toMatchObject({ id: delivery.id, webhookId, status: 'done', attempts: 1 });
      const again = await Connection.connect({ address: `127.0.0.1:${ports.TEMPORAL_PORT}` });
      const client = new Client({ connection: again });
      const history = await client.workflow.getHandle(delivery.workflowId).fetchHistory();
      expect(history.events?.length).toBeGreaterThan(5);
      // Every delivery of the burst ends, and none was sent twice: those in flight at Ctrl-C were reported.
      await Promise.all(burstWorkflows.map((id) => client.workflow.getHandle(id).result()));
      await again.close();
      expect(slow.requests).toHaveLength(30);
      expect(new Set(slow.requests.map((r) => r.headers['webhook-id'])).size).toBe(30);

      await crashAndRestart(second);
    } finally {
      await slow.close();
    }
  }, 300_000);

  /** Every process killed with SIGKILL while a delivery is between retries; a new start on the same data. */
  async function crashAndRestart(dev: Dev): Promise<void> {
    let failing = true;
    const flaky = await startReceiver(() => (failing ? { status: 500 } : { status: 200 }));
    try {
      const retrying = await post('webhooks.create', {
        projectId: 'dev',
        name: 'flaky',
        url: flaky.url,
        triggers: [{ entityType: 'record', actions: ['update'] }],
        retryPolicy: { initialIntervalMs: 2_000, backoffCoefficient: 1 },
      });
      const event = await post('events.publish', {
        projectId: 'dev',
        entityType: 'record',
        action: 'update',
        entity: { id: 'home' },
      });
      const pending = event.body.result.data.deliveries[0];
      await flaky.waitFor(1);
      for (const p of dev.procs) process.kill(p.pid, 'SIGKILL');
      await dev.exited;
      await expectAllGone(dev);
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

      process.kill(-third.pid, 'SIGINT'); // Ctrl-C, on a stack restarted after a crash
      expect(await third.exited).toBe(0);
      await expectAllGone(third);
    } finally {
      await flaky.close();
    }
  }

  it('stops the whole stack when the app alone gets SIGTERM', async () => {
    const dev = await startDev();
    process.kill(pidOf(dev, 'src/main.ts'), 'SIGTERM');
    expect(await dev.exited).toBe(0);
    await expectAllGone(dev);
    expect(dev.stderr()).toContain('[dev] hookline exited (code 0); stopping the stack');
  }, 120_000);

  it('leaves nothing running when npm run dev alone is killed with SIGKILL', async () => {
    const dev = await startDev();
    process.kill(dev.pid, 'SIGKILL');
    await dev.exited;
    await expectAllGone(dev);
  }, 120_000);

  it('kills everything at once on a second Ctrl-C, while the app is still waiting for a request in flight', async () => {
    const dev = await startDev();
    const hanging = await startReceiver(() => 'hang');
    try {
      await post('webhooks.create', {
        projectId: 'hang',
        name: 'never answers',
        url: hanging.url,
        triggers: [{ entityType: 'record', actions: ['delete'] }],
      });
      await post('events.publish', { projectId: 'hang', entityType: 'record', action: 'delete', entity: { id: 'x' } });
      await hanging.waitFor(1);
      process.kill(-dev.pid, 'SIGINT');
      // The app waits its grace time for the request; dev.ts says it is stopping, and a second Ctrl-C ends it.
      await waitUntil(async () => dev.stderr().includes('[dev] stopping'));
      process.kill(-dev.pid, 'SIGINT');
      expect(await dev.exited).toBe(130);
      await expectAllGone(dev);
      expect(dev.stderr()).toContain('SIGINT again: killing every process');
    } finally {
      await hanging.close();
    }
  }, 120_000);
});

interface Proc {
  pid: number;
  ppid: number;
  /** Field 22 of /proc/<pid>/stat: with the pid, it names one process even if the pid is used again. */
  startTime: string;
  args: string;
}

function readProc(pid: number): (Proc & { state: string }) | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // After "pid (comm) ": state, ppid, pgrp, … starttime is the 20th field from there.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
    return { pid, state: fields[0]!, ppid: Number(fields[1]), startTime: fields[19]!, args };
  } catch {
    return undefined;
  }
}

/** `root` and every process under it, however far down. */
function processTree(root: number): Proc[] {
  const all = readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map((d) => readProc(Number(d)))
    .filter((p): p is Proc & { state: string } => p !== undefined && p.state !== 'Z');
  const tree = all.filter((p) => p.pid === root);
  for (let i = 0; i < tree.length; i++) tree.push(...all.filter((p) => p.ppid === tree[i]!.pid));
  return tree.map(({ pid, ppid, startTime, args }) => ({ pid, ppid, startTime, args }));
}

/**
 * Alive, and still the same process. A zombie has exited (the init of a container may never reap it), once its
 * other threads have: the main thread of a multi-threaded process is a zombie before the process has closed
 * its files and sockets.
 */
function running(p: Proc): boolean {
  try {
    process.kill(p.pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
  }
  const now = readProc(p.pid);
  if (now === undefined || now.startTime !== p.startTime) return false;
  if (now.state !== 'Z') return true;
  try {
    return readdirSync(`/proc/${p.pid}/task`).length > 1;
  } catch {
    return false;
  }
}

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

async function waitUntil(check: () => Promise<boolean>, timeoutMs = 20_000, explain?: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met in time${explain ? `: ${explain()}` : ''}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
