import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import mongoose from 'mongoose';
import { SEARCH_ATTRIBUTE_NAMES } from '../src/delivery/search-attributes';

/**
 * Starting and stopping the servers Hookline needs locally: the Temporal dev server and a
 * MongoDB-compatible database (FerretDB, or a mongod found on PATH). Used by `npm run dev` and by the
 * test suite's global setup, so both run the servers the same way.
 */
export const ROOT = path.resolve(__dirname, '..');

export interface Tools {
  TEMPORAL_BIN?: string;
  FERRETDB_BIN?: string;
  MONGOD_BIN?: string;
  TEMPORAL_TEST_SERVER?: string;
}

export type ProvisionStep = 'temporal' | 'ferretdb' | 'test-server';

/** Runs temporal/provision.sh (progress on our stderr) and returns the paths it printed. */
export function provision(steps: ProvisionStep[]): Promise<Tools> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [path.join(ROOT, 'temporal/provision.sh'), ...steps], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`temporal/provision.sh ${steps.join(' ')} failed (exit ${code})`));
      const tools: Record<string, string> = {};
      for (const line of out.split('\n')) {
        const m = /^([A-Z_]+)=(.+)$/.exec(line.trim());
        if (m) tools[m[1]!] = m[2]!;
      }
      resolve(tools as Tools);
    });
  });
}

export interface RunningServer {
  name: string;
  child: ChildProcess;
  /** Resolves when the process has exited, however it ended. */
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

function run(name: string, bin: string, args: string[], opts: { quiet?: boolean } = {}): RunningServer {
  const child = spawn(bin, args, { stdio: ['ignore', opts.quiet ? 'ignore' : 'inherit', 'pipe'] });
  let stopping = false;
  let stderrTail = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderrTail = (stderrTail + d.toString()).slice(-4000);
    if (!opts.quiet) process.stderr.write(d);
  });
  const exited = new Promise<number | null>((resolve) => {
    child.on('exit', (code) => resolve(code));
    child.on('error', (err) => {
      stderrTail += String(err);
      resolve(-1);
    });
  });
  void exited.then((code) => {
    if (code !== 0 && code !== null && !stopping)
      process.stderr.write(`[${name}] exited with ${code}\n${stderrTail}\n`);
  });
  return {
    name,
    child,
    exited,
    async stop() {
      stopping = true;
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Resolves with `value` unless the server dies first, so a failed start reports at once, not at a timeout. */
async function unlessExited<T>(server: RunningServer, ready: Promise<T>): Promise<T> {
  return Promise.race([
    ready,
    server.exited.then((code) => {
      throw new Error(`${server.name} exited (code ${code}) before it was ready`);
    }),
  ]);
}

async function retryUntil<T>(what: string, timeoutMs: number, attempt: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      return await attempt();
    } catch (err) {
      last = err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  throw new Error(`${what} not ready after ${timeoutMs} ms: ${String(last)}`);
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export interface TemporalDevServerOptions {
  bin: string;
  port: number;
  namespace: string;
  /** Omitted: no Web UI. */
  uiPort?: number;
  /** Omitted: in memory (tests). */
  dbFile?: string;
  quiet?: boolean;
}

export async function startTemporalDevServer(o: TemporalDevServerOptions): Promise<RunningServer> {
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(o.port), '--namespace', o.namespace];
  args.push(...(o.uiPort ? ['--ui-port', String(o.uiPort)] : ['--headless']));
  if (o.dbFile) {
    mkdirSync(path.dirname(o.dbFile), { recursive: true });
    args.push(
      '--db-filename',
      o.dbFile,
      '--sqlite-pragma',
      'journal_mode=WAL',
      '--sqlite-pragma',
      'synchronous=NORMAL',
    );
  }
  for (const name of SEARCH_ATTRIBUTE_NAMES) args.push('--search-attribute', `${name}=Keyword`);
  args.push('--log-level', 'warn');
  const server = run('temporal', o.bin, args, { quiet: o.quiet });
  const address = `127.0.0.1:${o.port}`;
  await unlessExited(
    server,
    retryUntil('Temporal dev server', 60_000, async () => {
      const connection = await Connection.connect({ address, connectTimeout: 1_000 });
      try {
        await connection.workflowService.describeNamespace({ namespace: o.namespace });
      } finally {
        await connection.close();
      }
    }),
  );
  return server;
}

export interface DatabaseServerOptions {
  tools: Tools;
  port: number;
  dir: string;
  quiet?: boolean;
}

/** FerretDB on SQLite files in `dir`, or mongod when one is on PATH. */
export async function startDatabaseServer(o: DatabaseServerOptions): Promise<RunningServer> {
  mkdirSync(o.dir, { recursive: true });
  const listen = `127.0.0.1:${o.port}`;
  const server = o.tools.MONGOD_BIN
    ? run(
        'mongod',
        o.tools.MONGOD_BIN,
        ['--dbpath', o.dir, '--port', String(o.port), '--bind_ip', '127.0.0.1', '--quiet'],
        {
          quiet: o.quiet,
        },
      )
    : run(
        'ferretdb',
        requireTool(o.tools.FERRETDB_BIN, 'FerretDB'),
        [
          '--handler=sqlite',
          `--sqlite-url=file:${o.dir.endsWith('/') ? o.dir : `${o.dir}/`}`,
          `--listen-addr=${listen}`,
          '--telemetry=disable',
          `--state-dir=${o.dir}`,
          '--debug-addr=-',
          '--log-level=error',
        ],
        { quiet: o.quiet },
      );
  await unlessExited(
    server,
    retryUntil('database server', 60_000, async () => {
      const conn = await mongoose
        .createConnection(`mongodb://${listen}/admin`, { serverSelectionTimeoutMS: 1_000 })
        .asPromise();
      try {
        await conn.db!.admin().ping();
      } finally {
        await conn.close();
      }
    }),
  );
  return server;
}

function requireTool(bin: string | undefined, name: string): string {
  if (!bin) throw new Error(`${name} is not provisioned: run temporal/provision.sh`);
  return bin;
}
