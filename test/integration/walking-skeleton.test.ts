import { TRPCClientError } from '@trpc/client';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { startReceiver, type Receiver } from '../helpers/receiver';
import { startStack, type Stack } from '../helpers/stack';

/** The path through every real part: API → MongoDB-compatible store → Temporal → worker → HTTP receiver. */
describe('walking skeleton', () => {
  let stack: Stack;
  let receiver: Receiver;

  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });
  afterEach(async () => {
    await receiver?.close();
  });

  const trigger = { entityType: 'record' as const, actions: ['create' as const, 'delete' as const] };

  it('delivers a published event, signed, and logs the attempt', async () => {
    receiver = await startReceiver();
    const webhook = await stack.api.webhooks.create.mutate({
      projectId: 'proj-1',
      name: 'Notify shop',
      url: `${receiver.url}/notify`,
      triggers: [{ ...trigger, contentTypes: ['product'] }],
    });
    const published = await stack.api.events.publish.mutate({
      projectId: 'proj-1',
      entityType: 'record',
      action: 'create',
      contentType: 'product',
      entity: { id: 'product-1', name: 'Premium pack & "more"', price: 500 },
    });
    expect(published.deliveries).toHaveLength(1);
    const [delivery] = published.deliveries;
    expect(delivery!.workflowId).toBe(`delivery-${delivery!.id}`);

    await stack.temporal.workflow.getHandle(delivery!.workflowId).result();
    expect(receiver.requests).toHaveLength(1);
    const req = receiver.requests[0]!;
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/notify');
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.headers['user-agent']).toMatch(/^Hookline\/\d+\.\d+\.\d+$/);

    const { secret } = await stack.db.models.Webhook.findById(webhook.id)
      .lean()
      .then((w) => ({ secret: w!.secret }));
    const verified = new StandardWebhook(secret).verify(req.body, {
      'webhook-id': String(req.headers['webhook-id']),
      'webhook-timestamp': String(req.headers['webhook-timestamp']),
      'webhook-signature': String(req.headers['webhook-signature']),
    });
    expect(verified).toEqual({
      webhookId: webhook.id,
      eventId: published.eventId,
      action: 'create',
      entityType: 'record',
      contentTypeName: 'product',
      ref: null,
      occurredAt: expect.any(String),
      payload: { id: 'product-1', name: 'Premium pack & "more"', price: 500 },
    });
    expect(req.headers['webhook-id']).toBe(delivery!.id);

    const got = await stack.api.deliveries.get.query({ projectId: 'proj-1', id: delivery!.id });
    expect(got).toMatchObject({
      id: delivery!.id,
      webhookId: webhook.id,
      status: 'done',
      attempts: 1,
      lastStatusCode: 200,
    });

    const logs = await stack.api.logs.list.query({ projectId: 'proj-1', webhookId: webhook.id });
    expect(logs.nextCursor).toBeNull();
    expect(logs.items).toHaveLength(1);
    expect(logs.items[0]).toMatchObject({
      deliveryId: delivery!.id,
      attempt: 1,
      status: 'done',
      request: { url: `${receiver.url}/notify`, method: 'POST', body: req.body },
      response: { status: 200 },
    });
  });

  it('starts the workflow before it answers, findable by its search attributes', async () => {
    receiver = await startReceiver(() => 'hang');
    const webhook = await stack.api.webhooks.create.mutate({
      projectId: 'proj-sa',
      name: 'slow',
      url: receiver.url,
      triggers: [trigger],
      retryPolicy: { timeoutMs: 1_000, maximumAttempts: 1 },
    });
    const published = await stack.api.events.publish.mutate({
      projectId: 'proj-sa',
      entityType: 'record',
      action: 'create',
      contentType: 'article',
      entity: { id: 'a-9' },
    });
    const handle = stack.temporal.workflow.getHandle(published.deliveries[0]!.workflowId);
    const description = await handle.describe(); // exists the moment publish has answered
    expect(description.type).toBe('deliveryWorkflow');
    expect(description.taskQueue).toBe(stack.config.TASK_QUEUE);
    expect(description.searchAttributes).toMatchObject({
      HooklineProjectId: ['proj-sa'],
      HooklineWebhookId: [webhook.id],
      HooklineAction: ['create'],
      HooklineContentType: ['article'],
      HooklineEntityId: ['a-9'],
    });
    await expect(handle.result()).rejects.toThrow();
    expect(
      await stack.api.deliveries.get.query({ projectId: 'proj-sa', id: published.deliveries[0]!.id }),
    ).toMatchObject({
      status: 'error',
      attempts: 1,
      lastError: expect.stringContaining('no answer within 1000 ms'),
    });
  });

  it('publishing the same event again creates nothing new', async () => {
    receiver = await startReceiver();
    await stack.api.webhooks.create.mutate({
      projectId: 'proj-idem',
      name: 'a',
      url: receiver.url,
      triggers: [trigger],
    });
    await stack.api.webhooks.create.mutate({
      projectId: 'proj-idem',
      name: 'b',
      url: receiver.url,
      triggers: [trigger],
    });
    const event = {
      projectId: 'proj-idem',
      eventId: 'evt-42',
      entityType: 'record' as const,
      action: 'delete' as const,
      entity: { id: 'r1', title: 'x' },
    };
    const [first, second, third] = await Promise.all([
      stack.api.events.publish.mutate(event),
      stack.api.events.publish.mutate(event),
      stack.api.events.publish.mutate(event),
    ]);
    expect(first.deliveries).toHaveLength(2);
    expect(second).toEqual(first);
    expect(third).toEqual(first);
    await Promise.all(first.deliveries.map((d) => stack.temporal.workflow.getHandle(d.workflowId).result()));
    expect(receiver.requests).toHaveLength(2);
    expect(await stack.db.models.Delivery.countDocuments({ projectId: 'proj-idem' })).toBe(2);
    // On delete only the id is sent.
    expect(JSON.parse(receiver.requests[0]!.body).payload).toEqual({ id: 'r1' });
  });

  it('matches only enabled webhooks whose trigger fits', async () => {
    receiver = await startReceiver();
    const base = { projectId: 'proj-match', url: receiver.url };
    const products = await stack.api.webhooks.create.mutate({
      ...base,
      name: 'p',
      triggers: [{ ...trigger, contentTypes: ['product'] }],
    });
    await stack.api.webhooks.create.mutate({
      ...base,
      name: 'a',
      triggers: [{ ...trigger, contentTypes: ['article'] }],
    });
    await stack.api.webhooks.create.mutate({ ...base, name: 'off', enabled: false, triggers: [trigger] });
    await stack.api.webhooks.create.mutate({
      ...base,
      name: 'uploads',
      triggers: [{ entityType: 'upload', actions: ['create'] }],
    });
    const published = await stack.api.events.publish.mutate({
      projectId: 'proj-match',
      entityType: 'record',
      action: 'create',
      contentType: 'product',
      entity: { id: 'p1' },
    });
    expect(published.deliveries.map((d) => d.webhookId)).toEqual([products.id]);
  });

  it('refuses a call without a valid token, and a bad input naming each field, storing nothing', async () => {
    await expect(stack.client('wrong-token').webhooks.list.query({ projectId: 'p' })).rejects.toMatchObject({
      data: { code: 'UNAUTHORIZED', httpStatus: 401 },
    });
    const bad = stack.api.webhooks.create.mutate({
      projectId: 'bad project!',
      name: '',
      url: 'ftp://example.com',
      triggers: [{ entityType: 'record', actions: [] }],
    });
    await expect(bad).rejects.toBeInstanceOf(TRPCClientError);
    const err = (await bad.catch((e: unknown) => e)) as TRPCClientError<never>;
    expect(err.data).toMatchObject({ code: 'BAD_REQUEST', httpStatus: 400 });
    for (const field of ['projectId', 'name', 'url', 'triggers.0.actions']) expect(err.message).toContain(`${field}:`);
    expect(await stack.db.models.Webhook.countDocuments({ name: '' })).toBe(0);

    await expect(
      stack.api.events.publish.mutate({ projectId: 'p', entityType: 'record', action: 'custom', entity: { id: 'x' } }),
    ).rejects.toMatchObject({ message: expect.stringContaining('action:') });
  });

  it('answers plain HTTP: /healthz and a tRPC query by GET', async () => {
    const health = await fetch(`${stack.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ ok: true, mongo: 'up', temporal: 'up' });

    const input = encodeURIComponent(JSON.stringify({ projectId: 'nobody' }));
    const res = await fetch(`${stack.url}/trpc/webhooks.list?input=${input}`, {
      headers: { authorization: 'Bearer test-token-0123456789' },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ result: { data: { items: [], nextCursor: null } } });

    const unauth = await fetch(`${stack.url}/trpc/webhooks.list?input=${input}`);
    expect(unauth.status).toBe(401);
  });
});
