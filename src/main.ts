import type { Server } from 'node:http';
import { Client } from '@temporalio/client';
import { createMetricsServer } from './api/metrics';
import { createApiServer } from './api/server';
import { ConfigError, loadConfig } from './config';
import { openDatabase, type AppDatabase } from './database';
import { createOutboundDeps } from './outbound/deps';
import { createLogger } from './shared/logger';
import { configureMetrics } from './shared/metrics';
import { connectClient, connectWorkerConnection } from './temporal';
import { createLiquidSandbox, type LiquidSandbox } from './shared/templates/liquid';
import { startTracing, type Tracing } from './tracing';
import { createWorkers, installTemporalRuntime, type Workers } from './worker';

/** How a shell reports a process ended by that signal (128 + its number): a second signal exits with it. */
const SIGNAL_EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;
type StopSignal = keyof typeof SIGNAL_EXIT_CODES;
/** Past what the worker waits for: closing the API, the connections and the database. */
const STOP_MARGIN_MS = 5_000;
/**
 * How long a stop may take before the process exits anyway. Both of the worker's times count from the
 * shutdown request: in-flight requests (API and activities) get shutdownGraceTime, then activities are
 * cancelled; at shutdownForceTime the worker gives up on the rest, so the later of the two, plus a margin.
 */
function stopDeadlineMs(workers: Workers | undefined): number {
  const { graceMs, forceMs } = workers?.stopTimes ?? { graceMs: 0, forceMs: 0 };
  return Math.max(graceMs, forceMs) + STOP_MARGIN_MS;
}

/** What `npm run dev` (temporal/dev.ts) is told, so that it waits for the stop as long as the stop may take. */
const STOP_DEADLINE_MESSAGE = 'hookline:stop-deadline-ms';

/**
 * `npm start`: the API and/or the worker (ROLE=api|worker|all) against TEMPORAL_ADDRESS and MONGODB_URI.
 * It starts no servers of its own; `npm run dev` does that and then runs this.
 *
 * SIGINT or SIGTERM stops it: the API stops accepting and the worker stops polling, requests and activities in
 * flight get the worker's shutdownGraceTime, then the database is closed. The whole stop is bounded (see
 * stopDeadlineMs) whatever the servers do, since Temporal or the database may be gone or deaf already; past the
 * deadline it exits with 1. A second signal exits at once (130 for SIGINT, 143 for SIGTERM).
 */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
  const logger = createLogger(config.LOG_LEVEL);

  const started: {
    db?: AppDatabase;
    liquid?: LiquidSandbox;
    workers?: Workers;
    workersRun?: Promise<void>;
    temporal?: Client;
    server?: Server;
    metricsServer?: Server;
    tracing?: Tracing;
  } = {};
  let stopping = false;

  const stop = async (reason: StopSignal | 'parent exited' | 'worker stopped', exitCode = 0): Promise<never> => {
    if (stopping) {
      logger.warn({ reason }, 'stopping again: exiting at once');
      process.exit(reason === 'SIGINT' || reason === 'SIGTERM' ? SIGNAL_EXIT_CODES[reason] : 1);
    }
    stopping = true;
    const { db, liquid, workers, workersRun, temporal, server } = started;
    const graceMs = workers?.stopTimes.graceMs ?? 0;
    const deadlineMs = stopDeadlineMs(workers);
    logger.info({ reason, graceMs, deadlineMs }, 'shutting down');
    // Unref'd: it bounds the stop without keeping the process alive once everything is closed.
    setTimeout(() => {
      logger.error({ reason, deadlineMs }, 'shutdown did not finish in time: exiting');
      process.exit(1);
    }, deadlineMs).unref();

    const closing: Promise<unknown>[] = [];
    if (server) {
      // Requests in flight get the grace time too; then their connections are cut.
      closing.push(new Promise((resolve) => server.close(resolve)));
      server.closeIdleConnections();
      setTimeout(() => server.closeAllConnections(), graceMs).unref();
    }
    if (workers && workersRun) {
      workers.shutdown();
      closing.push(
        workersRun.catch((err: unknown) => {
          logger.error({ err }, 'worker did not stop cleanly');
          exitCode = 1;
        }),
      );
    }
    await Promise.all(closing);
    started.metricsServer?.close();
    started.metricsServer?.closeAllConnections();
    // After the worker: its activities write to the database until they end.
    await Promise.all([
      temporal?.connection.close(),
      db?.conn.close(),
      liquid?.close(),
      started.tracing?.shutdown(),
    ]).catch((err: unknown) => {
      logger.error({ err }, 'closing the connections failed');
      exitCode = 1;
    });
    logger.info({ reason, exitCode }, 'stopped');
    process.exit(exitCode);
  };
  // Before anything starts, so that a signal during the start is ours too (Temporal's Runtime also listens).
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  if (process.env.HOOKLINE_PARENT_WATCH === '1' && process.channel) {
    // Started by `npm run dev`: if it dies without stopping us (SIGKILL, a crash), its end of the channel closes.
    process.channel.unref();
    process.on('disconnect', () => void stop('parent exited'));
  }

  const tracing = (started.tracing = startTracing(logger));
  configureMetrics({ projectLabel: config.METRICS_PROJECT_LABEL, projectLimit: config.METRICS_PROJECT_LIMIT });
  installTemporalRuntime(logger, config.METRICS_ENABLED ? config.TEMPORAL_METRICS_PORT : undefined);
  if (config.METRICS_ENABLED && config.METRICS_PORT !== undefined && !stopping) {
    const metricsServer = (started.metricsServer = createMetricsServer({ config, logger }));
    await new Promise<void>((resolve) => metricsServer.listen(config.METRICS_PORT, config.METRICS_HOST, resolve));
    logger.info({ url: `http://${config.METRICS_HOST}:${config.METRICS_PORT}/metrics` }, 'metrics listening');
  }
  started.db = await openDatabase(config.MONGODB_URI, { metrics: config.METRICS_ENABLED });
  const liquid = (started.liquid = createLiquidSandbox());
  // A worker's connection serves its client too: beside a worker (ROLE=all) the API then starts workflows eagerly.
  const connection = config.ROLE !== 'api' ? await connectWorkerConnection(config) : undefined;
  const interceptors = tracing?.clientInterceptors;
  const temporal = (started.temporal = connection
    ? new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, interceptors })
    : await connectClient(config, interceptors));
  const eagerStart = connection !== undefined;
  // One per process: the API and the worker's publish steps store deliveries through the same one.
  const outbound = createOutboundDeps({ config, db: started.db, temporal, eagerStart });

  if (connection && !stopping) {
    const workers = await createWorkers({
      config,
      connection,
      db: started.db,
      logger,
      liquid,
      temporal,
      outbound,
      tracing,
    });
    if (stopping) return;
    started.workers = workers;
    started.workersRun = workers.run().then(
      () => {
        if (!stopping) {
          logger.fatal('worker stopped on its own');
          void stop('worker stopped', 1);
        }
      },
      (err: unknown) => {
        if (stopping) throw err;
        logger.fatal({ err }, 'worker stopped');
        void stop('worker stopped', 1);
      },
    );
    process.send?.({ type: STOP_DEADLINE_MESSAGE, ms: stopDeadlineMs(workers) });
    logger.info({ taskQueues: [config.TASK_QUEUE, config.FLOW_TASK_QUEUE] }, 'worker started');
  }

  if (config.ROLE !== 'worker' && !stopping) {
    const server = createApiServer({ config, db: started.db, temporal, logger, liquid, eagerStart, outbound });
    if (stopping) return;
    started.server = server;
    await new Promise<void>((resolve) => server.listen(config.API_PORT, config.API_HOST, resolve));
    logger.info({ url: `http://${config.API_HOST}:${config.API_PORT}` }, 'API listening');
  }
}

main().catch((err) => {
  process.stderr.write(`Hookline failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
