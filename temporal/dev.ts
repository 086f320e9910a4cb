import { spawn } from 'node:child_process';
import path from 'node:path';
import { loadConfig, ConfigError } from '../src/config';
import { provision, ROOT, startDatabaseServer, startTemporalDevServer, type RunningServer } from './servers';

/**
 * `npm run dev`: provisions and starts the Temporal dev server (with its Web UI) and FerretDB unless
 * TEMPORAL_ADDRESS / MONGODB_URI point elsewhere, then the API and worker (`src/main.ts`), and prints
 * the `Hookline ready` line once GET /healthz answers 200. Ctrl-C stops every child.
 */
const env = process.env;
const dataDir = path.resolve(ROOT, env.DATA_DIR ?? '.data');
const temporalPort = Number(env.TEMPORAL_PORT ?? 7233);
const uiPort = Number(env.TEMPORAL_UI_PORT ?? 8233);
const mongoPort = Number(env.MONGO_PORT ?? 27017);

const say = (line: string) => process.stderr.write(`[dev] ${line}\n`);
const servers: RunningServer[] = [];
let shuttingDown = false;

async function shutdown(code: number): Promise<never> {
  if (!shuttingDown) {
    shuttingDown = true;
    say('stopping…');
    // The app first, so that the worker finishes its tasks while the servers are still there.
    for (const s of [...servers].reverse()) await s.stop();
  }
  process.exit(code);
}

async function main(): Promise<void> {
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));

  const appEnv: NodeJS.ProcessEnv = { ...env, NODE_ENV: env.NODE_ENV ?? 'development' };
  appEnv.ALLOW_PRIVATE_TARGETS ??= 'true';
  if (!env.API_TOKENS) {
    appEnv.API_TOKENS = 'dev-token';
    say('API_TOKENS is unset: the API accepts the token "dev-token" (Authorization: Bearer dev-token)');
  }
  const ownTemporal = !env.TEMPORAL_ADDRESS;
  const ownMongo = !env.MONGODB_URI;
  if (ownTemporal) appEnv.TEMPORAL_ADDRESS = `127.0.0.1:${temporalPort}`;
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
  for (const r of results) if (r.status === 'fulfilled') servers.push(r.value);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    say(String(failed.reason));
    await shutdown(1);
  }

  say('starting the API and the worker');
  const app = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/main.ts')], {
    env: appEnv,
    stdio: 'inherit',
  });
  const appExited = new Promise<number | null>((resolve) => app.on('exit', resolve));
  servers.push({
    name: 'hookline',
    child: app,
    exited: appExited,
    async stop() {
      if (app.exitCode === null && app.signalCode === null) app.kill('SIGTERM');
      await appExited;
    },
  });
  for (const s of servers) {
    void s.exited.then((code) => {
      if (shuttingDown) return;
      // Ctrl-C in a terminal reaches every child at once; one that ends cleanly is part of that stop.
      if (code === 0 || code === null) return void shutdown(0);
      say(`${s.name} exited (${code}); stopping the stack`);
      void shutdown(1);
    });
  }

  const api = `http://${config.API_HOST}:${config.API_PORT}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    const res = await fetch(`${api}/healthz`).catch(() => undefined);
    if (res?.status === 200) break;
    if (Date.now() > deadline) {
      say(`GET ${api}/healthz did not answer 200 within 120 s`);
      await shutdown(1);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  const ui = ownTemporal ? `http://127.0.0.1:${uiPort}` : `(Temporal at ${config.TEMPORAL_ADDRESS})`;
  process.stdout.write(`Hookline ready: API ${api} · Temporal UI ${ui} · ${Math.round(process.uptime())} s\n`);
}

main().catch(async (err) => {
  say(err instanceof Error ? (err.stack ?? err.message) : String(err));
  await shutdown(1);
});
