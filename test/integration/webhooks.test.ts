import { TRPCClientError } from '@trpc/client';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { driverCollection } from '../../src/db/driver';
import { retentionScheduleId } from '../../src/retention/schedule';
import type { DeliveryRecord } from '../../src/outbound/store/records';
import { startReceiver, type Receiver } from '../helpers/receiver';
import { UNSIGNED_DRAFT } from '../../src/outbound/webhooks/preview';
import { startStack, type Stack } from '../helpers/stack';

const trigger = { entityType: 'record' as const, actions: ['create' as const, 'update' as const] };

async function errorOf(p: Promise<unknown>): Promise<TRPCClientError<any>> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof TRPCClientError)) throw new Error(`expected a TRPCClientError, got ${String(err)}`);
  return err;
}

function verify(secret: string, req: Receiver['requests'][number]) {
  return new StandardWebhook(secret).verify(req.body, {
    'webhook-id': String(req.headers['webhook-id']),
    'webhook-timestamp': String(req.headers['webhook-timestamp']),
    'webhook-signature': String(req.headers['webhook-signature']),
  });
}

describe('webhooks (private targets allowed, as under npm run dev)', () => {
  let stack: Stack;
  let receiver: Receiver;
  beforeAll(async () => {
    stack = await startStack();
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await receiver?.close();
    await stack?.stop();
  });
  const settle = (workflowId: string) =>
    stack.temporal.workflow
      .getHandle(workflowId)
      .result()
      .catch(() => undefined);

  it('creates, reads (secrets redacted), lists, updates and deletes', async () => {
    const created = await stack.api.webhooks.create.mutate({
      projectId: 'crud',
      name: 'Full',
      url: `${receiver.url}/full`,
      triggers: [trigger, { entityType: 'upload', actions: ['delete'] }],
      headers: { 'x-api-key': 'super-secret', 'x-source': 'hookline' },
      auth: { type: 'basic', username: 'cms', password: 'pa55word' },
      retryPolicy: { maximumAttempts: 3 },
    });
    expect(created).toMatchObject({
      projectId: 'crud',
      enabled: true,
      headers: { 'x-api-key': '[redacted]', 'x-source': '[redacted]' },
      auth: { type: 'basic', username: 'cms', password: '[redacted]' },
      contentType: 'application/json',
      retryPolicy: {
        maximumAttempts: 3,
        initialIntervalMs: 30_000,
        backoffCoefficient: 2,
        maximumIntervalMs: 7_200_000,
        timeoutMs: 15_000,
      },
    });
    expect(JSON.stringify(created)).not.toMatch(/super-secret|pa55word|whsec_/);
    expect(await stack.api.webhooks.get.query({ projectId: 'crud', id: created.id })).toEqual(created);

    // A read-modify-write keeps the secrets it saw only as [redacted].
    const updated = await stack.api.webhooks.update.mutate({
      projectId: 'crud',
      id: created.id,
      name: 'Renamed',
      headers: { ...created.headers, 'x-extra': 'new' },
      auth: created.auth as { type: 'basic'; username: string; password: string },
    });
    expect(updated).toMatchObject({ name: 'Renamed', url: created.url, triggers: created.triggers });
    const stored = (await stack.db.models.Webhook.findById(created.id).lean())!;
    expect(stored.headers).toEqual({ 'x-api-key': 'super-secret', 'x-source': 'hookline', 'x-extra': 'new' });
    expect(stored.auth).toEqual({ type: 'basic', username: 'cms', password: 'pa55word' });

    const published = await stack.api.events.publish.mutate({
      projectId: 'crud',
      entityType: 'record',
      action: 'update',
      entity: { id: 'r1' },
    });
    await settle(published.deliveries[0]!.workflowId);
    const req = receiver.requests.find((r) => r.path === '/full')!;
    expect(req.headers).toMatchObject({
      'x-api-key': 'super-secret',
      'x-extra': 'new',
      authorization: `Basic ${Buffer.from('cms:pa55word').toString('base64')}`,
    });
    const [log] = (await stack.api.logs.list.query({ projectId: 'crud', webhookId: created.id })).items;
    expect(log!.request.headers).toMatchObject({
      'x-api-key': '[redacted]',
      authorization: '[redacted]',
      'content-type': 'application/json',
    });
    expect(JSON.stringify(log)).not.toMatch(/super-secret|pa55word/);

    const cleared = await stack.api.webhooks.update.mutate({
      projectId: 'crud',
      id: created.id,
      auth: null,
      enabled: false,
    });
    expect(cleared).toMatchObject({ auth: null, enabled: false });

    expect(await stack.api.webhooks.delete.mutate({ projectId: 'crud', id: created.id })).toEqual({
      id: created.id,
      deleted: true,
    });
    expect((await errorOf(stack.api.webhooks.get.query({ projectId: 'crud', id: created.id }))).data.code).toBe(
      'NOT_FOUND',
    );
  });

  it('takes ordering, coalescing and digest, shows them, clears coalescing with null, and refuses bad values naming the field', async () => {
    const base = {
      projectId: 'lanes-api',
      name: 'lanes',
      url: receiver.url,
      triggers: [{ entityType: 'record' as const, actions: ['update' as const] }],
    };
    const plain = await stack.api.webhooks.create.mutate(base);
    expect(plain).toMatchObject({ ordering: 'none', coalesce: null, digest: false });
    const created = await stack.api.webhooks.create.mutate({
      ...base,
      ordering: 'entity',
      coalesce: { quietMs: 1_000, maxWaitMs: 60_000 },
      digest: true,
    });
    expect(created).toMatchObject({
      ordering: 'entity',
      coalesce: { quietMs: 1_000, maxWaitMs: 60_000 },
      digest: true,
    });
    const cleared = await stack.api.webhooks.update.mutate({
      projectId: base.projectId,
      id: created.id,
      coalesce: null,
    });
    expect(cleared).toMatchObject({ ordering: 'entity', coalesce: null, digest: true });

    for (const [bad, field] of [
      [{ coalesce: { quietMs: 999, maxWaitMs: 5_000 } }, 'coalesce.quietMs'],
      [{ coalesce: { quietMs: 3_600_001, maxWaitMs: 86_400_000 } }, 'coalesce.quietMs'],
      [{ coalesce: { quietMs: 5_000, maxWaitMs: 4_000 } }, 'coalesce.maxWaitMs'],
      [{ coalesce: { quietMs: 5_000, maxWaitMs: 86_400_001 } }, 'coalesce.maxWaitMs'],
      [{ ordering: 'fifo' }, 'ordering'],
      [{ digest: 'yes' }, 'digest'],
    ] as const) {
      const before = await stack.db.models.Webhook.countDocuments({ projectId: base.projectId });
      // @ts-expect-error: values outside the contract, as a client in another language could send
      const err = await errorOf(stack.api.webhooks.create.mutate({ ...base, ...bad }));
      expect(err.data).toMatchObject({ code: 'BAD_REQUEST', httpStatus: 400 });
      expect(err.message).toContain(`${field}:`);
      // The same problem at its field, for a form to show beside it.
      expect(err.data.issues).toEqual(expect.arrayContaining([expect.objectContaining({ path: field })]));
      // @ts-expect-error: as above
      const upd = await errorOf(stack.api.webhooks.update.mutate({ projectId: base.projectId, id: plain.id, ...bad }));
      expect(upd.message).toContain(`${field}:`);
      expect(await stack.db.models.Webhook.countDocuments({ projectId: base.projectId })).toBe(before);
    }
    expect(await stack.api.webhooks.get.query({ projectId: base.projectId, id: plain.id })).toMatchObject({
      ordering: 'none',
      coalesce: null,
      digest: false,
    });
  });

  it('previews exactly what a delivery sends: the same body bytes and headers, secrets redacted, nothing sent', async () => {
    const projectId = 'preview';
    const template = '{"id": "{{payload.id}}", "title": "{{payload.title}}", "action": "{{action}}"}';
    const webhook = await stack.api.webhooks.create.mutate({
      projectId,
      name: 'preview',
      url: receiver.url,
      triggers: [{ entityType: 'record', actions: ['update'] }],
      headers: { 'x-api-key': 'sk_live_secret' },
      auth: { type: 'bearer', token: 'tok_secret' },
      payloadTemplate: template,
    });
    const before = receiver.requests.length;
    const published = await stack.api.events.publish.mutate({
      projectId,
      entityType: 'record',
      action: 'update',
      entity: { id: 'p-1', title: 'Quote " and \\ backslash' },
    });
    await settle(published.deliveries[0]!.workflowId);
    const sent = receiver.requests.slice(before).find((r) => r.headers['webhook-id'] === published.deliveries[0]!.id)!;

    // The stored webhook, against the project's newest matching event: the same bytes.
    const stored = await stack.api.webhooks.preview.mutate({ projectId, webhookId: webhook.id });
    expect(stored.event).toEqual({ eventId: published.eventId, sample: false });
    expect(stored.body).toBe(sent.body);
    expect(stored.contentType).toBe('application/json');
    expect(stored.headers).toMatchObject({
      'content-type': 'application/json',
      'x-api-key': '[redacted]',
      authorization: '[redacted]',
      'webhook-signature': expect.stringMatching(/^v1,/),
    });
    expect(JSON.stringify(stored)).not.toMatch(/sk_live_secret|tok_secret/);

    // A draft of a change to it (not saved), against that same event by id.
    const edited = await stack.api.webhooks.preview.mutate({
      projectId,
      webhookId: webhook.id,
      eventId: published.eventId,
      payloadTemplate: '{"t": "{{payload.title}}"}',
    });
    expect(JSON.parse(edited.body)).toEqual({ t: 'Quote " and \\ backslash' });
    expect((await stack.api.webhooks.get.query({ projectId, id: webhook.id })).payloadTemplate).toBe(template);

    // A draft in a project without events: a sample, and no signature yet.
    const draft = await stack.api.webhooks.preview.mutate({ projectId: 'preview-empty', ordering: 'entity' });
    expect(draft.event).toEqual({ eventId: 'evt_sample', sample: true });
    expect(JSON.parse(draft.body)).toMatchObject({ eventId: 'evt_sample', eventIds: ['evt_sample'] });
    expect(draft.headers['webhook-signature']).toBe(UNSIGNED_DRAFT);

    // A template that does not parse says where; an event not kept is a 404; nothing was sent meanwhile.
    const bad = await errorOf(
      stack.api.webhooks.preview.mutate({ projectId, payloadTemplate: '{"a": 1,\n "b": "{{#payload}}"}' }),
    );
    expect(bad.data).toMatchObject({ httpStatus: 400 });
    expect(bad.message).toMatch(/^payloadTemplate: does not compile: .* at line 2, column \d+/);
    const unknown = await errorOf(stack.api.webhooks.preview.mutate({ projectId, eventId: 'evt_never' }));
    expect(unknown.data).toMatchObject({ httpStatus: 404 });
    await new Promise((r) => setTimeout(r, 200));
    expect(receiver.requests.length).toBe(before + 1);
  });

  it('pages lists newest first with an opaque cursor', async () => {
    const ids: string[] = [];
    for (const name of ['a', 'b', 'c', 'd', 'e']) {
      ids.push(
        (await stack.api.webhooks.create.mutate({ projectId: 'pages', name, url: receiver.url, triggers: [trigger] }))
          .id,
      );
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: { id: string }[]; nextCursor: string | null } = await stack.api.webhooks.list.query({
        projectId: 'pages',
        limit: 2,
        cursor,
      });
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((w) => w.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());
    expect((await errorOf(stack.api.webhooks.list.query({ projectId: 'pages', cursor: 'garbage' }))).message).toMatch(
      /^cursor:/,
    );
  });

  it("never shows or changes another project's webhook", async () => {
    const mine = await stack.api.webhooks.create.mutate({
      projectId: 'mine',
      name: 'm',
      url: receiver.url,
      triggers: [trigger],
    });
    const other = { projectId: 'theirs', id: mine.id };
    for (const call of [
      stack.api.webhooks.get.query(other),
      stack.api.webhooks.update.mutate({ ...other, name: 'stolen' }),
      stack.api.webhooks.delete.mutate(other),
      stack.api.webhooks.secret.query(other),
      stack.api.webhooks.rotateSecret.mutate(other),
      stack.api.webhooks.test.mutate(other),
    ]) {
      expect((await errorOf(call)).data).toMatchObject({ code: 'NOT_FOUND', httpStatus: 404 });
    }
    expect((await stack.api.webhooks.list.query({ projectId: 'theirs' })).items).toEqual([]);
    expect(await stack.api.webhooks.get.query({ projectId: 'mine', id: mine.id })).toMatchObject({ name: 'm' });
  });

  it('renders Mustache payloads as valid JSON whatever the values hold', async () => {
    const webhook = await stack.api.webhooks.create.mutate({
      projectId: 'tpl',
      name: 'templated',
      url: `${receiver.url}/tpl`,
      triggers: [trigger],
      payloadTemplate:
        '{"message":"{{action}} on {{contentTypeName}}: {{payload.title}}","id":"{{#payload}}{{id}}{{/payload}}","price":{{payload.price}},"all":{{{payload}}}}',
    });
    const entity = { id: 'p-1', title: 'Tom & "Jerry" \\ <b>\n\ttab', price: 12.5 };
    const published = await stack.api.events.publish.mutate({
      projectId: 'tpl',
      entityType: 'record',
      action: 'create',
      contentType: 'product',
      entity,
    });
    await settle(published.deliveries[0]!.workflowId);
    const req = receiver.requests.find((r) => r.headers['webhook-id'] === published.deliveries[0]!.id)!;
    expect(JSON.parse(req.body)).toEqual({
      message: `create on product: ${entity.title}`,
      id: 'p-1',
      price: 12.5,
      all: entity,
    });
    const { secret } = await stack.api.webhooks.secret.query({ projectId: 'tpl', id: webhook.id });
    expect(verify(secret, req)).toBeTruthy();
  });

  it('refuses a template that does not compile, or renders invalid JSON, naming the field', async () => {
    const base = { projectId: 'tpl-bad', name: 't', url: receiver.url, triggers: [trigger] };
    const unclosed = await errorOf(
      stack.api.webhooks.create.mutate({ ...base, payloadTemplate: '{"a":"{{#payload}}"}' }),
    );
    expect(unclosed.data.httpStatus).toBe(400);
    expect(unclosed.message).toMatch(/^payloadTemplate: does not compile/);
    // A rule of the domain (not the schema) names its field in `issues` too, with where the template breaks.
    expect(unclosed.data.issues).toEqual([
      { path: 'payloadTemplate', message: expect.stringMatching(/^does not compile: .*line 1, column \d+/) },
    ]);
    const notJson = await errorOf(stack.api.webhooks.create.mutate({ ...base, payloadTemplate: '{"a": {{action}} }' }));
    expect(notJson.message).toMatch(/^payloadTemplate: renders invalid JSON/);
    expect(await stack.db.models.Webhook.countDocuments({ projectId: 'tpl-bad' })).toBe(0);
    // The same text is fine as plain text, and an update is checked like a create.
    const plain = await stack.api.webhooks.create.mutate({
      ...base,
      payloadTemplate: 'a {{action}} happened',
      contentType: 'text/plain',
    });
    const back = await errorOf(
      stack.api.webhooks.update.mutate({ projectId: 'tpl-bad', id: plain.id, contentType: 'application/json' }),
    );
    expect(back.message).toMatch(/^payloadTemplate: renders invalid JSON/);
    expect((await stack.api.webhooks.get.query({ projectId: 'tpl-bad', id: plain.id })).contentType).toBe('text/plain');
  });

  it("fires a 'custom' webhook by hand, and refuses one without that trigger", async () => {
    const custom = await stack.api.webhooks.create.mutate({
      projectId: 'custom',
      name: 'Build production',
      url: `${receiver.url}/build`,
      triggers: [{ entityType: 'record', actions: ['custom'] }],
    });
    const fired = await stack.api.webhooks.trigger.mutate({
      projectId: 'custom',
      id: custom.id,
      contentType: 'page',
      entity: { id: 'home', title: 'Home' },
    });
    await settle(fired.deliveries[0]!.workflowId);
    const req = receiver.requests.find((r) => r.path === '/build')!;
    expect(JSON.parse(req.body)).toMatchObject({
      action: 'custom',
      contentTypeName: 'page',
      payload: { id: 'home', title: 'Home' },
    });

    const plain = await stack.api.webhooks.create.mutate({
      projectId: 'custom',
      name: 'p',
      url: receiver.url,
      triggers: [trigger],
    });
    expect(
      (await errorOf(stack.api.webhooks.trigger.mutate({ projectId: 'custom', id: plain.id, entity: { id: 'x' } })))
        .message,
    ).toMatch(/^id: .* 'custom'/);
    // A custom webhook is not reached by publish, and publish refuses the custom action.
    expect(
      (
        await stack.api.events.publish.mutate({
          projectId: 'custom',
          entityType: 'record',
          action: 'create',
          entity: { id: 'y' },
        })
      ).deliveries.map((d) => d.webhookId),
    ).toEqual([plain.id]);
  });

  it('sends a sample event with webhooks.test', async () => {
    const webhook = await stack.api.webhooks.create.mutate({
      projectId: 'test',
      name: 't',
      url: `${receiver.url}/check`,
      triggers: [{ entityType: 'model', actions: ['deploy'] }],
    });
    const delivery = await stack.api.webhooks.test.mutate({ projectId: 'test', id: webhook.id });
    expect(delivery).toMatchObject({ webhookId: webhook.id, workflowId: `delivery-${delivery.id}` });
    await settle(delivery.workflowId);
    const req = receiver.requests.find((r) => r.path === '/check')!;
    expect(JSON.parse(req.body)).toMatchObject({ webhookId: webhook.id, action: 'test', payload: { id: 'sample-1' } });
    expect(await stack.api.deliveries.get.query({ projectId: 'test', id: delivery.id })).toMatchObject({
      status: 'done',
      action: 'test',
    });
  });

  it('shows a delivery whose workflow was terminated from outside as ended, in get and, once quiet, in list', async () => {
    const down = await startReceiver(() => ({ status: 500 }));
    try {
      await stack.api.webhooks.create.mutate({
        projectId: 'term',
        name: 't',
        url: `${down.url}/t`,
        triggers: [trigger],
        retryPolicy: { initialIntervalMs: 3_600_000 },
      });
      const publish = (id: string) =>
        stack.api.events.publish.mutate({ projectId: 'term', entityType: 'record', action: 'create', entity: { id } });
      const [first] = (await publish('a')).deliveries;
      const [second] = (await publish('b')).deliveries;
      await down.waitFor(2);
      // Both first attempts have failed and been recorded: each now waits an hour for its next.
      const recorded = async (id: string) => (await stack.db.models.Delivery.findById(id).lean())?.lastError;
      for (
        let i = 0;
        i < 200 && ((await recorded(first!.id)) !== 'HTTP 500' || (await recorded(second!.id)) !== 'HTTP 500');
        i++
      ) {
        await new Promise((r) => setTimeout(r, 25));
      }
      const listed = async () =>
        Object.fromEntries(
          (await stack.api.deliveries.list.query({ projectId: 'term' })).items.map((d) => [
            d.id,
            [d.status, d.lastError],
          ]),
        );
      // An attempt has failed, and each waits an hour for the next: pending, until someone terminates them.
      await stack.temporal.workflow.getHandle(first!.workflowId).terminate('by hand');
      await stack.temporal.workflow.getHandle(second!.workflowId).terminate('by hand');
      expect((await listed())[first!.id]).toEqual(['pending', 'HTTP 500']);

      // get asks the workflow, and shows what it found; a reader writes nothing.
      expect(await stack.api.deliveries.get.query({ projectId: 'term', id: first!.id })).toMatchObject({
        status: 'error',
        lastError: 'HTTP 500',
      });
      expect(await stack.db.models.Delivery.findById(first!.id).lean()).toMatchObject({ status: 'pending' });

      // list asks about a pending delivery whose record has been quiet for 30 s.
      expect((await listed())[second!.id]).toEqual(['pending', 'HTTP 500']);
      // As the driver writes it (mongoose would set updatedAt to now).
      const quiet = (id: string) =>
        driverCollection<DeliveryRecord>(stack.db.models.Delivery).updateOne(
          { _id: id },
          { $set: { updatedAt: new Date(Date.now() - 120_000) } },
        );
      await quiet(first!.id);
      await quiet(second!.id);
      expect(await listed()).toMatchObject({
        [first!.id]: ['error', 'HTTP 500'],
        [second!.id]: ['error', 'HTTP 500'],
      });

      // The retention sweep records the ends, once the records have been quiet a minute.
      await stack.temporal.schedule.getHandle(retentionScheduleId(stack.config.TASK_QUEUE)).trigger();
      const statusOf = async (id: string) => (await stack.db.models.Delivery.findById(id).lean())?.status;
      for (let i = 0; i < 200 && (await statusOf(second!.id)) === 'pending'; i++) {
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(await stack.db.models.Delivery.findById(first!.id).lean()).toMatchObject({ status: 'error' });
      expect(await stack.db.models.Delivery.findById(second!.id).lean()).toMatchObject({
        status: 'error',
        lastError: 'HTTP 500',
      });
    } finally {
      await down.close();
    }
  });

  it('two concurrent rotations each hand out a secret that still signs (the current one and the previous)', async () => {
    const webhook = await stack.api.webhooks.create.mutate({
      projectId: 'rot2',
      name: 'r',
      url: `${receiver.url}/rot2`,
      triggers: [trigger],
    });
    for (let round = 0; round < 5; round++) {
      const handed = await Promise.all([
        stack.api.webhooks.rotateSecret.mutate({ projectId: 'rot2', id: webhook.id }),
        stack.api.webhooks.rotateSecret.mutate({ projectId: 'rot2', id: webhook.id }),
      ]);
      const stored = await stack.db.models.Webhook.findById(webhook.id).lean();
      expect([stored!.secret, stored!.previousSecret].sort()).toEqual(handed.map((h) => h.secret).sort());
    }
    expect(await stack.db.models.RecordLock.countDocuments({ _id: webhook.id })).toBe(0);
  });

  it('rotates the secret: new requests carry signatures by the new and the previous secret', async () => {
    const webhook = await stack.api.webhooks.create.mutate({
      projectId: 'rot',
      name: 'r',
      url: `${receiver.url}/rot`,
      triggers: [trigger],
    });
    const { secret: before } = await stack.api.webhooks.secret.query({ projectId: 'rot', id: webhook.id });
    expect(before).toMatch(/^whsec_/);
    expect(Buffer.from(before.slice(6), 'base64').length).toBeGreaterThanOrEqual(24);
    const { secret: after } = await stack.api.webhooks.rotateSecret.mutate({ projectId: 'rot', id: webhook.id });
    expect(after).not.toBe(before);
    expect((await stack.api.webhooks.secret.query({ projectId: 'rot', id: webhook.id })).secret).toBe(after);

    const published = await stack.api.events.publish.mutate({
      projectId: 'rot',
      entityType: 'record',
      action: 'create',
      entity: { id: 'r' },
    });
    await settle(published.deliveries[0]!.workflowId);
    const req = receiver.requests.find((r) => r.path === '/rot')!;
    expect(String(req.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(verify(after, req)).toBeTruthy();
    expect(verify(before, req)).toBeTruthy();
  });
});

describe('webhooks (production rules: private targets refused, quota of 3)', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      ALLOW_PRIVATE_TARGETS: 'false',
      MAX_WEBHOOKS_PER_PROJECT: '3',
      MAX_PAYLOAD_BYTES: '2048',
    });
  });
  afterAll(async () => {
    await stack?.stop();
  });
  const base = { projectId: 'prod', name: 'n', triggers: [trigger] };

  it.each([
    ['http://example.com/hook', /https/],
    ['https://127.0.0.1/hook', /private or reserved address \(127\.0\.0\.1\)/],
    ['https://127.1/hook', /127\.0\.0\.1/],
    ['https://[::1]/hook', /::1/],
    ['https://[::ffff:127.0.0.1]/hook', /private or reserved/],
    ['https://[64:ff9b::a00:1]/hook', /private or reserved/],
    ['https://[2002:c0a8:101::]/hook', /private or reserved/],
    ['https://10.1.2.3/hook', /private/],
    ['https://192.168.1.1/hook', /private/],
    ['https://100.64.0.1/hook', /private/],
    ['https://169.254.169.254/latest', /private/],
    ['https://[fe80::1]/hook', /private/],
    ['https://[fd00::1]/hook', /private/],
    ['https://224.0.0.1/hook', /private/],
    ['https://0.0.0.0/hook', /private/],
    ['https://localhost/hook', /localhost/],
    ['https://user:pw@example.com/hook', /credentials/],
    ['ftp://example.com/hook', /http\(s\)/],
    ['/relative', /http\(s\)/],
  ])('refuses %s', async (url, reason) => {
    const err = await errorOf(stack.api.webhooks.create.mutate({ ...base, url }));
    expect(err.data).toMatchObject({ code: 'BAD_REQUEST', httpStatus: 400 });
    expect(err.message).toMatch(/^url: /);
    expect(err.message).toMatch(reason);
  });

  it('accepts public https targets, and refuses a change to a private one', async () => {
    const ok = await stack.api.webhooks.create.mutate({
      ...base,
      projectId: 'public',
      url: 'https://hooks.example.com/notify',
    });
    await stack.api.webhooks.create.mutate({ ...base, projectId: 'public', url: 'https://93.184.215.14/notify' });
    const err = await errorOf(
      stack.api.webhooks.update.mutate({ projectId: 'public', id: ok.id, url: 'https://10.0.0.1/' }),
    );
    expect(err.message).toMatch(/^url: /);
    expect((await stack.api.webhooks.get.query({ projectId: 'public', id: ok.id })).url).toBe(
      'https://hooks.example.com/notify',
    );
  });

  it('holds the quota under concurrent creates, naming the limit', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) =>
        stack.api.webhooks.create.mutate({ ...base, projectId: 'quota', name: `w${i}`, url: 'https://example.com/' }),
      ),
    );
    const created = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(created).toHaveLength(3);
    expect(refused).toHaveLength(5);
    for (const r of refused) {
      expect(r.reason.data).toMatchObject({ code: 'FORBIDDEN', httpStatus: 403 });
      expect(r.reason.message).toMatch(/MAX_WEBHOOKS_PER_PROJECT.*3/);
    }
    expect(await stack.db.models.Webhook.countDocuments({ projectId: 'quota' })).toBe(3);
    // Another project has its own quota; a delete frees a place.
    await stack.api.webhooks.create.mutate({ ...base, projectId: 'quota-2', url: 'https://example.com/' });
    const { items } = await stack.api.webhooks.list.query({ projectId: 'quota' });
    await stack.api.webhooks.delete.mutate({ projectId: 'quota', id: items[0]!.id });
    await stack.api.webhooks.create.mutate({ ...base, projectId: 'quota', url: 'https://example.com/' });
    expect(
      (await errorOf(stack.api.webhooks.create.mutate({ ...base, projectId: 'quota', url: 'https://example.com/' })))
        .data.code,
    ).toBe('FORBIDDEN');
  });

  it('refuses a payload over MAX_PAYLOAD_BYTES, and any bad input with a 400 naming the field, never a 500', async () => {
    const big = await fetch(`${stack.url}/trpc/events.publish`, {
      method: 'POST',
      headers: { authorization: 'Bearer test-token-0123456789', 'content-type': 'application/json' },
      body: JSON.stringify({
        projectId: 'prod',
        entityType: 'record',
        action: 'create',
        entity: { id: 'x', blob: 'x'.repeat(4096) },
      }),
    });
    expect(big.status).toBe(413);

    const cases: [unknown, string][] = [
      [{ ...base, url: 'https://example.com', name: 'x'.repeat(201) }, 'name'],
      [{ ...base, url: 'https://example.com', triggers: [] }, 'triggers'],
      [
        { ...base, url: 'https://example.com', triggers: [{ entityType: 'post', actions: ['create'] }] },
        'triggers.0.entityType',
      ],
      [{ ...base, url: 'https://example.com', headers: { 'bad header': 'v' } }, 'headers.bad header'],
      [{ ...base, url: 'https://example.com', headers: { 'x-a': 'line\r\nbreak' } }, 'headers.x-a'],
      [{ ...base, url: 'https://example.com', auth: { type: 'digest' } }, 'auth.type'],
      [{ ...base, url: 'https://example.com', retryPolicy: { maximumAttempts: 26 } }, 'retryPolicy.maximumAttempts'],
      [{ ...base, url: 'https://example.com', retryPolicy: { timeoutMs: 'soon' } }, 'retryPolicy.timeoutMs'],
      [{ ...base, url: 'https://example.com', surprise: true }, 'input'],
      [{ ...base, url: 12 }, 'url'],
      [null, 'input'],
    ];
    for (const [input, field] of cases) {
      const res = await fetch(`${stack.url}/trpc/webhooks.create`, {
        method: 'POST',
        headers: { authorization: 'Bearer test-token-0123456789', 'content-type': 'application/json' },
        body: JSON.stringify(input),
      });
      const json = (await res.json()) as { error: { message: string } };
      expect([res.status, json.error.message]).toEqual([400, expect.stringContaining(`${field}:`)]);
    }
    const notJson = await fetch(`${stack.url}/trpc/webhooks.create`, {
      method: 'POST',
      headers: { authorization: 'Bearer test-token-0123456789', 'content-type': 'application/json' },
      body: '{"projectId":',
    });
    expect(notJson.status).toBe(400);
    expect(await stack.db.models.Webhook.countDocuments({ projectId: 'prod' })).toBe(0);
  });
});
