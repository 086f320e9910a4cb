import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import {
  freePort,
  provision,
  startDatabaseServer,
  startTemporalDevServer,
  type RunningServer,
} from '../temporal/servers';
import { TEST_ENV } from './helpers/env';

declare global {
  var __hooklineTest: { servers: RunningServer[]; tmp: string } | undefined;
}

/**
 * Once per `npm test`: the real Temporal dev server (in memory, headless) and the real database server on
 * free ports, the time-skipping test server's path, Chromium's for the browser tests, and the workflow bundle
 * built once for every worker.
 * A TEMPORAL_ADDRESS or MONGODB_URI in the environment is used instead of starting that server.
 */
export default async function globalSetup(): Promise<void> {
  const started = Date.now();
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'hookline-test-'));
  const ownTemporal = !process.env.TEMPORAL_ADDRESS;
  const ownMongo = !process.env.MONGODB_URI;
  // Chromium and Prometheus apart: without one only its tests fail (saying why), not every test.
  const optional = (step: 'chromium' | 'prometheus') =>
    provision([step]).then(
      (found) => ({ found, problem: undefined }),
      (err: unknown) => ({ found: undefined, problem: err instanceof Error ? err.message : String(err) }),
    );
  const [tools, browser, prometheus] = await Promise.all([
    provision([
      ...(ownTemporal ? (['temporal'] as const) : []),
      ...(ownMongo ? (['ferretdb'] as const) : []),
      'test-server',
    ]),
    optional('chromium'),
    optional('prometheus'),
  ]);

  const servers: RunningServer[] = [];
  globalThis.__hooklineTest = { servers, tmp };
  const [temporalPort, mongoPort] = await Promise.all([freePort(), freePort()]);
  const [temporal, db, bundle] = await Promise.all([
    ownTemporal
      ? startTemporalDevServer({ bin: tools.TEMPORAL_BIN!, port: temporalPort, namespace: 'default', quiet: true })
      : undefined,
    ownMongo ? startDatabaseServer({ tools, port: mongoPort, dir: path.join(tmp, 'db'), quiet: true }) : undefined,
    bundleWorkflowCode({ workflowsPath: require.resolve('../src/workflows'), logger: quietBundlerLogger }),
  ]);
  if (temporal) servers.push(temporal);
  if (db) servers.push(db);

  const bundlePath = path.join(tmp, 'workflow-bundle.js');
  writeFileSync(bundlePath, bundle.code);
  process.env[TEST_ENV.temporalAddress] = process.env.TEMPORAL_ADDRESS ?? `127.0.0.1:${temporalPort}`;
  process.env[TEST_ENV.mongoUri] = process.env.MONGODB_URI ?? `mongodb://127.0.0.1:${mongoPort}`;
  process.env[TEST_ENV.testServer] = tools.TEMPORAL_TEST_SERVER!;
  process.env[TEST_ENV.workflowBundle] = bundlePath;
  if (browser.found?.CHROMIUM_BIN) process.env[TEST_ENV.chromium] = browser.found.CHROMIUM_BIN;
  else process.env[TEST_ENV.chromiumProblem] = `no Chromium for the browser tests: ${browser.problem}`;
  if (prometheus.found?.PROMETHEUS_BIN && prometheus.found.PROMTOOL_BIN) {
    process.env[TEST_ENV.prometheus] = prometheus.found.PROMETHEUS_BIN;
    process.env[TEST_ENV.promtool] = prometheus.found.PROMTOOL_BIN;
  } else process.env[TEST_ENV.prometheusProblem] = `no Prometheus for the metrics tests: ${prometheus.problem}`;
  process.stderr.write(
    `\n[test] servers and workflow bundle ready in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
  );
}

const noop = () => undefined;
const quietBundlerLogger = { trace: noop, debug: noop, info: noop, warn: noop, error: console.error, log: noop };
