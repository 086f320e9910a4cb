import type { CommandStartedEvent, Document } from 'mongodb';
import { appRouter } from '../../src/api/router';
import { createExecutionLog } from '../../src/outbound/store/execution-log';
import { createRetentionActivities } from '../../src/retention/activities';
import { startReceiver, type Receiver } from '../helpers/receiver';
import { entityWorkflowId } from '../../src/outbound/deliveries/route';
import { batchIdFor } from '../../src/outbound/ids';
import { startStack, type Stack } from '../helpers/stack';

/**
 * No call's cost may depend on what other projects (or the same project's other webhooks and flows) have stored:
 * every query the API and the worker make is served by an index. This file runs every tRPC procedure and every
 * path of a delivery and of a flow run on a stack whose database commands are all seen (command monitoring),
 * then runs each distinct query through `explain` on the database under test:
 * - FerretDB (with temporal/ferretdb-v1.24.2-pushdown.patch): the filter is pushed down and SQLite's plan is
 *   `SEARCH … USING INDEX` at every step (never `SCAN`), and a page (a sort with a limit) is cut in SQL;
 * - MongoDB: no `COLLSCAN` in the winning plan, and no in-memory `SORT` for a page.
 */

interface Query {
  collection: string;
  filter: Document;
  sort?: Document;
  limit?: number;
  /** The command it came from, for the failure message. */
  from: string;
}

/** The queries a command makes: a find's filter, sort and limit; each update's, delete's and findAndModify's filter. */
function queriesOf(e: CommandStartedEvent): Query[] {
  const c = e.command;
  const from = e.commandName;
  switch (e.commandName) {
    case 'find':
      return [{ collection: c.find, filter: c.filter ?? {}, sort: plain(c.sort), limit: c.limit, from }];
    case 'findAndModify':
      return [{ collection: c.findAndModify, filter: c.query ?? {}, sort: plain(c.sort), from }];
    case 'update':
      return (c.updates as Document[]).map((u) => ({ collection: c.update, filter: u.q, from }));
    case 'delete':
      return (c.deletes as Document[]).map((d) => ({ collection: c.delete, filter: d.q, from }));
    case 'count':
      return [{ collection: c.count, filter: c.query ?? {}, from }];
    case 'aggregate': {
      const match = (c.pipeline as Document[]).find((s) => '$match' in s);
      return [{ collection: c.aggregate, filter: match?.$match ?? {}, from }];
    }
    default:
      return [];
  }
}

/** The driver sends a sort as a Map (its keys' order matters): as a plain document, to print and explain. */
const plain = (sort: unknown): Document | undefined =>
  sort instanceof Map ? Object.fromEntries(sort) : (sort as Document | undefined);

/** A query's shape: its keys and operators, not its values, so that one of each kind is explained. */
function shapeOf(q: Query): string {
  const shape = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.length ? [shape(v[0])] : [];
    if (v instanceof Date) return 'date';
    if (v && typeof v === 'object' && !('_bsontype' in v)) {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, shape(x)]));
    }
    return typeof v;
  };
  return JSON.stringify([q.collection, shape(q.filter), q.sort ?? null, q.limit ? 'limit' : null]);
}

describe('every query is served by an index', () => {
  let stack: Stack;
  let receiver: Receiver;
  const commands: CommandStartedEvent[] = [];
  const called = new Set<string>();

  beforeAll(async () => {
    receiver = await startReceiver(async (_n, req) => {
      if (req.path === '/fail-once' && receiver.requests.filter((r) => r.path === '/fail-once').length === 1) {
        return { status: 500 };
      }
      if (req.path === '/gone') return { status: 410 };
      if (req.path === '/slow') await new Promise((r) => setTimeout(r, 1_300)); // shown `pending`, then completed
      return { status: 200, body: '{"ok":true}' };
    });
    stack = await startStack({}, { onCommand: (e) => commands.push(e) });
  });
  afterAll(async () => {
    await stack?.stop();
    await receiver?.close();
  });

  it('runs every procedure and delivery path, then finds every distinct query served by an index', async () => {
    const api = stack.api;
    const p = 'plans';
    const call = <T>(path: string, result: Promise<T>) => {
      called.add(path);
      return result;
    };
    const settle = (workflowId: string) =>
      stack.temporal.workflow
        .getHandle(workflowId)
        .result()
        .catch(() => undefined);

    const trigger = { entityType: 'record' as const, actions: ['create' as const, 'custom' as const] };
    const hooks = [];
    for (const path of ['/ok', '/fail-once', '/gone', '/slow']) {
      hooks.push(
        await call(
          'webhooks.create',
          api.webhooks.create.mutate({
            projectId: p,
            name: path,
            url: `${receiver.url}${path}`,
            triggers: [{ ...trigger, contentTypes: [path] }],
            retryPolicy: { initialIntervalMs: 1_000 },
          }),
        ),
      );
    }
    const [ok] = hooks;
    await call('webhooks.get', api.webhooks.get.query({ projectId: p, id: ok!.id }));
    const page1 = await call('webhooks.list', api.webhooks.list.query({ projectId: p, limit: 2 }));
    await api.webhooks.list.query({ projectId: p, limit: 2, cursor: page1.nextCursor });
    await call('webhooks.update', api.webhooks.update.mutate({ projectId: p, id: ok!.id, name: 'renamed' }));
    await call('webhooks.secret', api.webhooks.secret.query({ projectId: p, id: ok!.id }));
    await call('webhooks.rotateSecret', api.webhooks.rotateSecret.mutate({ projectId: p, id: ok!.id }));

    const workflows: string[] = [];
    for (const path of ['/ok', '/fail-once', '/gone', '/slow']) {
      const published = await call(
        'events.publish',
        api.events.publish.mutate({
          projectId: p,
          eventId: `evt-${path}`,
          entityType: 'record',
          action: 'create',
          contentType: path,
          entity: { id: path },
        }),
      );
      workflows.push(...published.deliveries.map((d) => d.workflowId));
    }
    // The same event again: found, not delivered twice.
    await api.events.publish.mutate({
      projectId: p,
      eventId: 'evt-/ok',
      entityType: 'record',
      action: 'create',
      contentType: '/ok',
      entity: { id: '/ok' },
    });
    // An entity's lanes (ordered and coalesced, with a fold), a fan-out to several webhooks, and a release.
    const okUrl = `${receiver.url}/ok`;
    const laneTrigger = (contentType: string) => [
      { entityType: 'record' as const, actions: ['update' as const, 'publish' as const], contentTypes: [contentType] },
    ];
    await api.webhooks.create.mutate({
      projectId: p,
      name: 'lane',
      url: okUrl,
      triggers: laneTrigger('lane'),
      ordering: 'entity',
      coalesce: { quietMs: 1_000, maxWaitMs: 1_000 },
    });
    await api.webhooks.create.mutate({ projectId: p, name: 'fan-a', url: okUrl, triggers: laneTrigger('fan') });
    await api.webhooks.create.mutate({ projectId: p, name: 'fan-b', url: okUrl, triggers: laneTrigger('fan') });
    await api.webhooks.create.mutate({
      projectId: p,
      name: 'digest',
      url: okUrl,
      triggers: laneTrigger('fan'),
      digest: true,
    });
    const laneEvent = (eventId: string) => ({
      projectId: p,
      eventId,
      entityType: 'record' as const,
      action: 'update' as const,
      contentType: 'lane',
      entity: { id: 'lane-1' },
    });
    await api.events.publish.mutate(laneEvent('lane-1'));
    await api.events.publish.mutate(laneEvent('lane-2'));
    await api.events.publish.mutate(laneEvent('lane-2')); // a repeat: the stored deliveries are found
    const fan = await api.events.publish.mutate({
      projectId: p,
      eventId: 'fan-1',
      entityType: 'record',
      action: 'update',
      contentType: 'fan',
      entity: { id: 'fan-1' },
    });
    workflows.push(fan.deliveries[0]!.workflowId, entityWorkflowId(p, 'record', 'lane-1'));
    await call(
      'events.publishBatch',
      api.events.publishBatch.mutate({
        projectId: p,
        ref: 'release-1',
        events: [1, 2, 3].map((i) => ({
          entityType: 'record' as const,
          action: 'publish' as const,
          contentType: 'fan',
          entity: { id: `rel-${i}` },
        })),
      }),
    );
    workflows.push(`batch-${batchIdFor(p, 'release-1')}`);
    await call('webhooks.preview', api.webhooks.preview.mutate({ projectId: p, webhookId: ok!.id }));
    await api.webhooks.preview.mutate({ projectId: p, webhookId: ok!.id, eventId: 'evt-/ok' });
    const recovery = { projectId: p, webhookId: hooks[1]!.id, since: new Date(Date.now() - 60_000).toISOString() };
    await api.deliveries.recover.mutate({ ...recovery, idempotencyKey: 'r1', dryRun: true });
    const recovered = await call(
      'deliveries.recover',
      api.deliveries.recover.mutate({ ...recovery, idempotencyKey: 'r1', includeMissed: true }),
    );
    await settle(`recovery-${recovered.id!}`);
    await call('recoveries.get', api.recoveries.get.query({ projectId: p, id: recovered.id! }));
    const recoveries = await call('recoveries.list', api.recoveries.list.query({ projectId: p, limit: 1 }));
    await api.recoveries.list.query({ projectId: p, webhookId: hooks[1]!.id, cursor: recoveries.nextCursor });
    await call('recoveries.cancel', api.recoveries.cancel.mutate({ projectId: p, id: recovered.id! }));
    const tested = await call('webhooks.test', api.webhooks.test.mutate({ projectId: p, id: ok!.id }));
    const triggered = await call(
      'webhooks.trigger',
      api.webhooks.trigger.mutate({ projectId: p, id: ok!.id, entityType: 'record', entity: { id: 'c1' } }),
    );
    workflows.push(tested.workflowId, ...triggered.deliveries.map((d) => d.workflowId));
    await Promise.all(workflows.map(settle));

    const delivered = await call('deliveries.list', api.deliveries.list.query({ projectId: p, limit: 2 }));
    await api.deliveries.list.query({ projectId: p, limit: 2, cursor: delivered.nextCursor });
    await api.deliveries.list.query({ projectId: p, webhookId: ok!.id });
    await api.deliveries.list.query({ projectId: p, status: 'error' });
    await api.deliveries.list.query({ projectId: p, webhookId: ok!.id, status: 'done' });
    const one = delivered.items[0]!;
    await call('deliveries.get', api.deliveries.get.query({ projectId: p, id: one.id }));
    const resent = await call('deliveries.resend', api.deliveries.resend.mutate({ projectId: p, id: one.id }));
    await settle(resent.workflowId);

    const logs = await call('logs.list', api.logs.list.query({ projectId: p, webhookId: hooks[1]!.id, limit: 1 }));
    await api.logs.list.query({ projectId: p, webhookId: hooks[1]!.id, limit: 1, cursor: logs.nextCursor });
    await api.logs.list.query({ projectId: p, webhookId: hooks[1]!.id, status: 'error' });
    await api.logs.list.query({ projectId: p, webhookId: hooks[1]!.id, deliveryId: logs.items[0]!.deliveryId });
    await api.logs.list.query({
      projectId: p,
      webhookId: hooks[1]!.id,
      deliveryId: logs.items[0]!.deliveryId,
      status: 'done',
    });
    // The look-up a retry makes after a crash cut an attempt off (worker-crash.test.ts makes it for real).
    await createExecutionLog(stack.db, stack.config.LOG_CAP_PER_WEBHOOK).entryOf({
      projectId: p,
      webhookId: hooks[1]!.id,
      deliveryId: logs.items[0]!.deliveryId,
      attempt: 1,
    });

    const flow = await call(
      'flows.create',
      api.flows.create.mutate({
        projectId: p,
        name: 'f',
        status: 'live',
        mode: 'sync',
        steps: [
          { ref: 's', kind: 'set', value: '{{ web1.x }}' },
          { ref: 'pub', kind: 'publish', entityType: 'record', action: 'create', entity: '{"id": "from-flow"}' },
        ],
      }),
    );
    await call('flows.get', api.flows.get.query({ projectId: p, id: flow.id }));
    await call('flows.list', api.flows.list.query({ projectId: p, limit: 1 }));
    await call('flows.update', api.flows.update.mutate({ projectId: p, id: flow.id, name: 'g' }));
    const { token } = await call('flows.token', api.flows.token.query({ projectId: p, id: flow.id }));
    for (let i = 0; i < 2; i++) {
      const res = await fetch(`${stack.url}/v1/flow-webhook/${flow.id}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ x: i }),
      });
      expect(res.status).toBe(200);
    }
    const runs = await call('flows.runs', api.flows.runs.query({ projectId: p, id: flow.id, limit: 1 }));
    await api.flows.runs.query({ projectId: p, id: flow.id, limit: 1, cursor: runs.nextCursor });
    await call('flows.rotateToken', api.flows.rotateToken.mutate({ projectId: p, id: flow.id }));
    await call('flows.delete', api.flows.delete.mutate({ projectId: p, id: flow.id }));
    await call('webhooks.delete', api.webhooks.delete.mutate({ projectId: p, id: hooks[3]!.id }));

    // The retention sweep's queries (its schedule runs it hourly; here, once, on this stack's database).
    const retention = createRetentionActivities({
      db: stack.db,
      temporal: stack.temporal,
      logCapPerWebhook: stack.config.LOG_CAP_PER_WEBHOOK,
      runLogCapPerFlow: stack.config.RUN_LOG_CAP_PER_FLOW,
    });
    await retention.sweepExpiredEvents(Date.now() + 1_000, 2);
    await retention.sweepTombstones(null, 500, 0);
    await retention.recordEndsSeenFromOutside('deliveries', null, 500, Date.now());
    await retention.recordEndsSeenFromOutside('runs', null, 500, Date.now());

    // Every procedure of the API ran: a new one without a query here fails this test.
    expect([...called].sort()).toEqual(Object.keys(appRouter._def.procedures).sort());

    const distinct = new Map<string, Query>();
    for (const e of commands) for (const q of queriesOf(e)) if (!distinct.has(shapeOf(q))) distinct.set(shapeOf(q), q);
    expect(distinct.size).toBeGreaterThan(15);

    const db = stack.db.conn.db!;
    const ferretdb = stack.db.flavor === 'ferretdb';
    const unserved: string[] = [];
    for (const q of distinct.values()) {
      const explained = await db.command({
        explain: { find: q.collection, filter: q.filter, ...(q.sort ? { sort: q.sort } : {}), limit: q.limit ?? 0 },
      });
      const page = q.sort !== undefined && (q.limit ?? 0) > 0;
      let why: string | undefined;
      if (ferretdb) {
        const plan: string[] = explained.queryPlanner?.Plan ?? [];
        if (Object.keys(q.filter).length && explained.filterPushdown !== true) why = 'filter not pushed down';
        else if (!plan.length || plan.some((step) => !/detail=SEARCH \S+ USING INDEX /.test(step))) {
          why = plan.join(' | ');
        } else if (page && explained.limitPushdown !== true) why = 'page not cut in SQL';
      } else {
        const winning = JSON.stringify(explained.queryPlanner?.winningPlan ?? {});
        if (winning.includes('COLLSCAN')) why = winning;
        else if (page && winning.includes('"stage":"SORT"')) why = `sorted in memory: ${winning}`;
      }
      if (why)
        unserved.push(`${q.from} ${q.collection} ${JSON.stringify(q.filter)} sort ${JSON.stringify(q.sort)}: ${why}`);
    }
    process.stderr.write(`[query-plans] ${distinct.size} distinct queries explained on ${stack.db.flavor}\n`);
    expect(unserved).toEqual([]);
  }, 120_000);
});
