import { type NativeConnection, Runtime, Worker, type WorkerOptions } from '@temporalio/worker';
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
/** Sends the Temporal core's own logs through our logger, once per process. */
export function installTemporalRuntime(logger: Logger): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  Runtime.install({
    logger: {
      log: (level, message, meta) => logger[level === 'TRACE' ? 'trace' : (level.toLowerCase() as 'info')](meta ?? {}, message),
      trace: (m, meta) => logger.trace(meta ?? {}, m),
      debug: (m, meta) => logger.debug(meta ?? {}, m),
      info: (m, meta) => logger.info(meta ?? {}, m),
      warn: (m, meta) => logger.warn(meta ?? {}, m),
      error: (m, meta) => logger.error(meta ?? {}, m),
    },
  });
}
