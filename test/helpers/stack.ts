import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import type { CommandStartedEvent } from 'mongodb';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { createTRPCClient, httpLink } from '@trpc/client';
import { createApiServer } from '../../src/api/server';
import type { AppRouter } from '../../src/api/router';
import { loadConfig, type Config } from '../../src/config';
import { createLogger } from '../../src/shared/logger';
import { createLiquidSandbox } from '../../src/shared/templates/liquid';
import { createWorkers, installTemporalRuntime, type Workers } from '../../src/worker';
import { openTestDatabase, testDatabaseUri } from './db';
import { testEnv } from './env';

export const TEST_TOKEN = 'test-token-0123456789';

/**
 * Hookline as `npm start` runs it, in this test process: the real API on a free port and a real worker,
 * against the run's Temporal dev server and a database of this file's own, on a task queue of its own.
 */
export async function startStack(
  overrides: Partial<Record<string, string>> = {},
  opts: { worker?: boolean; onCommand?: (e: CommandStartedEvent) => void } = {},
) {
  // With `onCommand`, every command the API and the worker send to the database is seen (command monitoring).
  const db = await openTestDatabase({ onCommand: opts.onCommand });
  const config: Config = loadConfig({
    NODE_ENV: 'test',
    API_TOKENS: TEST_TOKEN,
    API_PORT: '0',
    TEMPORAL_ADDRESS: testEnv('temporalAddress'),
    TASK_QUEUE: `test-${randomBytes(6).toString('hex')}`,
    FLOW_TASK_QUEUE: `test-flows-${randomBytes(6).toString('hex')}`,
    ALLOW_PRIVATE_TARGETS: 'true',
    LOG_LEVEL: 'silent',
    ...overrides,
  });
  const logger = createLogger(config.LOG_LEVEL);
  installTemporalRuntime(createLogger(process.env.LOG_LEVEL ?? 'error'));

  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  const temporal = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
  const nativeConnection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  const liquid = createLiquidSandbox();
  const workers: Workers | undefined =
    opts.worker === false
      ? undefined
      : await createWorkers({
          config,
          connection: nativeConnection,
          db,
          logger,
          liquid,
          workflowBundle: { codePath: testEnv('workflowBundle') },
        });
  const workersRun = workers?.run();

  const server = createApiServer({ config, db, temporal, logger, liquid });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const client = (token = TEST_TOKEN) =>
    createTRPCClient<AppRouter>({
      links: [httpLink({ url: `${url}/trpc`, headers: () => ({ authorization: `Bearer ${token}` }) })],
    });

  return {
    config,
    /** The database's URI, for a worker in another process. */
    mongoUri: testDatabaseUri(db.conn.name),
    db,
    temporal,
    liquid,
    url,
    api: client(),
    client,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      workers?.shutdown();
      await workersRun;
      await liquid.close();
      await nativeConnection.close();
      await connection.close();
      await db.drop();
    },
  };
}

export type Stack = Awaited<ReturnType<typeof startStack>>;

/** A worker for a stack started without one (`{ worker: false }`), once a backlog is queued: run it, then stop it. */
export async function startStackWorkers(stack: Stack, connection: NativeConnection): Promise<Workers> {
  return createWorkers({
    config: stack.config,
    connection,
    db: stack.db,
    logger: createLogger('silent'),
    liquid: stack.liquid,
    workflowBundle: { codePath: testEnv('workflowBundle') },
  });
}
