import { type LogLevel, type NativeConnection, Runtime, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities } from './activities';
import type { Config } from './config';
import type { Database } from './db/mongo';
import { createDispatcher } from './delivery/http';
import type { Logger } from './logger';

export interface WorkerDeps {
  config: Pick<Config, 'TASK_QUEUE' | 'TEMPORAL_NAMESPACE' | 'LOG_CAP_PER_WEBHOOK'>;
  connection: NativeConnection;
  db: Database;
  logger: Logger;
  /** Tests pass a bundle built once per run instead of bundling the workflows for every worker. */
  workflowBundle?: WorkerOptions['workflowBundle'];
}

/** Runs the delivery workflows and their activities on TASK_QUEUE. Add workers to add throughput. */
export async function createWorker({ config, connection, db, logger, workflowBundle }: WorkerDeps): Promise<Worker> {
  const dispatcher = createDispatcher();
  const worker = await Worker.create({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TASK_QUEUE,
    ...(workflowBundle ? { workflowBundle } : { workflowsPath: require.resolve('./workflows') }),
    activities: createActivities({
      models: db.models,
      dispatcher,
      logger,
      logCapPerWebhook: config.LOG_CAP_PER_WEBHOOK,
    }),
  });
  return worker;
}

let runtimeInstalled = false;
/** Sends the Temporal SDK's logs, its Rust core's included, through our logger, once per process. */
export function installTemporalRuntime(logger: Logger): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  const at = (level: LogLevel) => (level === 'TRACE' ? 'trace' : (level.toLowerCase() as 'debug' | 'info' | 'warn' | 'error'));
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
