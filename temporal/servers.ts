import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import mongoose from 'mongoose';
import { SEARCH_ATTRIBUTE_NAMES } from '../src/shared/search-attributes';

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
  CHROMIUM_BIN?: string;
  PROMETHEUS_BIN?: string;
  PROMTOOL_BIN?: string;
}

export type ProvisionStep = 'temporal' | 'ferretdb' | 'test-server' | 'chromium' | 'prometheus';

/** Runs temporal/provision.sh (progress on our stderr; `env` over ours) and returns the paths it printed. */
export function provision(steps: ProvisionStep[], env: Record<string, string> = {}): Promise<Tools> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [path.join(ROOT, 'temporal/provision.sh'), ...steps], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, ...env },
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    // 'close', not 'exit': only then has all of its stdout been read (under load 'exit' may come first).
    child.on('close', (code) => {
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
  /**
   * SIGTERM to the process, SIGKILL to its whole group if it has not exited within `timeoutMs`, and SIGKILL
   * to what is left of its group (grandchildren) once it has.
   */
  stop(timeoutMs?: number): Promise<void>;
  /** SIGKILL to the whole process group, at once. */
  kill(): void;
}

export interface ProcessOptions {
  /** No stdout, and stderr only in the error that reports an unexpected exit. */
  quiet?: boolean;
  env?: NodeJS.ProcessEnv;
  /** Inherit stdout and stderr, and open an IPC channel (`child.send`, `'message'`, `'disconnect'`). */
  ipc?: boolean;
}

const DEFAULT_STOP_TIMEOUT_MS = 10_000;
const live = new Set<RunningServer>();

/** Every process started here that has not exited yet. */
export function liveProcesses(): RunningServer[] {
  return [...live];
}

/**
 * Starts `bin` as the leader of a process group of its own (`detached`), so that a terminal's Ctrl-C reaches
 * only whoever started it, which then stops it in its own order. So that it cannot outlive its starter, the
 * guard below stops its group if the starter dies without doing so (SIGKILL, a crash).
 */
export function startProcess(name: string, bin: string, args: string[], opts: ProcessOptions = {}): RunningServer {
  const child = spawn(bin, args, {
    env: opts.env,
    detached: true,
    stdio: opts.ipc ? ['ignore', 'inherit', 'inherit', 'ipc'] : ['ignore', opts.quiet ? 'ignore' : 'inherit', 'pipe'],
  });
  let stopping = false;
  let stderrTail = '';
  child.stderr?.on('data', (d: Buffer) => {
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
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      if (child.pid) process.kill(-child.pid, signal);
    } catch {
      // ESRCH: the group is gone already.
    }
  };
  const server: RunningServer = {
    name,
    child,
    exited,
    async stop(timeoutMs = DEFAULT_STOP_TIMEOUT_MS) {
      stopping = true;
      if (child.exitCode === null && child.signalCode === null) {
        // SIGTERM to the leader alone: it stops its own children in its order (tsx's esbuild, for the app).
        child.kill('SIGTERM');
        const timer = setTimeout(() => signalGroup('SIGKILL'), timeoutMs);
        await exited;
        clearTimeout(timer);
      }
      signalGroup('SIGKILL');
    },
    kill() {
      stopping = true;
      signalGroup('SIGKILL');
    },
  };
  if (child.pid) {
    live.add(server);
    guard('+', child.pid);
  }
  void exited.then((code) => {
    live.delete(server);
    if (child.pid) guard('-', child.pid);
    if (code !== 0 && code !== null && !stopping)
      process.stderr.write(`[${name}] exited with ${code}\n${stderrTail}\n`);
  });
  return server;
}

/**
 * The guard: one small bash process per starter, in a group of its own, reading the starter's list of live
 * process groups (`+ pgid`, `- pgid`) from a pipe. The kernel closes that pipe when the starter dies, however
 * it dies; the guard then sends SIGTERM to every group still listed, waits up to 10 s for their leaders, and
 * sends SIGKILL to the groups. A starter that stops its children itself leaves nothing listed.
 */
const GUARD_SCRIPT = `
trap '' INT HUP
declare -A groups
while read -r op id; do
  case "$op" in
    +) groups[$id]=1 ;;
    -) unset "groups[$id]" ;;
  esac
done
(( \${#groups[@]} )) || exit 0
# A leader is alive while /proc lists it in any state but Z: an orphan zombie may never be reaped.
alive() { local s; read -r s < "/proc/$1/stat" 2>/dev/null || return 1; s=\${s##*) }; [[ \${s:0:1} != Z ]]; }
for id in "\${!groups[@]}"; do kill -TERM -- "-$id" 2>/dev/null; done
for _ in $(seq 100); do
  left=0
  for id in "\${!groups[@]}"; do alive "$id" && left=1; done
  (( left )) || break
  sleep 0.1
done
for id in "\${!groups[@]}"; do kill -KILL -- "-$id" 2>/dev/null; done
exit 0
`;
let guardProcess: ChildProcess | undefined;

function guard(op: '+' | '-', pgid: number): void {
  if (!guardProcess) {
    const g = spawn('bash', ['-c', GUARD_SCRIPT], { stdio: ['pipe', 'ignore', 'ignore'], detached: true });
    guardProcess = g;
    g.on('error', () => undefined);
    g.stdin!.on('error', () => undefined);
    // Killed by someone else: the next process started gets a new guard, told about every group still live.
    g.on('exit', () => {
      if (guardProcess === g) guardProcess = undefined;
    });
    // Neither the guard nor its pipe keeps the starter alive.
    g.unref();
    (g.stdin as unknown as { unref(): void }).unref();
    for (const s of live) if (s.child.pid && s.child.pid !== pgid) g.stdin!.write(`+ ${s.child.pid}\n`);
  }
  guardProcess.stdin!.write(`${op} ${pgid}\n`);
}

/**
 * Resolves with `value` unless the server dies first, so a failed start reports at once, not at a timeout; a
 * server that never got ready is stopped, not left running.
 */
async function unlessExited<T>(server: RunningServer, ready: Promise<T>): Promise<T> {
  try {
    return await Promise.race([
      ready,
      server.exited.then((code) => {
        throw new Error(`${server.name} exited (code ${code}) before it was ready`);
      }),
    ]);
  } catch (err) {
    await server.stop();
    throw err;
  }
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
  /** More dynamic config values, `key=value` (a test that needs a limit lowered). */
  dynamicConfig?: string[];
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
  // Task-queue fairness (server 1.29): tasks are dispatched fairly across fairness keys instead of in FIFO order.
  args.push('--dynamic-config-value', 'matching.enableFairness=true');
  // Fairness is kept within one partition of a task queue; one machine needs no more than one, so it is exact.
  args.push('--dynamic-config-value', 'matching.numTaskqueueReadPartitions=1');
  args.push('--dynamic-config-value', 'matching.numTaskqueueWritePartitions=1');
  // Eager activity dispatch: a workflow task's answer carries its new activity to the same worker when it has
  // a free slot, skipping matching (measured with npm run bench: p50 publish → receiver 97 → 56 ms).
  args.push('--dynamic-config-value', 'system.enableActivityEagerExecution=true');
  // HOOKLINE_DEV_DYNAMIC_CONFIG="k=v,k=v" adds dynamic config values (to measure a setting with the bench).
  for (const kv of [
    ...(o.dynamicConfig ?? []),
    ...(process.env.HOOKLINE_DEV_DYNAMIC_CONFIG ?? '').split(',').filter(Boolean),
  ]) {
    args.push('--dynamic-config-value', kv);
  }
  args.push('--log-level', 'warn');
  const server = startProcess('temporal', o.bin, args, { quiet: o.quiet });
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
    ? startProcess(
        'mongod',
        o.tools.MONGOD_BIN,
        ['--dbpath', o.dir, '--port', String(o.port), '--bind_ip', '127.0.0.1', '--quiet'],
        {
          quiet: o.quiet,
        },
      )
    : startProcess(
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
