import path from 'node:path';
import { loadConfig, ConfigError } from '../src/config';
import {
  liveProcesses,
  provision,
  ROOT,
  startDatabaseServer,
  startProcess,
  startTemporalDevServer,
  type RunningServer,
} from './servers';

/**
 * `npm run dev`: provisions and starts the Temporal dev server (with its Web UI) and FerretDB unless
 * TEMPORAL_ADDRESS / MONGODB_URI point elsewhere, then the API and worker (`src/main.ts`), and prints
 * the `Hookline ready` line once GET /healthz answers 200.
 *
 * Every child leads a process group of its own, so a terminal's Ctrl-C reaches this process alone; it then
 * stops the app first, while the servers are still there for the worker to report its last tasks to, and the
 * servers after it, each with a bounded wait and then SIGKILL. A second Ctrl-C kills everything at once. If
 * this process dies without stopping them, the app sees its IPC channel close and the servers' guard (see
 * servers.ts) stops them.
 */
const env = process.env;
const dataDir = path.resolve(ROOT, env.DATA_DIR ?? '.data');
const temporalPort = Number(env.TEMPORAL_PORT ?? 7233);
const uiPort = Number(env.TEMPORAL_UI_PORT ?? 8233);
const mongoPort = Number(env.MONGO_PORT ?? 27017);

/** How long the app may take to stop until main.ts tells its own deadline (STOP_DEADLINE_MESSAGE). */
let appStopTimeoutMs = 60_000;
const APP_STOP_MARGIN_MS = 5_000;
const SERVER_STOP_TIMEOUT_MS = 10_000;
const STOP_DEADLINE_MESSAGE = 'hookline:stop-deadline-ms';
const SIGNAL_EXIT_CODES: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 };

const say = (line: string) => process.stderr.write(`[dev] ${line}\n`);
let app: RunningServer | undefined;
let stopping = false;

async function shutdown(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    say('stopping… (Ctrl-C again to kill everything at once)');
    if (app) {
      const wasRunning = app.child.exitCode === null && app.child.signalCode === null;
      await app.stop(appStopTimeoutMs);
      if (wasRunning) say(`hookline exited (${describeExit(app)})`);
    }
    // Every server, those still starting included.
    await Promise.all(liveProcesses().map((s) => s.stop(SERVER_STOP_TIMEOUT_MS)));
    process.exit(code);
  }
  return new Promise<never>(() => undefined);
}

/** SIGKILL to every process group still live: a second Ctrl-C, or this process ending by any path. */
function killAll(): void {
  for (const s of liveProcesses()) s.kill();
}

function onSignal(signal: NodeJS.Signals): void {
  if (!stopping) return void shutdown(0);
  say(`${signal} again: killing every process`);
  killAll();
  process.exit(SIGNAL_EXIT_CODES[signal] ?? 1);
}

function describeExit(p: RunningServer): string {
  return p.child.signalCode ? `signal ${p.child.signalCode}` : `code ${p.child.exitCode}`;
}

async function main(): Promise<void> {
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => onSignal(signal));
  // Whatever way this process ends from here, no child outlives it (SIGKILL is for the guard to handle).
  process.on('exit', killAll);
  process.on('uncaughtException', (err) => {
    say(`unexpected error: ${err.stack ?? String(err)}`);
    if (!stopping) return void shutdown(1);
    killAll();
    process.exit(1);
  });

  const appEnv: NodeJS.ProcessEnv = { ...env, NODE_ENV: env.NODE_ENV ?? 'development' };
  appEnv.ALLOW_PRIVATE_TARGETS ??= 'true';
  if (!env.API_TOKENS) {
    appEnv.API_TOKENS = 'dev-token';
    say('API_TOKENS is unset: the API accepts the token "dev-token" (Authorization: Bearer dev-token)');
  }
  const ownTemporal = !env.TEMPORAL_ADDRESS;
  const ownMongo = !env.MONGODB_URI;
  if (ownTemporal) {
    appEnv.TEMPORAL_ADDRESS = `127.0.0.1:${temporalPort}`;
    // The activity page links each delivery to its workflow in this Web UI.
    appEnv.TEMPORAL_UI_URL ??= `http://127.0.0.1:${uiPort}`;
  }
  if (ownMongo) appEnv.MONGODB_URI = `mongodb://127.0.0.1:${mongoPort}/hookline`;

  let config;
  try {
    config = loadConfig(appEnv);
  } catch (err) {
    if (err instanceof ConfigError) {
      say(err.message);
      process.exit(78);
    }
    throw err;
  }

  const steps = [...(ownTemporal ? (['temporal'] as const) : []), ...(ownMongo ? (['ferretdb'] as const) : [])];
  const tools = steps.length ? await provision(steps) : {};
  if (stopping) return;

  const starting: Promise<RunningServer>[] = [];
  if (ownTemporal) {
    say(`starting Temporal dev server on 127.0.0.1:${temporalPort} (Web UI on ${uiPort}), data in ${dataDir}`);
    starting.push(
      startTemporalDevServer({
        bin: tools.TEMPORAL_BIN!,
        port: temporalPort,
        uiPort,
        namespace: config.TEMPORAL_NAMESPACE,
        dbFile: path.join(dataDir, 'temporal.sqlite'),
      }),
    );
  }
  if (ownMongo) {
    say(`starting ${tools.MONGOD_BIN ? 'mongod' : 'FerretDB'} on 127.0.0.1:${mongoPort}, data in ${dataDir}`);
    starting.push(startDatabaseServer({ tools, port: mongoPort, dir: path.join(dataDir, 'db') }));
  }
  const results = await Promise.allSettled(starting);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    say(String(failed.reason));
    await shutdown(1);
  }
  if (stopping) return;

  say('starting the API and the worker');
  app = startProcess('hookline', process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/main.ts')], {
    // The app exits when its IPC channel to this process closes (this process died without stopping it).
    env: { ...appEnv, HOOKLINE_PARENT_WATCH: '1' },
    ipc: true,
  });
  app.child.on('message', (m: { type?: string; ms?: number }) => {
    if (m?.type === STOP_DEADLINE_MESSAGE && typeof m.ms === 'number') appStopTimeoutMs = m.ms + APP_STOP_MARGIN_MS;
  });
  for (const s of [...results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : [])), app]) {
    void s.exited.then(() => {
      if (stopping) return;
      // Stopped on its own (a SIGTERM to the app, a server that crashed): the rest is of no use without it.
      const clean = s === app && s.child.exitCode === 0;
      say(`${s.name} exited (${describeExit(s)}); stopping the stack`);
      void shutdown(clean ? 0 : 1);
    });
  }

  const api = `http://${config.API_HOST}:${config.API_PORT}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    const res = await fetch(`${api}/healthz`).catch(() => undefined);
    if (stopping) return;
    if (res?.status === 200) break;
    if (Date.now() > deadline) {
      say(`GET ${api}/healthz did not answer 200 within 120 s`);
      await shutdown(1);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  const ui = ownTemporal ? `http://127.0.0.1:${uiPort}` : `(Temporal at ${config.TEMPORAL_ADDRESS})`;
  process.stdout.write(
    `Hookline ready: API ${api} · activity page ${api}/ui · Temporal UI ${ui} · ${Math.round(process.uptime())} s\n`,
  );
}

main().catch(async (err) => {
  say(err instanceof Error ? (err.stack ?? err.message) : String(err));
  await shutdown(1);
});
