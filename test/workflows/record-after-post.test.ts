import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createOutboundActivityStores, type OutboundActivityStores } from '../../src/outbound/activities';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/shared/logger';
import { outboundActivityDeps } from '../../src/worker';
import { openTestDatabase } from '../helpers/db';
import { storeDelivery } from '../helpers/fixtures';
import { startReceiver, type Receiver, type Reply } from '../helpers/receiver';
import { createTestWorker, createTimeSkippingEnv, runDeliveryToEnd } from '../helpers/time-skipping';

type Db = Awaited<ReturnType<typeof openTestDatabase>>;

/**
 * A write after the request must never cause another request: the request is made once, and what failed to be
 * recorded is recorded by the workflow. Each case makes one real write against the real database fail once,
 * right after the POST (the stores are the real ones, one method wrapped), as a database blip, a collision of
 * two workers on one webhook's log (MongoDB), or a failed disable after a 410 would.
 */
describe('recording an attempt after its request (time-skipping)', () => {
  let env: TestWorkflowEnvironment;
  let db: Db;
  const receivers: Receiver[] = [];

  beforeAll(async () => {
    [env, db] = await Promise.all([createTimeSkippingEnv(), openTestDatabase()]);
  });
  afterAll(async () => {
    await Promise.all(receivers.map((r) => r.close()));
    await env?.teardown();
    await db?.drop();
  });

  /** The real stores, with `method` of `store` failing the first time it is called. */
  function storesFailingOnce<S extends keyof OutboundActivityStores>(store: S, method: string) {
    const config = loadConfig({ API_TOKENS: 'unused-token', ALLOW_PRIVATE_TARGETS: 'true' });
    const stores = createOutboundActivityStores(outboundActivityDeps(config, db, createLogger('silent')));
    const target: object = stores[store];
    const real: unknown = Reflect.get(target, method);
    if (typeof real !== 'function') throw new Error(`${store}.${method} is not a method`);
    let calls = 0;
    Reflect.set(target, method, async (...args: unknown[]) => {
      if (++calls === 1) throw new Error(`injected: ${store}.${method} failed once`);
      return Reflect.apply(real, target, args);
    });
    return { stores, calls: () => calls };
  }

  async function deliverOnce(reply: Reply, fail: ReturnType<typeof storesFailingOnce>) {
    const r = await startReceiver(() => reply);
    receivers.push(r);
    const { input, webhookId } = await storeDelivery(db, `${r.url}/hook`);
    const outcome = await runDeliveryToEnd(env, await createTestWorker(env, db, {}, { stores: fail.stores }), input);
    const delivery = await db.models.Delivery.findById(input.deliveryId).lean();
    const logs = await db.models.LogEntry.find({ deliveryId: input.deliveryId }).lean();
    const webhook = await db.models.Webhook.findById(webhookId).lean();
    return { ...outcome, requests: r.requests.length, delivery, logs, webhook };
  }

  it('a log entry that fails to be written after a 2xx: one request, logged once, delivery done', async () => {
    const fail = storesFailingOnce('executionLog', 'record');
    const run = await deliverOnce({ status: 200 }, fail);
    expect(fail.calls()).toBe(2);
    expect(run.requests).toBe(1);
    expect(run.result).toEqual({ status: 'done', attempts: 1, statusCode: 200 });
    expect(run.delivery).toMatchObject({ status: 'done', attempts: 1, lastStatusCode: 200 });
    expect(run.logs).toHaveLength(1);
    expect(run.logs[0]).toMatchObject({ attempt: 1, status: 'done', response: { status: 200 } });
  });

  it('a delivery record that fails to be written after a 2xx: one request, and its log entry written once', async () => {
    const fail = storesFailingOnce('deliveries', 'attempted');
    const run = await deliverOnce({ status: 204 }, fail);
    expect(run.requests).toBe(1);
    expect(run.delivery).toMatchObject({ status: 'done', attempts: 1, lastStatusCode: 204 });
    expect(run.logs).toHaveLength(1);
  });

  it('a 410 whose disable fails: one request, the webhook disabled, the delivery ended as error', async () => {
    const fail = storesFailingOnce('webhooks', 'disable');
    const run = await deliverOnce({ status: 410 }, fail);
    expect(fail.calls()).toBe(2);
    expect(run.requests).toBe(1);
    expect(run.error).toBeDefined();
    expect(run.webhook).toMatchObject({ enabled: false, disabledReason: expect.stringMatching(/410 Gone/) });
    expect(run.delivery).toMatchObject({ status: 'error', attempts: 1, lastStatusCode: 410 });
    expect(run.logs).toHaveLength(1);
  });
});
