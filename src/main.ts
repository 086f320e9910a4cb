import type { Server } from 'node:http';
import type { Worker } from '@temporalio/worker';
import { createApiServer } from './api/server';
import { ConfigError, loadConfig } from './config';
import { connectDatabase } from './db/mongo';
import { createLogger } from './logger';
import { connectClient, connectWorkerConnection } from './temporal';
import { createWorker, installTemporalRuntime } from './worker';

/**
 * `npm start`: the API and/or the worker (ROLE=api|worker|all) against TEMPORAL_ADDRESS and MONGODB_URI.
 * It starts no servers of its own; `npm run dev` does that and then runs this.
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
  installTemporalRuntime(logger);
  const db = await connectDatabase(config.MONGODB_URI);

  let worker: Worker | undefined;
  let workerRun: Promise<void> | undefined;
  if (config.ROLE !== 'api') {
    const connection = await connectWorkerConnection(config);
    worker = await createWorker({ config, connection, db, logger });
    workerRun = worker.run();
    logger.info({ taskQueue: config.TASK_QUEUE }, 'worker started');
  }

  let server: Server | undefined;
  if (config.ROLE !== 'worker') {
    const temporal = await connectClient(config);
    server = createApiServer({ config, db, temporal, logger });
    await new Promise<void>((resolve) => server!.listen(config.API_PORT, config.API_HOST, resolve));
    logger.info({ url: `http://${config.API_HOST}:${config.API_PORT}` }, 'API listening');
  }

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    server?.close();
    server?.closeAllConnections();
    worker?.shutdown();
    await workerRun;
    await db.conn.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  await workerRun?.catch((err) => {
    logger.fatal({ err }, 'worker stopped');
    process.exit(1);
  });
}

main().catch((err) => {
  process.stderr.write(`Hookline failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
