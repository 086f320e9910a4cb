import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, provision, startDatabaseServer, type RunningServer } from '../../temporal/servers';
import { testEnv } from '../helpers/env';
import { testDatabaseUri } from '../helpers/db';
import { startReceiver, type Receiver } from '../helpers/receiver';

/**
 * `npm start` (src/main.ts) stopped by a signal while a delivery is in flight: a second signal ends it at
 * once, and the stop ends by its deadline even when a server it waits for never answers again (what left it
 * running for minutes, deaf to SIGTERM, when Ctrl-C had stopped the servers first).
 */
describe('src/main.ts on SIGINT and SIGTERM', () => {
  const root = path.resolve(__dirname, '../..');
  const token = 'shutdown-token-0123';
  const apps: ChildProcess[] = [];
  let receiver: Receiver;

  beforeAll(async () => {
    receiver = await startReceiver(() => 'hang');
  });
  afterAll(async () => {
    for (const app of apps) if (app.exitCode === null && app.signalCode === null) app.kill('SIGKILL');
    await receiver?.close();
  });

  interface App {
    child: ChildProcess;
    exited: Promise<number | null>;
    stdout(): string;
    /** Resolves once stdout has a log line with this message. */
    logged(msg: string): Promise<void>;
    post(procedure: string, input: unknown): Promise<any>;
  }

  async function startApp(mongoUri: string): Promise<App> {
    const port = await freePort();
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      ROLE: 'all',
      API_HOST: '127.0.0.1',
      API_PORT: String(port),
      API_TOKENS: token,
      TEMPORAL_ADDRESS: testEnv('temporalAddress'),
      MONGODB_URI: mongoUri,
      TASK_QUEUE: `shutdown-${randomBytes(6).toString('hex')}`,
      ALLOW_PRIVATE_TARGETS: 'true',
      LOG_LEVEL: 'info',
    };
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    apps.push(child);
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    let out = '';
    let err = '';
    const waiters: { msg: string; resolve: () => void }[] = [];
    const has = (msg: string) => out.includes(`"msg":"${msg}"`);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      for (const w of waiters.filter((w) => has(w.msg))) w.resolve();
    });
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    const logged = (msg: string) =>
      has(msg)
        ? Promise.resolve()
        : new Promise<void>((resolve, reject) => {
            waiters.push({ msg, resolve });
            void exited.then((code) => reject(new Error(`exited (${code}) before logging "${msg}":\n${out}\n${err}`)));
          });
    await logged('API listening');
    const post = async (procedure: string, input: unknown) => {
      const res = await fetch(`http://127.0.0.1:${port}/trpc/${procedure}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(input),
      });
      expect(res.status).toBe(200);
      return ((await res.json()) as { result: { data: any } }).result.data;
    };
    return { child, exited, stdout: () => out, logged, post };
  }

  /** A delivery whose request hangs: the worker has an activity in flight. */
  async function deliveryInFlight(app: App, projectId: string): Promise<void> {
    const before = receiver.requests.length;
    await app.post('webhooks.create', {
      projectId,
      name: 'never answers',
      url: receiver.url,
      triggers: [{ entityType: 'record', actions: ['create'] }],
    });
    await app.post('events.publish', { projectId, entityType: 'record', action: 'create', entity: { id: 'x' } });
    await receiver.waitFor(before + 1);
  }

  it('exits at once, with 130, on a second signal while the first stop waits for a request in flight', async () => {
    const app = await startApp(testDatabaseUri(`shutdown-${randomBytes(4).toString('hex')}`));
    await deliveryInFlight(app, 'second-signal');
    app.child.kill('SIGTERM');
    await app.logged('shutting down');
    app.child.kill('SIGINT');
    expect(await app.exited).toBe(130);
    expect(app.stdout()).toContain('"msg":"stopping again: exiting at once"');
  });

  describe('when its database stops answering', () => {
    let tmp: string;
    let db: RunningServer | undefined;
    let dbPort: number;
    beforeAll(async () => {
      tmp = mkdtempSync(path.join(os.tmpdir(), 'hookline-shutdown-'));
      const tools = await provision(['ferretdb']);
      dbPort = await freePort();
      db = await startDatabaseServer({ tools, port: dbPort, dir: path.join(tmp, 'db'), quiet: true });
    });
    afterAll(async () => {
      if (db?.child.pid) process.kill(db.child.pid, 'SIGCONT');
      await db?.stop();
      rmSync(tmp, { recursive: true, force: true });
    });

    it('exits non-zero by its deadline instead of waiting for the database without end', async () => {
      const app = await startApp(`mongodb://127.0.0.1:${dbPort}/hookline`);
      await deliveryInFlight(app, 'deadline');
      // Stopped, not gone: connections stay open and nothing answers, so every wait on it is a wait without end.
      process.kill(db!.child.pid!, 'SIGSTOP');
      app.child.kill('SIGTERM');
      expect(await app.exited).toBe(1);
      expect(app.stdout()).toContain('"msg":"shutdown did not finish in time: exiting"');
    }, 90_000);
  });
});
