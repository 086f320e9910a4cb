import { type LogLevel, type NativeConnection, Runtime, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from './activities';
import type { Config } from './config';
import type { Database } from './db/mongo';
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

/** The activities' dependencies as the configuration says. */
export function activityDeps(config: Config, db: Database, logger: Logger): ActivityDeps {
  const outbound: OutboundPolicy = {
    allowPrivate: config.ALLOW_PRIVATE_TARGETS,
    proxy: { httpsProxy: config.HTTPS_PROXY, httpProxy: config.HTTP_PROXY, noProxy: config.NO_PROXY },
  };
  return {
    models: db.models,
    dispatcher: createDispatcher(outbound),
    outbound,
    logger,
    logCapPerWebhook: config.LOG_CAP_PER_WEBHOOK,
    endpoints: {
      maxInFlight: config.ENDPOINT_MAX_IN_FLIGHT,
      failureThreshold: config.CIRCUIT_FAILURE_THRESHOLD,
      cooldownMs: config.CIRCUIT_COOLDOWN_MS,
    },
  };
}

/** Runs the delivery workflows and their activities on TASK_QUEUE. Add workers to add throughput. */
export async function createWorker({ config, connection, db, logger, workflowBundle }: WorkerDeps): Promise<Worker> {
  return Worker.create({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TASK_QUEUE,
    ...(workflowBundle ? { workflowBundle } : { workflowsPath: require.resolve('./workflows') }),
    activities: createActivities(activityDeps(config, db, logger)),
    maxConcurrentActivityTaskExecutions: config.WORKER_MAX_CONCURRENT_ACTIVITIES,
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
