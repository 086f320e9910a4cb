import { createRunLog, type RunStart } from '../../src/inbound/store/runs';
import { createDeliveryStore } from '../../src/outbound/store/deliveries';
import { createExecutionLog, INTERRUPTED, type LogStart } from '../../src/outbound/store/execution-log';
import type { DeliveryRecord } from '../../src/outbound/store/records';
import { createTombstones } from '../../src/outbound/store/tombstones';
import { newId, seqKey } from '../../src/shared/ids';
import { openTestDatabase } from '../helpers/db';

/**
 * The stores, one contract run on the database under test (FerretDB here; a real MongoDB or Atlas when
 * MONGODB_URI is set for `npm test`), as outpost's drivertest runs one suite for every log store backend.
 */
let db: Awaited<ReturnType<typeof openTestDatabase>>;
beforeAll(async () => {
  db = await openTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

function delivery(webhookId: string, over: Partial<DeliveryRecord> = {}): DeliveryRecord {
  const _id = over._id ?? newId('dlv');
  const at = new Date();
  return {
    _id,
    projectId: 'stores',
    webhookId,
    eventId: `evt-${_id}`,
    workflowId: `delivery-${_id}`,
    action: 'create',
    entityType: 'record',
    body: '{"n":1}',
    status: 'pending',
    attempts: 0,
    seq: seqKey(at, _id),
    createdAt: at,
    updatedAt: at,
    ...over,
  };
}

describe('delivery store (outbound/store/deliveries.ts)', () => {
  it('stores a delivery once: a second insert of the same id returns the first, body and all', async () => {
    const store = createDeliveryStore(db, 300);
    const first = delivery('wh_once', { _id: 'dlv_once', body: 'first' });
    expect(await store.insert(first)).toEqual(first);
    expect((await store.insert({ ...first, body: 'second' })).body).toBe('first');
    expect(await db.models.Delivery.countDocuments({ _id: 'dlv_once' })).toBe(1);
  });

  it("keeps a webhook's newest `keep` deliveries, deleting the ended one whose place a new one takes", async () => {
    const store = createDeliveryStore(db, 3);
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push((await store.insert(delivery('wh_ring', { status: 'done' })))._id);
    const kept = (await db.models.Delivery.find({ webhookId: 'wh_ring' }).lean()).map((d) => d._id).sort();
    expect(kept).toEqual(ids.slice(2).sort());
  });

  it('keeps a delivery still pending when newer ones push it out of the ring (its record holds its body)', async () => {
    const store = createDeliveryStore(db, 2);
    const pending = await store.insertMany([delivery('wh_ring_p')]);
    await store.keep([{ webhookId: 'wh_ring_p', deliveryId: pending[0]!._id }]);
    for (let i = 0; i < 3; i++) {
      const [d] = await store.insertMany([delivery('wh_ring_p', { status: 'done' })]);
      await store.keep([{ webhookId: 'wh_ring_p', deliveryId: d!._id }]);
    }
    expect(await db.models.Delivery.countDocuments({ _id: pending[0]!._id })).toBe(1);
    expect(await db.models.Delivery.countDocuments({ webhookId: 'wh_ring_p', status: 'done' })).toBe(2);
    expect(await store.endedOf([pending[0]!._id, 'dlv_gone'])).toEqual(['dlv_gone']);
  });

  it('records attempts and the end; an end seen from outside does not overwrite the one recorded', async () => {
    const store = createDeliveryStore(db, 300);
    const d = await store.insert(delivery('wh_end'));
    await store.attempted(d._id, { attempt: 1, statusCode: 500, error: 'HTTP 500', at: new Date() });
    expect(await store.find('stores', d._id)).toMatchObject({ status: 'pending', attempts: 1, lastStatusCode: 500 });
    await store.attempted(d._id, { attempt: 2, statusCode: 200, end: 'done', at: new Date() });
    await store.ended(d._id, { status: 'error', error: 'workflow terminated' }, { onlyIfPending: true });
    expect(await store.find('stores', d._id)).toMatchObject({ status: 'done', attempts: 2, lastError: null });
    expect(await store.find('another-project', d._id)).toBeNull();
  });

  it("removes a deleted webhook's deliveries, beyond its ring too, and its ring; another webhook's stay", async () => {
    const store = createDeliveryStore(db, 300);
    for (let i = 0; i < 3; i++) await store.insert(delivery('wh_gone'));
    // A resend's delivery is one more of the webhook's.
    await db.models.Delivery.create(delivery('wh_gone', { resendOf: 'x' }));
    const other = await store.insert(delivery('wh_stays'));
    expect(await store.removeOfWebhook('stores', 'wh_gone')).toBe(4);
    expect(await db.models.Delivery.countDocuments({ webhookId: 'wh_gone' })).toBe(0);
    expect(await db.models.DeliverySlot.countDocuments({ webhookId: 'wh_gone' })).toBe(0);
    expect(await store.find('stores', other._id)).not.toBeNull();
    expect(await store.removeOfWebhook('stores', 'wh_gone')).toBe(0); // idempotent
  });
});

describe('execution log (outbound/store/execution-log.ts)', () => {
  const start = (webhookId: string, attempt = 1): LogStart => ({
    projectId: 'stores',
    webhookId,
    deliveryId: `dlv-${webhookId}`,
    attempt,
    request: { url: 'https://example.com/', method: 'POST', headers: {}, body: '{}' },
    startedAt: new Date(),
  });
  const done = { status: 'done' as const, finishedAt: new Date(), durationMs: 3 };

  it('writes a quick attempt once, with its result, and finds it again by its attempt', async () => {
    const log = createExecutionLog(db, 300);
    const ref = await log.record(start('wh_log'), done);
    expect(await db.models.LogEntry.findById(ref.id).lean()).toMatchObject({ n: ref.n, status: 'done', attempt: 1 });
    expect(await log.entryOf({ ...start('wh_log'), attempt: 1 })).toEqual(ref);
    expect(await log.entryOf({ ...start('wh_log'), attempt: 2 })).toBeNull();
  });

  it('shows a slow attempt pending, then completes it; one a crash left pending is closed, a done one is not', async () => {
    const log = createExecutionLog(db, 300);
    const slow = await log.pending(start('wh_pending'));
    await log.complete(slow, done);
    await log.closeInterrupted(slow);
    expect(await db.models.LogEntry.findById(slow.id).lean()).toMatchObject({ status: 'done' });
    const cut = await log.pending(start('wh_pending', 2));
    await log.closeInterrupted(cut);
    expect(await db.models.LogEntry.findById(cut.id).lean()).toMatchObject({ status: 'error', error: INTERRUPTED });
  });

  it("keeps a webhook's newest `cap` entries, and removes them all when the webhook is deleted", async () => {
    const log = createExecutionLog(db, 4);
    for (let i = 1; i <= 6; i++) await log.record(start('wh_cap', i), done);
    const left = (await db.models.LogEntry.find({ webhookId: 'wh_cap' }).lean()).map((e) => e.attempt).sort();
    expect(left).toEqual([3, 4, 5, 6]);
    await log.record(start('wh_cap_other'), done);
    await log.removeOfWebhook('wh_cap');
    expect(await db.models.LogEntry.countDocuments({ webhookId: 'wh_cap' })).toBe(0);
    expect(await db.models.LogEntry.countDocuments({ webhookId: 'wh_cap_other' })).toBe(1);
  });
});

describe('tombstones (outbound/store/tombstones.ts)', () => {
  it('marks a deleted record once, pages through all of them in order, and removes one', async () => {
    const tombstones = createTombstones(db);
    await tombstones.mark('webhook', 'wh_t1', 'stores');
    await tombstones.mark('webhook', 'wh_t1', 'stores'); // a delete retried
    await tombstones.mark('flow', 'flow_t2', 'stores');
    await tombstones.mark('webhook', 'wh_t3', 'stores');
    const first = await tombstones.page(null, 2);
    const rest = await tombstones.page(first[first.length - 1]!._id, 2);
    expect([...first, ...rest].map((t) => t._id)).toEqual(['flow:flow_t2', 'webhook:wh_t1', 'webhook:wh_t3']);
    expect(first[0]).toMatchObject({ kind: 'flow', recordId: 'flow_t2', projectId: 'stores' });
    await tombstones.remove('webhook:wh_t1');
    expect((await tombstones.page(null, 10)).map((t) => t._id)).toEqual(['flow:flow_t2', 'webhook:wh_t3']);
  });
});

describe('flow run log (inbound/store/runs.ts)', () => {
  const run = (flowId: string, runId: string): RunStart => ({
    projectId: 'stores',
    flowId,
    runId,
    status: 'running',
    request: { body: '{}', headers: {} },
    steps: [],
    startedAt: new Date(),
  });
  const runsOf = async (flowId: string) =>
    (await db.models.FlowRun.find({ flowId }).lean()).map((r) => [r.runId, r.status]).sort();

  it("keeps a flow's newest `cap` runs, each updated as it goes, and ended only while it still runs", async () => {
    const log = createRunLog(db, 3);
    const refs = [];
    for (let i = 1; i <= 4; i++) refs.push(await log.start(run('flow_a', `run_${i}`)));
    await log.update(refs[3]!, { status: 'done', finishedAt: new Date() });
    await log.closeRunning(refs[3]!, { error: 'the run was terminated', finishedAt: new Date() }); // done: kept
    await log.closeRunning(refs[2]!, { error: 'the run was terminated', finishedAt: new Date() });
    expect(await runsOf('flow_a')).toEqual([
      ['run_2', 'running'],
      ['run_3', 'error'],
      ['run_4', 'done'],
    ]);
  });

  it('drops an entry only while it still says running, and clears a deleted flow only', async () => {
    const log = createRunLog(db, 300);
    const left = await log.start(run('flow_b', 'run_left'));
    const finished = await log.start(run('flow_b', 'run_finished'));
    await log.update(finished, { status: 'done', finishedAt: new Date() });
    await log.dropRunning(left);
    await log.dropRunning(finished);
    expect(await runsOf('flow_b')).toEqual([['run_finished', 'done']]);
    await log.start(run('flow_c', 'run_other'));
    await log.clear('flow_b');
    expect(await runsOf('flow_b')).toEqual([]);
    expect(await runsOf('flow_c')).toEqual([['run_other', 'running']]);
  });
});
