import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { loadConfig } from '../../src/config';
import { NEXT_GOES_AHEAD } from '../../src/outbound/activities/send-webhook';
import { entityWorkflowId } from '../../src/outbound/deliveries/route';
import { createOutboundDeps, type OutboundDeps } from '../../src/outbound/deps';
import { createDeliveryStore } from '../../src/outbound/store/deliveries';
import { publishEvent } from '../../src/outbound/events/publish';
import { publishEventInput } from '../../src/outbound/events/schema';
import { createWebhook } from '../../src/outbound/webhooks/service';
import { createWebhookInput } from '../../src/outbound/webhooks/schema';
import { openTestDatabase } from '../helpers/db';
import { startReceiver, type Receiver, type Reply } from '../helpers/receiver';
import { createTestWorker, createTimeSkippingEnv } from '../helpers/time-skipping';
import { waitUntil } from '../helpers/wait';

/**
 * Ordering and coalescing per entity on the time-skipping server: hour-long windows and retry backoffs pass in
 * moments, while the receiver, the database and the activities are real.
 */
describe('entity lanes: ordering and coalescing (time-skipping)', () => {
  let env: TestWorkflowEnvironment;
  let db: Awaited<ReturnType<typeof openTestDatabase>>;
  const cleanups: (() => Promise<void>)[] = [];

  // Time skipping is global to a test server: each test has a server of its own.
  beforeAll(async () => {
    db = await openTestDatabase();
  });
  beforeEach(async () => {
    env = await createTimeSkippingEnv();
  });
  afterEach(async () => {
    await Promise.all(cleanups.splice(0).map((c) => c()));
    await env?.teardown();
  });
  afterAll(async () => {
    await db?.drop();
  });

  let projects = 0;
  /** A worker, a receiver and a webhook of a fresh project with the given settings; `publish` publishes to it. */
  async function setUp(
    webhook: Record<string, unknown>,
    script: (n: number) => Reply | Promise<Reply> = () => ({ status: 200 }),
    extra: Parameters<typeof createTestWorker>[3] = {},
  ) {
    const receiver: Receiver = await startReceiver(script);
    cleanups.push(() => receiver.close());
    const test = await createTestWorker(env, db, {}, extra);
    const config = loadConfig({
      API_TOKENS: 'unused-token',
      ALLOW_PRIVATE_TARGETS: 'true',
      TASK_QUEUE: test.taskQueue,
    });
    const deps: OutboundDeps = createOutboundDeps({ config, db, temporal: env.client });
    const projectId = `lanes${++projects}`;
    const created = await createWebhook(
      deps,
      createWebhookInput.parse({
        projectId,
        name: 'lane',
        url: receiver.url,
        triggers: [{ entityType: 'record', actions: ['create', 'update', 'delete'] }],
        ...webhook,
      }),
    );
    const publish = (action: string, entity: Record<string, unknown> & { id: string }) =>
      publishEvent(deps, publishEventInput.parse({ projectId, entityType: 'record', action, entity }));
    const entity = (id: string) => env.client.workflow.getHandle(entityWorkflowId(projectId, 'record', id));
    const bodies = () => receiver.requests.map((r) => JSON.parse(r.body) as Record<string, unknown>);
    return { receiver, test, deps, projectId, webhookId: created._id, publish, entity, bodies };
  }

  // The Java test server stops skipping time for good once a workflow started by another has signalled it back:
  // each test ends with its last delivery, and checks when it went by the server's clock.
  it('coalescing: one delivery once the entity has been quiet for quietMs, with the latest state and every event id', async () => {
    const t = await setUp({ coalesce: { quietMs: 10 * 60_000, maxWaitMs: 60 * 60_000 } });
    await t.test.worker.runUntil(async () => {
      const started = await env.currentTimeMs();
      const e1 = await t.publish('update', { id: 'a', title: 'v1' });
      await env.sleep('5 minutes');
      const e2 = await t.publish('update', { id: 'a', title: 'v2' });
      await t.entity('a').result();
      const tookMs = (await env.currentTimeMs()) - started;
      expect(t.bodies().map((b) => [b.eventIds, b.eventId, (b.payload as { title: string }).title])).toEqual([
        [[e1.eventId, e2.eventId], e2.eventId, 'v2'],
      ]);
      // Sent 10 min after the last event (at 15 min), not at the 1 h limit.
      expect(tookMs).toBeGreaterThanOrEqual(15 * 60_000);
      expect(tookMs).toBeLessThan(20 * 60_000);
      // The folded delivery ends with the one that carried it.
      const first = await db.models.Delivery.findById(e1.deliveries[0]!.id).lean();
      expect(first).toMatchObject({ status: 'done', coalescedInto: e2.deliveries[0]!.id });
      const carrier = await db.models.Delivery.findById(e2.deliveries[0]!.id).lean();
      expect(carrier).toMatchObject({ status: 'done', eventIds: [e1.eventId, e2.eventId] });
    });
  });

  it('coalescing: an entity never quiet still goes maxWaitMs (1 h) after its first event', async () => {
    const t = await setUp({ coalesce: { quietMs: 30 * 60_000, maxWaitMs: 60 * 60_000 } });
    await t.test.worker.runUntil(async () => {
      const started = await env.currentTimeMs();
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) {
        ids.push((await t.publish('update', { id: 'b', n: i })).eventId);
        if (i < 2) await env.sleep('25 minutes'); // never quiet for 30
      }
      await t.entity('b').result();
      const tookMs = (await env.currentTimeMs()) - started;
      // Events at 0, 25 and 50 min went at 60 min (quiet would have been 80).
      expect(t.bodies().map((b) => b.eventIds)).toEqual([ids]);
      expect(tookMs).toBeGreaterThanOrEqual(60 * 60_000);
      expect(tookMs).toBeLessThan(65 * 60_000);
    });
  });

  it('coalescing: create then delete inside a window is the delete alone', async () => {
    const t = await setUp({ coalesce: { quietMs: 60_000, maxWaitMs: 60_000 } });
    await t.test.worker.runUntil(async () => {
      const c = await t.publish('create', { id: 'c', title: 'draft' });
      const d = await t.publish('delete', { id: 'c' });
      await t.entity('c').result();
      expect(t.bodies()).toEqual([
        expect.objectContaining({
          action: 'delete',
          eventId: d.eventId,
          eventIds: [c.eventId, d.eventId],
          payload: { id: 'c' },
        }),
      ]);
    });
  });

  it('ordering: updates published while the head retries arrive after it, as one, with the latest state', async () => {
    const t = await setUp({ ordering: 'entity' }, (n) => (n <= 3 ? { status: 500 } : { status: 200 }));
    await t.test.worker.runUntil(async () => {
      const head = await t.publish('create', { id: 'o', title: 'v0' });
      await waitFor(() => t.receiver.requests.length >= 1); // the head is in flight, failing
      const updates = [];
      for (let i = 1; i <= 3; i++) updates.push((await t.publish('update', { id: 'o', title: `v${i}` })).eventId);
      await t.entity('o').result();
      expect(t.bodies().map((b) => [b.action, (b.payload as { title: string }).title, b.eventIds])).toEqual([
        ['create', 'v0', [head.eventId]],
        ['create', 'v0', [head.eventId]],
        ['create', 'v0', [head.eventId]],
        ['create', 'v0', [head.eventId]],
        ['update', 'v3', updates],
      ]);
    });
  });

  it('ordering: a head that fails for good lets the next go, and its log entry says so', async () => {
    const t = await setUp({ ordering: 'entity', retryPolicy: { maximumAttempts: 2 } }, (n) =>
      n <= 2 ? { status: 500 } : { status: 200 },
    );
    await t.test.worker.runUntil(async () => {
      const head = await t.publish('create', { id: 'f' });
      await waitFor(() => t.receiver.requests.length >= 1);
      const next = await t.publish('update', { id: 'f', title: 'after' });
      await t.entity('f').result();
      expect(t.bodies().map((b) => b.eventId)).toEqual([head.eventId, head.eventId, next.eventId]);
      const failed = await db.models.Delivery.findById(head.deliveries[0]!.id).lean();
      expect(failed).toMatchObject({ status: 'error', attempts: 2 });
      const last = await db.models.LogEntry.findOne({ deliveryId: head.deliveries[0]!.id, attempt: 2 }).lean();
      expect(last?.error).toBe(`HTTP 500${NEXT_GOES_AHEAD}`);
      expect(await db.models.Delivery.findById(next.deliveries[0]!.id).lean()).toMatchObject({ status: 'done' });
    });
  });

  it("ordering: the end of the head signalled while the entity's workflow awaits its bookkeeping is not missed", async () => {
    // Taking places in the ring is slow here (1 s), and the head's request takes 300 ms: its end is signalled while
    // the workflow awaits the bookkeeping of the event queued behind it.
    const real = createDeliveryStore(db, 300);
    const slowKeep = {
      ...real,
      keep: async (refs: Parameters<typeof real.keep>[0]) => {
        await new Promise((r) => setTimeout(r, 1_000));
        return real.keep(refs);
      },
    };
    const t = await setUp(
      { ordering: 'entity' },
      async () => {
        await new Promise((r) => setTimeout(r, 300));
        return { status: 200 };
      },
      { stores: { deliveries: slowKeep } },
    );
    await t.test.worker.runUntil(async () => {
      const first = await t.publish('update', { id: 'w', title: 'v1' });
      const second = await t.publish('update', { id: 'w', title: 'v2' });
      await t.entity('w').result();
      expect(t.bodies().map((b) => b.eventId)).toEqual([first.eventId, second.eventId]);
    });
  });

  it('other entities never wait behind a retrying one', async () => {
    const t = await setUp({ ordering: 'entity' }, () => ({ status: 200 }));
    const stuck = await startReceiver(() => ({ status: 500 }));
    cleanups.push(() => stuck.close());
    await t.test.worker.runUntil(async () => {
      // Entity x is held by a head that fails (its webhook's URL points at a failing receiver for x only).
      await db.models.Webhook.updateOne({ _id: t.webhookId }, { $set: { url: stuck.url } });
      await t.publish('create', { id: 'x' });
      await waitFor(() => stuck.requests.length >= 1);
      await db.models.Webhook.updateOne({ _id: t.webhookId }, { $set: { url: t.receiver.url, updatedAt: new Date() } });
      await t.publish('create', { id: 'y' });
      await t.entity('y').result();
      expect(t.bodies().map((b) => (b.payload as { id: string }).id)).toEqual(['y']);
    });
  });
});

function waitFor(check: () => boolean, timeoutMs = 10_000) {
  return waitUntil('the condition', check, (ok) => ok, { timeoutMs, everyMs: 20 });
}
