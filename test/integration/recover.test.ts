import { startReceiver, type Receiver, type Reply } from '../helpers/receiver';
import { startStack, type Stack } from '../helpers/stack';
import { waitUntil } from '../helpers/wait';

/** Recovering what an outage missed, on the dev stack: one durable workflow per recovery. */
describe('deliveries.recover', () => {
  let stack: Stack;
  const receivers: Receiver[] = [];
  beforeAll(async () => {
    // The outages here are on purpose: no circuit breaker pause after them.
    stack = await startStack({ CIRCUIT_FAILURE_THRESHOLD: '1000' });
  });
  afterAll(async () => {
    await Promise.all(receivers.map((r) => r.close()));
    await stack?.stop();
  });
  async function receiver(script: (n: number) => Reply | Promise<Reply>) {
    const r = await startReceiver(script);
    receivers.push(r);
    return r;
  }
  const publish = (projectId: string, id: string, contentType = 'page') =>
    stack.api.events.publish.mutate({ projectId, entityType: 'record', action: 'update', contentType, entity: { id } });

  it('re-sends what failed under its original webhook-id, and what was missed while disabled, each once', async () => {
    let down = true;
    const r = await receiver(() => (down ? { status: 503 } : { status: 200 }));
    const projectId = 'recover';
    const webhook = await stack.api.webhooks.create.mutate({
      projectId,
      name: 'site',
      url: r.url,
      triggers: [{ entityType: 'record', actions: ['update'] }],
      retryPolicy: { maximumAttempts: 1 },
    });
    const since = new Date(Date.now() - 1_000).toISOString();
    // The outage: 4 pages fail for good, and an article (left out by the filter below).
    const failed = [];
    for (let i = 0; i < 4; i++) failed.push(await publish(projectId, `p${i}`));
    const article = await publish(projectId, 'a1', 'article');
    for (const p of [...failed, article]) {
      await waitUntil(
        'the failure',
        () => stack.api.deliveries.get.query({ projectId, id: p.deliveries[0]!.id }),
        (d) => d.status === 'error',
        { timeoutMs: 20_000 },
      );
    }
    // Disabled meanwhile: 2 pages missed.
    await stack.api.webhooks.update.mutate({ projectId, id: webhook.id, enabled: false });
    const missed = [await publish(projectId, 'm1'), await publish(projectId, 'm2')];
    expect(missed.every((m) => m.deliveries.length === 0)).toBe(true);
    await stack.api.webhooks.update.mutate({ projectId, id: webhook.id, enabled: true });
    down = false;
    const requestsBefore = r.requests.length;

    const request = { projectId, webhookId: webhook.id, since, contentTypes: ['page'], includeMissed: true };
    const dry = await stack.api.deliveries.recover.mutate({ ...request, idempotencyKey: 'outage-1', dryRun: true });
    expect(dry).toEqual({ id: null, estimate: 7 });
    const { id, estimate } = await stack.api.deliveries.recover.mutate({ ...request, idempotencyKey: 'outage-1' });
    expect(estimate).toBe(7);
    // The same key, the same recovery.
    expect((await stack.api.deliveries.recover.mutate({ ...request, idempotencyKey: 'outage-1' })).id).toBe(id);

    const done = await waitUntil(
      'the recovery',
      () => stack.api.recoveries.get.query({ projectId, id: id! }),
      (x) => x.status === 'done',
      { timeoutMs: 30_000 },
    );
    expect(done).toMatchObject({ total: 6, sent: 6, failed: 0, skipped: 0, finishedAt: expect.any(String) });
    const again = r.requests.slice(requestsBefore);
    const bodies = again.map((q) => JSON.parse(q.body) as { eventId: string });
    // Each failed page once more, under the webhook-id its first attempt had; each missed page once; no article.
    expect(again).toHaveLength(6);
    for (const f of failed) {
      const resent = again.filter((q) => q.headers['webhook-id'] === f.deliveries[0]!.id);
      expect(resent).toHaveLength(1);
    }
    expect(new Set(bodies.map((b) => b.eventId))).toEqual(new Set([...failed, ...missed].map((p) => p.eventId)));
    for (const f of failed) {
      expect(await stack.api.deliveries.get.query({ projectId, id: f.deliveries[0]!.id })).toMatchObject({
        status: 'done',
      });
    }
    const listed = await stack.api.recoveries.list.query({ projectId, webhookId: webhook.id });
    expect(listed.items.map((x) => x.id)).toEqual([id]);
    expect(await stack.api.recoveries.cancel.mutate({ projectId, id: id! })).toEqual({ id, cancelled: false });
  });

  it('stops at cancel, and says so', async () => {
    let down = true;
    const r = await receiver(async () => {
      if (down) return { status: 500 };
      await new Promise((res) => setTimeout(res, 400));
      return { status: 200 };
    });
    const projectId = 'recover-cancel';
    const webhook = await stack.api.webhooks.create.mutate({
      projectId,
      name: 'slow',
      url: r.url,
      triggers: [{ entityType: 'record', actions: ['update'] }],
      retryPolicy: { maximumAttempts: 1 },
      ordering: 'entity', // one in flight at a time: the window is 1
    });
    const since = new Date(Date.now() - 1_000).toISOString();
    const published = [];
    for (let i = 0; i < 20; i++) published.push(await publish(projectId, `c${i}`));
    await waitUntil(
      'the failures',
      async () => (await stack.api.deliveries.list.query({ projectId, status: 'error', limit: 100 })).items.length,
      (n) => n === 20,
      { timeoutMs: 30_000 },
    );
    down = false;
    const { id } = await stack.api.deliveries.recover.mutate({
      projectId,
      webhookId: webhook.id,
      since,
      idempotencyKey: 'c',
    });
    await waitUntil(
      'a first re-send',
      () => Promise.resolve(r.requests.length),
      (n) => n > 21,
      { timeoutMs: 20_000 },
    );
    expect(await stack.api.recoveries.cancel.mutate({ projectId, id: id! })).toEqual({ id, cancelled: true });
    const cancelled = await waitUntil(
      'the cancel',
      () => stack.api.recoveries.get.query({ projectId, id: id! }),
      (x) => x.status === 'cancelled',
      { timeoutMs: 20_000 },
    );
    expect(cancelled.sent).toBeLessThan(20);
  });

  it('refuses a window that ends before it starts, naming the field, and an unknown webhook', async () => {
    await expect(
      stack.api.deliveries.recover.mutate({
        projectId: 'recover',
        webhookId: 'wh_x',
        since: '2026-01-02T00:00:00Z',
        until: '2026-01-01T00:00:00Z',
        idempotencyKey: 'k',
      }),
    ).rejects.toMatchObject({ data: { httpStatus: 400 }, message: expect.stringContaining('until') });
    await expect(
      stack.api.deliveries.recover.mutate({
        projectId: 'recover',
        webhookId: 'wh_x',
        since: '2026-01-01T00:00:00Z',
        idempotencyKey: 'k',
      }),
    ).rejects.toMatchObject({ data: { httpStatus: 404 } });
  });
});
