import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { deliveryWorkflow } from '../../src/workflows';
import { entityWorkflowId } from '../../src/outbound/deliveries/route';
import { batchIdFor } from '../../src/outbound/ids';
import { openTestDatabase } from '../helpers/db';
import { storeDelivery } from '../helpers/fixtures';
import { startReceiver, type Reply } from '../helpers/receiver';
import { startStack, type Stack } from '../helpers/stack';
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
      await saveHistory(handle, path.join(OUT, `${name}.json`));
    } finally {
      await receiver.close();
    }
  });
});

/**
 * The flow-run workflow's paths, recorded from calls of a real stack: replayed by replay.test.ts. `flows-v1` was
 * recorded before an async run carried the answer its caller got (`answered`); `flows-v2` after.
 */
describe('record flow-run workflow histories', () => {
  const FLOWS_OUT = path.join(__dirname, 'histories', 'flows-v2');
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
    mkdirSync(FLOWS_OUT, { recursive: true });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  type Steps = Parameters<Stack['api']['flows']['create']['mutate']>[0]['steps'];
  const scenarios: [string, 'sync' | 'async', (url: string) => Steps, (n: number) => Reply][] = [
    ['sync-set', 'sync', () => [{ ref: 'res1', kind: 'set', value: '{{ web1.id }}' }], () => ({ status: 200 })],
    [
      'async-http-then-set',
      'async',
      (url) => [
        { ref: 'crm', kind: 'http', url: `${url}/c/{{ web1.id }}`, retryPolicy: { initialIntervalMs: 1_000 } },
        { ref: 'res1', kind: 'set', value: '{{ crm.status }}' },
      ],
      (n) => (n === 1 ? { status: 503 } : { status: 200, body: '{"ok":true}' }),
    ],
    [
      'sync-http-fails',
      'sync',
      (url) => [{ ref: 'crm', kind: 'http', url: `${url}/down`, retryPolicy: { maximumAttempts: 1 } }],
      () => ({ status: 500 }),
    ],
    [
      'sync-publish',
      'sync',
      () => [
        { ref: 'evt', kind: 'publish', entityType: 'record', action: 'create', entity: '{"id": "{{ web1.id }}"}' },
      ],
      () => ({ status: 200 }),
    ],
  ];

  it.each(scenarios)('%s', async (name, mode, steps, script) => {
    const receiver = await startReceiver(script);
    try {
      const flow = await stack.api.flows.create.mutate({
        projectId: 'record',
        name,
        status: 'live',
        mode,
        steps: steps(receiver.url),
      });
      const { token } = await stack.api.flows.token.query({ projectId: 'record', id: flow.id });
      const res = await fetch(`${stack.url}/v1/flow-webhook/${flow.id}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: '{"id": "c-1"}',
      });
      const handle = stack.temporal.workflow.getHandle(`flow-run-${res.headers.get('x-hookline-run-id')}`);
      await handle.result().catch(() => undefined);
      await saveHistory(handle, path.join(FLOWS_OUT, `${name}.json`));
    } finally {
      await receiver.close();
    }
  });
});

/**
 * The workflows of ordering, coalescing, fan-out and releases (`lanes-v1`), recorded from calls of a real stack:
 * an entity's workflow with a fold, the delivery it started (which signals its end back), a fan-out and a batch.
 */
describe('record lane, fan-out and batch workflow histories', () => {
  const LANES_OUT = path.join(__dirname, 'histories', 'lanes-v1');
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
    mkdirSync(LANES_OUT, { recursive: true });
  });
  afterAll(async () => {
    await stack?.stop();
  });
  const projectId = 'record-lanes';
  const triggers = [{ entityType: 'record' as const, actions: ['update' as const, 'publish' as const] }];
  const publish = (id: string, contentType: string) =>
    stack.api.events.publish.mutate({ projectId, entityType: 'record', action: 'update', contentType, entity: { id } });
  const settle = (workflowId: string) =>
    stack.temporal.workflow
      .getHandle(workflowId)
      .result()
      .catch(() => undefined);

  it('entity-ordered-fold, its head delivery, and entity-coalesced', async () => {
    const receiver = await startReceiver((n) => (n === 1 ? { status: 500 } : { status: 200 }));
    try {
      await stack.api.webhooks.create.mutate({
        projectId,
        name: 'ordered',
        url: receiver.url,
        triggers: [{ ...triggers[0]!, contentTypes: ['ordered'] }],
        ordering: 'entity',
        retryPolicy: { initialIntervalMs: 1_000 },
      });
      await stack.api.webhooks.create.mutate({
        projectId,
        name: 'coalesced',
        url: receiver.url,
        triggers: [{ ...triggers[0]!, contentTypes: ['coalesced'] }],
        coalesce: { quietMs: 1_000, maxWaitMs: 2_000 },
      });
      const head = await publish('o-1', 'ordered');
      for (let i = 0; i < 3; i++) await publish('o-1', 'ordered');
      for (let i = 0; i < 3; i++) await publish('c-1', 'coalesced');
      const ordered = entityWorkflowId(projectId, 'record', 'o-1');
      const coalesced = entityWorkflowId(projectId, 'record', 'c-1');
      await Promise.all([settle(ordered), settle(coalesced)]);
      await saveHistory(stack.temporal.workflow.getHandle(ordered), path.join(LANES_OUT, 'entity-ordered-fold.json'));
      await saveHistory(stack.temporal.workflow.getHandle(coalesced), path.join(LANES_OUT, 'entity-coalesced.json'));
      const history = await stack.temporal.workflow.getHandle(ordered).fetchHistory();
      const headWorkflow = history.events!.find((e) => e.startChildWorkflowExecutionInitiatedEventAttributes)!
        .startChildWorkflowExecutionInitiatedEventAttributes!.workflowId!;
      expect(headWorkflow).toBe(head.deliveries[0]!.workflowId);
      await saveHistory(
        stack.temporal.workflow.getHandle(headWorkflow),
        path.join(LANES_OUT, 'delivery-notifies.json'),
      );
    } finally {
      await receiver.close();
    }
  });

  it('fan-out and batch-digest', async () => {
    const receiver = await startReceiver((n) => (n === 2 ? { status: 500 } : { status: 200 }));
    try {
      for (const name of ['a', 'b', 'c']) {
        await stack.api.webhooks.create.mutate({
          projectId,
          name,
          url: receiver.url,
          triggers: [{ ...triggers[0]!, contentTypes: ['fan'] }],
          retryPolicy: { initialIntervalMs: 1_000 },
        });
      }
      await stack.api.webhooks.create.mutate({
        projectId,
        name: 'digest',
        url: receiver.url,
        triggers: [{ ...triggers[0]!, contentTypes: ['fan'] }],
        digest: true,
      });
      const fan = await publish('f-1', 'fan');
      await settle(fan.deliveries[0]!.workflowId);
      await saveHistory(
        stack.temporal.workflow.getHandle(fan.deliveries[0]!.workflowId),
        path.join(LANES_OUT, 'fan-out.json'),
      );
      await stack.api.events.publishBatch.mutate({
        projectId,
        ref: 'release-1',
        events: [1, 2].map((i) => ({
          entityType: 'record' as const,
          action: 'publish' as const,
          contentType: 'fan',
          entity: { id: `r-${i}` },
        })),
      });
      const batch = `batch-${batchIdFor(projectId, 'release-1')}`;
      await settle(batch);
      await saveHistory(stack.temporal.workflow.getHandle(batch), path.join(LANES_OUT, 'batch-digest.json'));
    } finally {
      await receiver.close();
    }
  });
});

/** A recovery (`recovery-v1`): one failed delivery sent again, one missed delivery sent, through the window. */
describe('record recovery workflow histories', () => {
  const OUT_DIR = path.join(__dirname, 'histories', 'recovery-v1');
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ CIRCUIT_FAILURE_THRESHOLD: '1000' });
    mkdirSync(OUT_DIR, { recursive: true });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('recovery-resend-and-missed', async () => {
    let down = true;
    const receiver = await startReceiver(() => (down ? { status: 503 } : { status: 200 }));
    try {
      const projectId = 'record-recovery';
      const webhook = await stack.api.webhooks.create.mutate({
        projectId,
        name: 'r',
        url: receiver.url,
        triggers: [{ entityType: 'record', actions: ['update'] }],
        retryPolicy: { maximumAttempts: 1 },
      });
      const since = new Date(Date.now() - 1_000).toISOString();
      const failed = await stack.api.events.publish.mutate({
        projectId,
        entityType: 'record',
        action: 'update',
        entity: { id: 'f' },
      });
      await stack.temporal.workflow
        .getHandle(failed.deliveries[0]!.workflowId)
        .result()
        .catch(() => undefined);
      await stack.api.webhooks.update.mutate({ projectId, id: webhook.id, enabled: false });
      await stack.api.events.publish.mutate({ projectId, entityType: 'record', action: 'update', entity: { id: 'm' } });
      await stack.api.webhooks.update.mutate({ projectId, id: webhook.id, enabled: true });
      down = false;
      const { id } = await stack.api.deliveries.recover.mutate({
        projectId,
        webhookId: webhook.id,
        since,
        includeMissed: true,
        idempotencyKey: 'record',
      });
      const handle = stack.temporal.workflow.getHandle(`recovery-${id!}`);
      await handle.result();
      await saveHistory(handle, path.join(OUT_DIR, 'recovery-resend-and-missed.json'));
    } finally {
      await receiver.close();
    }
  });
});

async function saveHistory(handle: { fetchHistory(): ReturnType<WorkflowHandle['fetchHistory']> }, file: string) {
  const history = temporal.api.history.v1.History.toObject(
    temporal.api.history.v1.History.create(await handle.fetchHistory()),
    { longs: String, enums: String, bytes: String },
  );
  writeFileSync(file, `${JSON.stringify(history, null, 1)}\n`);
}
