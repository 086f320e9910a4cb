import type { CommandStartedEvent } from 'mongodb';
import { Client, Connection, type WorkflowClientInterceptor } from '@temporalio/client';
import { createOutboundDeps } from '../../src/outbound/deps';
import { publishEvent } from '../../src/outbound/events/publish';
import { publishEventInput } from '../../src/outbound/events/schema';
import { workerProcesses } from '../helpers/worker-process';
import { startReceiver, type Receiver } from '../helpers/receiver';
import { startStack, type Stack } from '../helpers/stack';
import { waitUntil } from '../helpers/wait';

/** Until `check` holds (a receiver's count, say). */
const waitFor = (check: () => boolean | Promise<boolean>, timeoutMs: number, what: string) =>
  waitUntil(what, check, (ok) => ok, { timeoutMs, everyMs: 50 });

/** Ordering, coalescing and digests on the dev stack: a worker killed mid-window, a 5,000-event release. */
describe('entity lanes and release digests on the dev stack', () => {
  let stack: Stack;
  // Every database command of this file's stack (its API and this test's publishes), for the cost test.
  const commands: CommandStartedEvent[] = [];
  const receivers: Receiver[] = [];

  beforeAll(async () => {
    stack = await startStack({}, { worker: false, onCommand: (e) => commands.push(e) });
  });
  afterAll(async () => {
    workers.stopAll();
    await Promise.all(receivers.map((r) => r.close()));
    await stack?.stop();
  });

  async function receiver() {
    const r = await startReceiver();
    receivers.push(r);
    return r;
  }

  const workers = workerProcesses(() => stack);
  const startWorker = () => workers.start();

  const bodies = (r: Receiver) => r.requests.map((q) => JSON.parse(q.body) as Record<string, unknown>);

  it('a worker killed with SIGKILL in the middle of a coalescing window loses nothing', async () => {
    const coalesced = await receiver();
    const plain = await receiver();
    const projectId = 'lanes-kill';
    const triggers = [{ entityType: 'record' as const, actions: ['update' as const] }];
    const retryPolicy = { timeoutMs: 5_000, initialIntervalMs: 1_000 };
    for (const [name, url, lanes] of [
      ['coalesced', coalesced.url, { coalesce: { quietMs: 3_000, maxWaitMs: 60_000 } }],
      ['plain', plain.url, {}],
    ] as const) {
      await stack.api.webhooks.create.mutate({ projectId, name, url, triggers, retryPolicy, ...lanes });
    }
    const first = startWorker();
    const eventIds: string[] = [];
    for (let i = 1; i <= 5; i++) {
      const { eventId, deliveries } = await stack.api.events.publish.mutate({
        projectId,
        entityType: 'record',
        action: 'update',
        entity: { id: 'page-1', title: `v${i}` },
      });
      eventIds.push(eventId);
      // Readable as soon as the answer is given.
      for (const d of deliveries) await stack.api.deliveries.get.query({ projectId, id: d.id });
    }
    // The window is open (3 s of quiet not reached): the worker dies now, and another takes over.
    await waitFor(() => plain.requests.length >= 1, 20_000, 'the worker to start delivering');
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    expect(coalesced.requests).toHaveLength(0);
    startWorker();

    await waitFor(() => coalesced.requests.length >= 1 && plain.requests.length >= 5, 60_000, 'every delivery');
    await new Promise((r) => setTimeout(r, 1_000));
    expect(bodies(coalesced)).toEqual([
      expect.objectContaining({ eventIds, eventId: eventIds[4], payload: { id: 'page-1', title: 'v5' } }),
    ]);
    expect(new Set(bodies(plain).map((b) => b.eventId))).toEqual(new Set(eventIds));
  });

  it('a 5,000-event release reaches a digest webhook as one delivery; the others get each event', async () => {
    const digest = await receiver();
    const each = await receiver();
    const projectId = 'release';
    await stack.api.webhooks.create.mutate({
      projectId,
      name: 'site build',
      url: digest.url,
      triggers: [{ entityType: 'record', actions: ['publish'] }],
      digest: true,
    });
    await stack.api.webhooks.create.mutate({
      projectId,
      name: 'search index',
      url: each.url,
      triggers: [{ entityType: 'record', actions: ['publish'], contentTypes: ['landing'] }],
    });
    startWorker();
    const events = Array.from({ length: 5_000 }, (_, i) => ({
      entityType: 'record' as const,
      action: 'publish' as const,
      contentType: i < 3 ? 'landing' : 'article',
      // 300 characters each: the release's body is over MAX_PAYLOAD_BYTES (1 MiB), within MAX_BATCH_BYTES.
      entity: { id: `e${i}`, title: `entry ${i}`, body: 'x'.repeat(300) },
    }));
    const answer = await stack.api.events.publishBatch.mutate({ projectId, ref: 'release-42', events });
    const answeredAt = Date.now();
    expect(answer.eventIds).toHaveLength(5_000);
    await waitFor(() => digest.requests.length >= 1, 60_000, 'the digest');
    const tookMs = Date.now() - answeredAt;
    await waitFor(() => each.requests.length >= 3, 60_000, 'the landing pages');
    const [body] = bodies(digest);
    expect(body).toMatchObject({ ref: 'release-42', digest: true, part: 1, parts: 1 });
    const entities = body!.entities as { id: string; action: string; contentType: string }[];
    expect(entities).toHaveLength(5_000);
    expect(entities[7]).toEqual({ id: 'e7', entityType: 'record', action: 'publish', contentType: 'article' });
    expect(
      bodies(each)
        .map((b) => (b.payload as { id: string }).id)
        .sort(),
    ).toEqual(['e0', 'e1', 'e2']);
    process.stderr.write(`[entity-lanes] the 5,000-event digest arrived ${tookMs} ms after the answer\n`);

    // Idempotent per (projectId, ref): the same ids, and nothing sent again.
    const again = await stack.api.events.publishBatch.mutate({ projectId, ref: 'release-42', events });
    expect(again.eventIds).toEqual(answer.eventIds);
    await new Promise((r) => setTimeout(r, 2_000));
    expect(digest.requests).toHaveLength(1);
    expect(each.requests).toHaveLength(3);
  });

  it('a batch with one bad event is refused whole, naming its index and field, and nothing is stored', async () => {
    const events = [
      { entityType: 'record' as const, action: 'publish' as const, entity: { id: 'ok' } },
      { entityType: 'record' as const, action: 'explode', entity: { id: 'bad' } },
    ];
    // @ts-expect-error: an action outside the contract, as a client in another language could send
    const refused = stack.api.events.publishBatch.mutate({ projectId: 'bad-batch', ref: 'r1', events });
    await expect(refused).rejects.toMatchObject({
      data: { httpStatus: 400 },
      message: expect.stringContaining('events.1.action'),
    });
    expect(await stack.db.models.Event.countDocuments({ projectId: 'bad-batch' })).toBe(0);
    expect(await stack.db.models.Batch.countDocuments({ projectId: 'bad-batch' })).toBe(0);
  });

  it('publish costs the same for 1 or 10 webhooks: 3 database commands and one Temporal operation', async () => {
    const r = await receiver();
    const calls: string[] = [];
    const counting: WorkflowClientInterceptor = {
      start: (input, next) => (calls.push('start'), next(input)),
      signalWithStart: (input, next) => (calls.push('signalWithStart'), next(input)),
      signal: (input, next) => (calls.push('signal'), next(input)),
    };
    const connection = await Connection.connect({ address: stack.config.TEMPORAL_ADDRESS });
    const temporal = new Client({ connection, interceptors: { workflow: [counting] } });
    const deps = createOutboundDeps({ config: stack.config, db: stack.db, temporal });
    const cost = async (projectId: string) => {
      commands.length = 0;
      calls.length = 0;
      const answer = await publishEvent(
        deps,
        publishEventInput.parse({ projectId, entityType: 'record', action: 'create', entity: { id: 'x' } }),
      );
      return { answer, commands: commands.map((c) => c.commandName), calls: [...calls] };
    };
    try {
      for (const [projectId, n, ordered] of [
        ['cost-1', 1, false],
        ['cost-10', 10, false],
        ['cost-10-ordered', 10, true],
      ] as const) {
        for (let k = 0; k < n; k++) {
          await stack.api.webhooks.create.mutate({
            projectId,
            name: `w${k}`,
            url: r.url,
            triggers: [{ entityType: 'record', actions: ['create'] }],
            ...(ordered && k % 2 ? { ordering: 'entity' as const } : {}),
          });
        }
      }
      const one = await cost('cost-1');
      const ten = await cost('cost-10');
      const mixed = await cost('cost-10-ordered');
      expect(ten.answer.deliveries).toHaveLength(10);
      expect(mixed.answer.deliveries).toHaveLength(10);
      // One webhook: find the webhooks, store the event, store the delivery (and take its place in the ring).
      expect(one.calls).toEqual(['start']);
      // Ten: the same three, the deliveries in one insert; one Temporal operation.
      expect(ten.commands).toEqual(['find', 'insert', 'insert']);
      expect(ten.calls).toEqual(['start']);
      expect(mixed.commands).toEqual(['find', 'insert', 'insert']);
      expect(mixed.calls).toEqual(['signalWithStart']);
      // Each is readable at once.
      for (const d of ten.answer.deliveries) await stack.api.deliveries.get.query({ projectId: 'cost-10', id: d.id });
      for (const d of mixed.answer.deliveries) {
        await stack.api.deliveries.get.query({ projectId: 'cost-10-ordered', id: d.id });
      }
    } finally {
      await connection.close();
    }
  });
});
