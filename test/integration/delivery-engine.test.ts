import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { newId } from '../../src/shared/ids';
import { generateSecret } from '../../src/shared/signature';
import { startProxy } from '../helpers/proxy';
import { startReceiver, type Receiver } from '../helpers/receiver';
import { startStack, type Stack } from '../helpers/stack';

const trigger = { entityType: 'record' as const, actions: ['create' as const] };
const fast = { initialIntervalMs: 1_000, backoffCoefficient: 1 };

describe('delivery engine on a real Temporal dev server', () => {
  let stack: Stack;
  const cleanups: (() => Promise<void>)[] = [];
  beforeAll(async () => {
    stack = await startStack();
  });
  afterEach(async () => {
    await Promise.all(cleanups.splice(0).map((c) => c()));
  });
  afterAll(async () => {
    await stack?.stop();
  });

  async function receiver(script?: Parameters<typeof startReceiver>[0]): Promise<Receiver> {
    const r = await startReceiver(script);
    cleanups.push(() => r.close());
    return r;
  }
  const settle = (workflowId: string) =>
    stack.temporal.workflow
      .getHandle(workflowId)
      .result()
      .catch(() => undefined);
  const publish = (projectId: string, id: string, eventId?: string) =>
    stack.api.events.publish.mutate({ projectId, eventId, entityType: 'record', action: 'create', entity: { id } });

  it('a receiver that fails 3 times gets its event on attempt 4, with 4 log entries and one webhook-id', async () => {
    const r = await receiver((n) => (n <= 3 ? { status: 500 } : { status: 200 }));
    const webhook = await stack.api.webhooks.create.mutate({
      projectId: 'p4',
      name: 'w',
      url: r.url,
      triggers: [trigger],
      retryPolicy: fast,
    });
    const { deliveries } = await publish('p4', 'e1');
    await settle(deliveries[0]!.workflowId);
    expect(r.requests).toHaveLength(4);
    expect(new Set(r.requests.map((q) => q.headers['webhook-id']))).toEqual(new Set([deliveries[0]!.id]));
    expect(await stack.api.deliveries.get.query({ projectId: 'p4', id: deliveries[0]!.id })).toMatchObject({
      status: 'done',
      attempts: 4,
      lastStatusCode: 200,
      lastError: null,
    });
    const logs = await stack.api.logs.list.query({ projectId: 'p4', webhookId: webhook.id });
    expect(logs.items.map((l) => [l.attempt, l.status])).toEqual([
      [4, 'done'],
      [3, 'error'],
      [2, 'error'],
      [1, 'error'],
    ]);
    expect(logs.items[3]).toMatchObject({
      error: 'HTTP 500',
      response: { status: 500 },
      durationMs: expect.any(Number),
    });
    const errors = await stack.api.logs.list.query({ projectId: 'p4', webhookId: webhook.id, status: 'error' });
    expect(errors.items).toHaveLength(3);
  });

  it('Retry-After shortens a long backoff', async () => {
    const r = await receiver((n) => (n === 1 ? { status: 503, headers: { 'retry-after': '1' } } : { status: 200 }));
    await stack.api.webhooks.create.mutate({
      projectId: 'ra',
      name: 'w',
      url: r.url,
      triggers: [trigger],
      // Without the receiver's Retry-After the second attempt would come an hour later.
      retryPolicy: { initialIntervalMs: 3_600_000 },
    });
    const { deliveries } = await publish('ra', 'e1');
    await settle(deliveries[0]!.workflowId);
    expect(await stack.api.deliveries.get.query({ projectId: 'ra', id: deliveries[0]!.id })).toMatchObject({
      status: 'done',
      attempts: 2,
    });
  });

  it('resends a failed delivery as a new delivery, and filters by status', async () => {
    let failing = true;
    const r = await receiver(() => (failing ? { status: 500 } : { status: 200 }));
    const webhook = await stack.api.webhooks.create.mutate({
      projectId: 'rs',
      name: 'w',
      url: r.url,
      triggers: [trigger],
      retryPolicy: { maximumAttempts: 2, ...fast },
    });
    const { deliveries } = await publish('rs', 'e1');
    await settle(deliveries[0]!.workflowId);
    const failed = await stack.api.deliveries.get.query({ projectId: 'rs', id: deliveries[0]!.id });
    expect(failed).toMatchObject({ status: 'error', attempts: 2, lastStatusCode: 500, lastError: 'HTTP 500' });

    failing = false;
    const resent = await stack.api.deliveries.resend.mutate({ projectId: 'rs', id: failed.id });
    expect(resent.id).not.toBe(failed.id);
    expect(resent).toMatchObject({ webhookId: webhook.id, workflowId: `delivery-${resent.id}` });
    await settle(resent.workflowId);
    expect(r.requests.at(-1)!.body).toBe(r.requests[0]!.body);
    expect(r.requests.at(-1)!.headers['webhook-id']).toBe(resent.id);
    expect(await stack.api.deliveries.get.query({ projectId: 'rs', id: resent.id })).toMatchObject({
      status: 'done',
      attempts: 1,
    });
    expect(
      (await stack.api.deliveries.list.query({ projectId: 'rs', status: 'error' })).items.map((d) => d.id),
    ).toEqual([failed.id]);
    expect((await stack.api.deliveries.list.query({ projectId: 'rs', status: 'done' })).items.map((d) => d.id)).toEqual(
      [resent.id],
    );
    expect((await stack.api.deliveries.get.query({ projectId: 'rs', id: failed.id })).status).toBe('error');
  });

  it('publishing an event again while its delivery runs leaves the delivery record intact', async () => {
    const r = await receiver();
    await stack.api.webhooks.create.mutate({ projectId: 'again', name: 'w', url: r.url, triggers: [trigger] });
    const firsts = await Promise.all(Array.from({ length: 10 }, (_, i) => publish('again', `r${i}`, `e${i}`)));
    // Re-publish each event a few times while its delivery is under way.
    const repeats = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        new Promise((resolve) => setTimeout(resolve, i * 15)).then(() => publish('again', `r${i % 10}`, `e${i % 10}`)),
      ),
    );
    expect(repeats.map((p) => p.deliveries[0]!.id)).toEqual(
      Array.from({ length: 30 }, (_, i) => firsts[i % 10]!.deliveries[0]!.id),
    );
    await Promise.all(firsts.map((p) => settle(p.deliveries[0]!.workflowId)));
    expect(r.requests).toHaveLength(10);
    const listed = await stack.api.deliveries.list.query({ projectId: 'again' });
    expect(listed.items).toHaveLength(10);
    for (const d of listed.items) {
      expect(d).toMatchObject({ status: 'done', attempts: 1, lastStatusCode: 200, finishedAt: expect.any(String) });
      expect(await stack.api.deliveries.get.query({ projectId: 'again', id: d.id })).toEqual(d);
    }
  });

  it('keeps exactly the newest 300 log entries and deliveries of a webhook after 320 deliveries', async () => {
    const r = await receiver();
    const webhook = await stack.api.webhooks.create.mutate({
      projectId: 'cap',
      name: 'w',
      url: r.url,
      triggers: [trigger],
    });
    const workflowIds: string[] = [];
    for (let batch = 0; batch < 320; batch += 40) {
      const published = await Promise.all(Array.from({ length: 40 }, (_, i) => publish('cap', `e${batch + i}`)));
      workflowIds.push(...published.map((p) => p.deliveries[0]!.workflowId));
    }
    await Promise.all(workflowIds.map(settle));
    expect(r.requests).toHaveLength(320);
    expect(await stack.db.models.LogEntry.countDocuments({ webhookId: webhook.id })).toBe(300);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<typeof stack.api.logs.list.query>> = await stack.api.logs.list.query({
        projectId: 'cap',
        webhookId: webhook.id,
        limit: 100,
        cursor,
      });
      seen.push(...page.items.map((l) => l.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(300);
    // The 20 removed are the oldest: every kept entry started no earlier than any removed one would have.
    const kept = await stack.db.models.LogEntry.find({ webhookId: webhook.id }).sort({ _id: 1 }).lean();
    expect(kept.every((l) => l.status === 'done')).toBe(true);

    // Deliveries too: the newest 300 remain, the first batch's oldest are gone.
    expect(await stack.db.models.Delivery.countDocuments({ webhookId: webhook.id })).toBe(300);
    const last = workflowIds.length - 1;
    expect(await stack.db.models.Delivery.exists({ workflowId: workflowIds[last] })).toBeTruthy();
    const firstBatch = await Promise.all(
      workflowIds.slice(0, 40).map((id) => stack.db.models.Delivery.exists({ workflowId: id })),
    );
    expect(firstBatch.filter((d) => !d)).toHaveLength(20);
  }, 120_000);
});

describe('endpoint protection', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ WORKER_MAX_CONCURRENT_ACTIVITIES: '4', ENDPOINT_MAX_IN_FLIGHT: '2' });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  /** A receiver on 127.0.0.1 that holds every request until the test answers it; counts them in flight. */
  async function holdingServer() {
    const held: http.ServerResponse[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const server = http.createServer((_req, res) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      res.on('close', () => inFlight--);
      held.push(res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      held,
      maxInFlight: () => maxInFlight,
      close() {
        held.forEach((res) => res.destroy());
        server.closeAllConnections();
        server.close();
      },
    };
  }

  it('an endpoint that hangs holds at most its share of the worker; the others are delivered meanwhile', async () => {
    const slow = await holdingServer();
    const { held } = slow;
    const slowUrl = slow.url;
    const fastReceiver = await startReceiver();
    try {
      await stack.api.webhooks.create.mutate({
        projectId: 'ep',
        name: 'slow',
        url: slowUrl,
        triggers: [{ entityType: 'record', actions: ['update'] }],
        retryPolicy: { timeoutMs: 60_000 },
      });
      await stack.api.webhooks.create.mutate({
        projectId: 'ep',
        name: 'fast',
        url: fastReceiver.url,
        triggers: [trigger],
      });
      const slowOnes = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          stack.api.events.publish.mutate({
            projectId: 'ep',
            entityType: 'record',
            action: 'update',
            entity: { id: `s${i}` },
          }),
        ),
      );
      while (held.length < 2) await new Promise((r) => setTimeout(r, 50));

      // With 4 activity slots and 8 deliveries hanging on one endpoint, the others still get through.
      const fastOnes = await Promise.all(
        Array.from({ length: 5 }, (_, i) =>
          stack.api.events.publish.mutate({
            projectId: 'ep',
            entityType: 'record',
            action: 'create',
            entity: { id: `f${i}` },
          }),
        ),
      );
      await Promise.all(fastOnes.map((p) => stack.temporal.workflow.getHandle(p.deliveries[0]!.workflowId).result()));
      expect(fastReceiver.requests).toHaveLength(5);
      expect(held.length).toBe(2);

      // Let the slow endpoint answer: every delivery to it gets through, never more than 2 at a time.
      const release = setInterval(() => held.splice(0).forEach((res) => res.writeHead(200).end()), 100);
      try {
        await Promise.all(slowOnes.map((p) => stack.temporal.workflow.getHandle(p.deliveries[0]!.workflowId).result()));
      } finally {
        clearInterval(release);
      }
      expect(slow.maxInFlight()).toBe(2);
      const delivered = await stack.api.deliveries.list.query({ projectId: 'ep', status: 'done' });
      expect(delivered.items).toHaveLength(13);
      // Waiting for a free place used no attempts.
      expect(delivered.items.every((d) => d.attempts === 1)).toBe(true);
    } finally {
      slow.close();
      await fastReceiver.close();
    }
  }, 120_000);
  it('deliveries waiting for a place make no attempt until a place frees, then are woken one by one', async () => {
    const slow = await holdingServer();
    const { held } = slow;
    try {
      await stack.api.webhooks.create.mutate({
        projectId: 'line',
        name: 'slow',
        url: slow.url,
        triggers: [trigger],
        retryPolicy: { timeoutMs: 60_000 },
      });
      const published = await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          stack.api.events.publish.mutate({
            projectId: 'line',
            entityType: 'record',
            action: 'create',
            entity: { id: `l${i}` },
          }),
        ),
      );
      const ids = published.map((p) => p.deliveries[0]!.workflowId);
      const attemptsOf = async (id: string) =>
        (await stack.temporal.workflow.getHandle(id).fetchHistory()).events!.filter(
          (e) => e.activityTaskScheduledEventAttributes,
        ).length;
      const refused = async () => {
        let n = 0;
        for (const id of ids) {
          const events = (await stack.temporal.workflow.getHandle(id).fetchHistory()).events!;
          if (events.some((e) => e.activityTaskFailedEventAttributes)) n++;
        }
        return n;
      };
      while (held.length < 2 || (await refused()) < 4) await new Promise((r) => setTimeout(r, 50));

      // Polling (as before) would have made an attempt a second; in line, a refused delivery waits for a signal.
      await new Promise((r) => setTimeout(r, 3_000));
      expect((await Promise.all(ids.map(attemptsOf))).sort()).toEqual([1, 1, 1, 1, 1, 1]);

      // Each answer frees a place, which wakes the next in line: all are delivered, two at a time at most.
      const answer = setInterval(() => held.splice(0).forEach((res) => res.writeHead(200).end()), 100);
      try {
        await Promise.all(ids.map((id) => stack.temporal.workflow.getHandle(id).result()));
      } finally {
        clearInterval(answer);
      }
      const attempts = await Promise.all(ids.map(attemptsOf));
      // 2 went at once; 4 were refused once, then woken: one refused call and one request each.
      expect(attempts.sort()).toEqual([1, 1, 2, 2, 2, 2]);
    } finally {
      slow.close();
    }
  }, 60_000);
});

// As if the name had pointed at a public address when the webhook was created (DNS rebinding).
async function storedWebhook(stack: Stack, url: string) {
  const id = newId('wh');
  await stack.db.models.Webhook.create({
    _id: id,
    projectId: 'safe',
    name: url,
    url,
    triggers: [{ entityType: 'record', actions: ['publish'], recordIds: [id] }],
    secret: generateSecret(),
    slot: Math.floor(Math.random() * 1e9),
    retryPolicy: { maximumAttempts: 1 },
  });
  const { deliveries } = await stack.api.events.publish.mutate({
    projectId: 'safe',
    entityType: 'record',
    action: 'publish',
    entity: { id },
  });
  await stack.temporal.workflow
    .getHandle(deliveries[0]!.workflowId)
    .result()
    .catch(() => undefined);
  return stack.api.deliveries.get.query({ projectId: 'safe', id: deliveries[0]!.id });
}

/** A TCP server on 127.0.0.1 that counts the connections made to it: a refused target must make none. */
async function connectionCounter() {
  const counter = { connections: 0, port: 0, close: () => new Promise((r) => tcp.close(r)) };
  const tcp = net.createServer((s) => {
    counter.connections++;
    s.destroy();
  });
  await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
  counter.port = (tcp.address() as AddressInfo).port;
  return counter;
}

describe.each([
  ['without a proxy', {}],
  // NO_PROXY hosts bypass the proxy: they must be checked as they are connected to, like any direct request.
  ['behind a proxy, for NO_PROXY hosts', { HTTPS_PROXY: 'http://127.0.0.1:9', NO_PROXY: 'localhost,127.0.0.1,::1' }],
])('outbound safety %s', (_name, env: Record<string, string>) => {
  let stack: Stack;
  let tcp: Awaited<ReturnType<typeof connectionCounter>>;
  beforeAll(async () => {
    stack = await startStack({ ALLOW_PRIVATE_TARGETS: 'false', ...env });
    tcp = await connectionCounter();
  });
  afterAll(async () => {
    await tcp?.close();
    await stack?.stop();
  });

  it('does not connect to a name that resolves to loopback', async () => {
    const delivery = await storedWebhook(stack, `https://localhost:${tcp.port}/hook`);
    expect(delivery).toMatchObject({
      status: 'error',
      lastError: expect.stringMatching(
        /not connecting: localhost resolves to (127\.0\.0\.1|::1), a private or reserved address/,
      ),
    });
    expect(tcp.connections).toBe(0);
  });

  it('does not connect to a private literal address, nor over plain http', async () => {
    expect(await storedWebhook(stack, `https://127.0.0.1:${tcp.port}/hook`)).toMatchObject({
      status: 'error',
      lastError: 'Request refused: 127.0.0.1 is a private or reserved address',
    });
    expect(await storedWebhook(stack, `https://[::ffff:127.0.0.1]:${tcp.port}/hook`)).toMatchObject({
      status: 'error',
      lastError: expect.stringMatching(/^Request refused: .* is a private or reserved address$/),
    });
    expect(await storedWebhook(stack, `http://127.0.0.1:${tcp.port}/hook`)).toMatchObject({
      status: 'error',
      lastError: 'Request refused: only https targets are allowed',
    });
    expect(tcp.connections).toBe(0);
  });
});

describe('egress proxy', () => {
  it('sends every delivery through HTTP(S)_PROXY', async () => {
    const proxy = await startProxy();
    const r = await startReceiver();
    const stack = await startStack({ HTTP_PROXY: proxy.url, HTTPS_PROXY: proxy.url });
    try {
      await stack.api.webhooks.create.mutate({
        projectId: 'px',
        name: 'w',
        url: `${r.url}/via-proxy`,
        triggers: [trigger],
      });
      const { deliveries } = await stack.api.events.publish.mutate({
        projectId: 'px',
        entityType: 'record',
        action: 'create',
        entity: { id: 'x' },
      });
      await stack.temporal.workflow.getHandle(deliveries[0]!.workflowId).result();
      expect(r.requests).toHaveLength(1);
      const host = new URL(r.url).host;
      expect(proxy.targets.some((t) => t === `CONNECT ${host}` || t.startsWith(`${r.url}/via-proxy`))).toBe(true);
    } finally {
      await stack.stop();
      await r.close();
      await proxy.close();
    }
  });
});
