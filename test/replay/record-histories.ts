import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { deliveryWorkflow } from '../../src/all-workflows';
import { openTestDatabase } from '../helpers/db';
import { storeDelivery } from '../helpers/fixtures';
import { startReceiver, type Reply } from '../helpers/receiver';
import { createTestWorker, createTimeSkippingEnv } from '../helpers/time-skipping';

/**
 * `npm run record-histories`: runs the delivery workflow through each of its paths and saves the histories
 * that test/replay/replay.test.ts replays. Record again (and commit) only when a change to the workflow is
 * meant to be incompatible and running workflows have been migrated.
 */
const OUT = path.join(__dirname, 'histories', 'v2');

describe('record delivery workflow histories', () => {
  let env: TestWorkflowEnvironment;
  let db: Awaited<ReturnType<typeof openTestDatabase>>;
  beforeAll(async () => {
    [env, db] = await Promise.all([createTimeSkippingEnv(), openTestDatabase()]);
    mkdirSync(OUT, { recursive: true });
  });
  afterAll(async () => {
    await env?.teardown();
    await db?.drop();
  });

  const scenarios: [string, (n: number) => Reply, Record<string, number>, Record<string, string>][] = [
    ['success-first-attempt', () => ({ status: 200 }), {}, {}],
    ['success-on-attempt-3', (n) => (n < 3 ? { status: 500 } : { status: 200 }), {}, {}],
    ['error-after-3-attempts', () => ({ status: 500 }), { maximumAttempts: 3 }, {}],
    ['gone-410', () => ({ status: 410 }), {}, {}],
    [
      'retry-after-429',
      (n) => (n === 1 ? { status: 429, headers: { 'retry-after': '120' } } : { status: 200 }),
      {},
      {},
    ],
    [
      'paused-by-circuit',
      (n) => (n <= 2 ? { status: 500 } : { status: 200 }),
      { maximumAttempts: 5 },
      { CIRCUIT_FAILURE_THRESHOLD: '2' },
    ],
  ];

  it.each(scenarios)('%s', async (name, script, retry, workerConfig) => {
    const receiver = await startReceiver(script);
    try {
      const { input } = await storeDelivery(db, receiver.url, retry);
      const { worker, taskQueue } = await createTestWorker(env, db, workerConfig);
      const handle = await env.client.workflow.start<typeof deliveryWorkflow>('deliveryWorkflow', {
        taskQueue,
        workflowId: `delivery-${input.deliveryId}`,
        args: [input],
      });
      await worker.runUntil(handle.result().catch(() => undefined));
      const history = temporal.api.history.v1.History.toObject(
        temporal.api.history.v1.History.create(await handle.fetchHistory()),
        { longs: String, enums: String, bytes: String },
      );
      writeFileSync(path.join(OUT, `${name}.json`), `${JSON.stringify(history, null, 1)}\n`);
    } finally {
      await receiver.close();
    }
  });
});
