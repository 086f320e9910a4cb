import { type LogLevel, type NativeConnection, Runtime, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from './activities';
import type { Config } from './config';
import type { Database } from './db/mongo';
import { Client } from '@temporalio/client';
import type { Wake } from './delivery/endpoint-guard';
import { ENDPOINT_FREE_SIGNAL } from './delivery/failure-types';
import { createDispatcher, type OutboundPolicy } from './delivery/http';
import type { Logger } from './logger';

export interface WorkerDeps {
  config: Config;
  connection: NativeConnection;
  db: Database;
  logger: Logger;
  /** Tests pass a bundle built once per run instead of bundling the workflows for every worker. */
  workflowBundle?: WorkerOptions['workflowBundle'];
}

/** How long an attempt may wait in the worker for a place at a full endpoint before it is refused. */
const ENDPOINT_LINGER_MS = 1_000;

/** The activities' dependencies as the configuration says. */
export function activityDeps(config: Config, db: Database, logger: Logger): ActivityDeps {
  const outbound: OutboundPolicy = {
    allowPrivate: config.ALLOW_PRIVATE_TARGETS,
    proxy: { httpsProxy: config.HTTPS_PROXY, httpProxy: config.HTTP_PROXY, noProxy: config.NO_PROXY },
  };
  return {
    db,
    dispatcher: createDispatcher(outbound),
    outbound,
    logger,
    logCapPerWebhook: config.LOG_CAP_PER_WEBHOOK,
    webhookCacheTtlMs: 5_000,
    pendingAfterMs: 1_000,
    endpoints: {
      lingerMs: ENDPOINT_LINGER_MS,
      maxInFlight: config.ENDPOINT_MAX_IN_FLIGHT,
      failureThreshold: config.CIRCUIT_FAILURE_THRESHOLD,
      cooldownMs: config.CIRCUIT_COOLDOWN_MS,
    },
  };
}

/**
 * How a worker polls and runs tasks, apart from what it runs: shared with the bench's engine floor, so
 * that the floor and Hookline are measured under the same settings.
 */
export function workerTuning(config: Config) {
  return {
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TASK_QUEUE,
    maxConcurrentActivityTaskExecutions: config.WORKER_MAX_CONCURRENT_ACTIVITIES,
    // On SIGINT/SIGTERM requests in flight get the grace time to finish (then their activities are
    // cancelled); the force time, counted from the same moment, bounds the whole stop even if the server is gone.
    shutdownGraceTime: '10 seconds',
    shutdownForceTime: '15 seconds',
  } satisfies Partial<WorkerOptions>;
}

/** Runs the delivery workflows and their activities on TASK_QUEUE. Add workers to add throughput. */
export async function createWorker({ config, connection, db, logger, workflowBundle }: WorkerDeps): Promise<Worker> {
  // Deliveries waiting for a place at their endpoint are signalled over the worker's own connection.
  const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
  const wake: Wake = (workflowId) => client.workflow.getHandle(workflowId).signal(ENDPOINT_FREE_SIGNAL);
  return Worker.create({
    connection,
    ...workerTuning(config),
    ...(workflowBundle ? { workflowBundle } : { workflowsPath: require.resolve('./workflows') }),
    activities: createActivities({ ...activityDeps(config, db, logger), wake }),
  });
}

let runtimeInstalled = false;
/** Sends the Temporal SDK's logs, its Rust core's included, through our logger, once per process. */
export function installTemporalRuntime(logger: Logger): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  const at = (level: LogLevel) =>
    level === 'TRACE' ? 'trace' : (level.toLowerCase() as 'debug' | 'info' | 'warn' | 'error');
  Runtime.install({
    logger: {
      log: (level, message, meta) => logger[at(level)](meta ?? {}, message),
      trace: (message, meta) => logger.trace(meta ?? {}, message),
      debug: (message, meta) => logger.debug(meta ?? {}, message),
      info: (message, meta) => logger.info(meta ?? {}, message),
      warn: (message, meta) => logger.warn(meta ?? {}, message),
      error: (message, meta) => logger.error(meta ?? {}, message),
    },
    telemetryOptions: { logging: { filter: { core: 'WARN', other: 'ERROR' }, forward: {} } },
  });
}
