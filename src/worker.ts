import { Client } from '@temporalio/client';
import { type LogLevel, type NativeConnection, Runtime, Worker, type WorkerOptions } from '@temporalio/worker';
import { createAllActivities } from './all-activities';
import type { Config } from './config';
import type { AppDatabase } from './database';
import type { OutboundActivityDeps } from './outbound/activities';
import type { Wake } from './outbound/activities/endpoint-guard';
import { ENDPOINT_FREE_SIGNAL } from './outbound/workflow/failures';
import { createDispatcher, type OutboundPolicy } from './shared/http/client';
import type { Logger } from './shared/logger';

export interface WorkerDeps {
  config: Config;
  connection: NativeConnection;
  db: AppDatabase;
  logger: Logger;
  /** Tests pass a bundle built once per run instead of bundling the workflows for every worker. */
  workflowBundle?: WorkerOptions['workflowBundle'];
}

/** How long an attempt may wait in the worker for a place at a full endpoint before it is refused. */
const ENDPOINT_LINGER_MS = 1_000;

/** The delivery activities' dependencies as the configuration says. */
export function outboundActivityDeps(config: Config, db: AppDatabase, logger: Logger): OutboundActivityDeps {
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
    maxConcurrentActivityTaskExecutions: config.WORKER_MAX_CONCURRENT_ACTIVITIES,
    // On SIGINT/SIGTERM requests in flight get the grace time to finish (then their activities are
    // cancelled); the force time, counted from the same moment, bounds the whole stop even if the server is gone.
    shutdownGraceTime: '10 seconds',
    shutdownForceTime: '15 seconds',
  } satisfies Partial<WorkerOptions>;
}

/**
 * Runs outbound deliveries (the delivery workflow and its activities) on TASK_QUEUE, from the bundle of every
 * workflow (all-workflows.ts). Add workers to add throughput.
 */
export async function createWorker({ config, connection, db, logger, workflowBundle }: WorkerDeps): Promise<Worker> {
  // Deliveries waiting for a place at their endpoint are signalled over the worker's own connection.
  const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
  const wake: Wake = (workflowId) => client.workflow.getHandle(workflowId).signal(ENDPOINT_FREE_SIGNAL);
  const activities = createAllActivities({ outbound: { ...outboundActivityDeps(config, db, logger), wake } });
  return Worker.create({
    connection,
    ...workerTuning(config),
    taskQueue: config.TASK_QUEUE,
    ...(workflowBundle ? { workflowBundle } : { workflowsPath: require.resolve('./all-workflows') }),
    activities: activities.outbound,
  });
}

const LOG_LEVELS = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' } as const;

let runtimeInstalled = false;
/** Sends the Temporal SDK's logs, its Rust core's included, through our logger, once per process. */
export function installTemporalRuntime(logger: Logger): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  const at = (level: LogLevel) => LOG_LEVELS[level];
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
