import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { WorkflowFailedError } from '@temporalio/client';
import { newId } from '../../src/ids';
import { generateSecret } from '../../src/delivery/signature';
import { DEFAULT_RETRY_POLICY, effectiveRetryPolicy, totalBackoffMs } from '../../src/delivery/retry-policy';
import type { DeliveryInput } from '../../src/delivery/types';
import type { deliveryWorkflow } from '../../src/workflows';
import { openTestDatabase } from '../helpers/db';
import { startReceiver, type Reply } from '../helpers/receiver';
import { createTestWorker, createTimeSkippingEnv } from '../helpers/time-skipping';

/** The retry path under the real, hours-long policy, in the time-skipping environment. */
describe('delivery workflow retries (time-skipping)', () => {
  let env: TestWorkflowEnvironment;
  let db: Awaited<ReturnType<typeof openTestDatabase>>;

  beforeAll(async () => {
    [env, db] = await Promise.all([createTimeSkippingEnv(), openTestDatabase()]);
  });
  afterAll(async () => {
    await env?.teardown();
    await db?.drop();
  });

  async function deliverTo(script: (n: number) => Reply, retry = effectiveRetryPolicy()) {
    const receiver = await startReceiver(script);
    const webhookId = newId('wh');
    await db.models.Webhook.create({
      _id: webhookId,
      projectId: 'proj',
      name: 'retrying',
      url: `${receiver.url}/hook`,
      triggers: [{ entityType: 'record', actions: ['create'] }],
      secret: generateSecret(),
    });
    const deliveryId = newId('dlv');
    await db.models.Delivery.create({
      _id: deliveryId,
      projectId: 'proj',
      webhookId,
      eventId: 'evt',
      workflowId: `delivery-${deliveryId}`,
      action: 'create',
      entityType: 'record',
      body: '{"hello":"world"}',
    });
    const input: DeliveryInput = { deliveryId, projectId: 'proj', webhookId, body: '{"hello":"world"}', contentType: 'application/json', retry };
    const { worker, taskQueue } = await createTestWorker(env, db);
    const startedAt = await env.currentTimeMs();
    const outcome = await worker
      .runUntil(env.client.workflow.execute<typeof deliveryWorkflow>('deliveryWorkflow', { taskQueue, workflowId: `delivery-${deliveryId}`, args: [input] }))
      .then(
        (result) => ({ result, error: undefined }),
        (error: unknown) => ({ result: undefined, error }),
      );
    const skippedMs = (await env.currentTimeMs()) - startedAt;
    await receiver.close();
    const delivery = await db.models.Delivery.findById(deliveryId).lean();
    const logs = await db.models.LogEntry.find({ deliveryId }).sort({ attempt: 1 }).lean();
    return { ...outcome, receiver, delivery: delivery!, logs, skippedMs };
  }

  it('a receiver that fails 9 times and then answers 200 gets exactly 10 attempts over hours', async () => {
    const { result, receiver, delivery, logs, skippedMs } = await deliverTo((n) => (n < 10 ? { status: 500 } : { status: 200 }));

    expect(result).toEqual({ status: 'done', attempts: 10, statusCode: 200 });
    expect(receiver.requests).toHaveLength(10);
    // One stable id on every attempt, a timestamp of each attempt's own.
    expect(new Set(receiver.requests.map((r) => r.headers['webhook-id']))).toEqual(new Set([delivery._id]));
    expect(delivery).toMatchObject({ status: 'done', attempts: 10, lastStatusCode: 200 });
    expect(logs.map((l) => [l.attempt, l.status, (l.response as { status: number }).status])).toEqual([
      ...Array.from({ length: 9 }, (_, i) => [i + 1, 'error', 500]),
      [10, 'done', 200],
    ]);
    // The policy's backoff (30 s doubling, capped at 2 h) adds up to hours, all of which were skipped.
    expect(totalBackoffMs(DEFAULT_RETRY_POLICY)).toBeGreaterThan(4 * 60 * 60 * 1000);
    expect(skippedMs).toBeGreaterThanOrEqual(totalBackoffMs(DEFAULT_RETRY_POLICY));
  });

  it('a receiver that always fails gets exactly 10 attempts, then the delivery is an error', async () => {
    const { error, receiver, delivery, logs } = await deliverTo(() => ({ status: 503, body: 'down for maintenance' }));

    expect(error).toBeInstanceOf(WorkflowFailedError);
    expect(receiver.requests).toHaveLength(10);
    expect(delivery).toMatchObject({ status: 'error', attempts: 10, lastStatusCode: 503, lastError: 'HTTP 503' });
    expect(logs).toHaveLength(10);
    expect(logs.every((l) => l.status === 'error' && (l.response as { body: string }).body === 'down for maintenance')).toBe(true);
  });

  it('a refused connection is a failed attempt, retried like any other', async () => {
    const retry = effectiveRetryPolicy({ maximumAttempts: 3 });
    const receiver = await startReceiver();
    const closedUrl = receiver.url;
    await receiver.close(); // nothing listens there any more
    const webhookId = newId('wh');
    await db.models.Webhook.create({
      _id: webhookId,
      projectId: 'proj',
      name: 'gone',
      url: closedUrl,
      triggers: [{ entityType: 'record', actions: ['create'] }],
      secret: generateSecret(),
    });
    const deliveryId = newId('dlv');
    await db.models.Delivery.create({ _id: deliveryId, projectId: 'proj', webhookId, eventId: 'e', workflowId: 'w', action: 'create', entityType: 'record', body: '{}' });
    const { worker, taskQueue } = await createTestWorker(env, db);
    await expect(
      worker.runUntil(
        env.client.workflow.execute<typeof deliveryWorkflow>('deliveryWorkflow', {
          taskQueue,
          workflowId: `delivery-${deliveryId}`,
          args: [{ deliveryId, projectId: 'proj', webhookId, body: '{}', contentType: 'application/json', retry }],
        }),
      ),
    ).rejects.toBeInstanceOf(WorkflowFailedError);
    const logs = await db.models.LogEntry.find({ deliveryId }).lean();
    expect(logs).toHaveLength(3);
    expect(logs.every((l) => /^Request failed: connection refused/.test(l.error ?? ''))).toBe(true);
    expect(await db.models.Delivery.findById(deliveryId).lean()).toMatchObject({ status: 'error', attempts: 3 });
  });
});
