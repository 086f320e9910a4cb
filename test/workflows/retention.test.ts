import { randomBytes } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { driverCollection } from '../../src/db/driver';
import { createRunLog } from '../../src/inbound/store/runs';
import { createExecutionLog } from '../../src/outbound/store/execution-log';
import type { EventRecord } from '../../src/outbound/store/records';
import { createTombstones } from '../../src/outbound/store/tombstones';
import { createRetentionActivities } from '../../src/retention/activities';
import type { RetentionActivities } from '../../src/retention/types';
import type { retentionSweepWorkflow } from '../../src/workflows';
import { openTestDatabase } from '../helpers/db';
import { testEnv } from '../helpers/env';
import { storeDelivery } from '../helpers/fixtures';
import { createTimeSkippingEnv } from '../helpers/time-skipping';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The retention sweep on the time-skipping server: events are kept EVENT_RETENTION_DAYS (days pass in moments),
 * a deleted webhook's and flow's records go, each run is bounded (it continues as new), and a sweep whose worker
 * died goes on on another.
 */
describe('retention sweep (time-skipping)', () => {
  let env: TestWorkflowEnvironment;
  let db: Awaited<ReturnType<typeof openTestDatabase>>;

  beforeAll(async () => {
    [env, db] = await Promise.all([createTimeSkippingEnv(), openTestDatabase()]);
  });
  afterAll(async () => {
    await env?.teardown();
    await db?.drop();
  });

  const activities = () =>
    createRetentionActivities({ db, temporal: env.client, logCapPerWebhook: 300, runLogCapPerFlow: 300 });
  async function worker(acts: RetentionActivities = activities()) {
    const taskQueue = `retention-${randomBytes(4).toString('hex')}`;
    const w = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: { codePath: testEnv('workflowBundle') },
      activities: acts,
    });
    return { worker: w, taskQueue };
  }
  const sweep = (taskQueue: string, input: Parameters<typeof retentionSweepWorkflow>[0]) =>
    env.client.workflow.start<typeof retentionSweepWorkflow>('retentionSweepWorkflow', {
      taskQueue,
      workflowId: `sweep-${randomBytes(4).toString('hex')}`,
      args: [input],
    });

  async function storeEvents(n: number, projectId: string) {
    const now = new Date();
    await driverCollection<EventRecord>(db.models.Event).insertMany(
      Array.from({ length: n }, (_, i) => ({
        _id: `evt_${projectId}_${i}`,
        projectId,
        eventId: `e${i}`,
        webhookIds: [],
        createdAt: now,
        updatedAt: now,
      })),
    );
  }
  const eventsOf = (projectId: string) => db.models.Event.countDocuments({ projectId });

  it('keeps events for the retention days, removes them after, a bounded batch at a time', async () => {
    await storeEvents(9, 'ret-events');
    const { worker: w, taskQueue } = await worker();
    await w.runUntil(async () => {
      const first = await sweep(taskQueue, { retentionDays: 7, batch: 2, batchesPerRun: 2 });
      expect(await first.result()).toMatchObject({ events: 0 });
      expect(await eventsOf('ret-events')).toBe(9);

      await env.sleep(8 * DAY_MS);
      const later = await sweep(taskQueue, { retentionDays: 7, batch: 2, batchesPerRun: 2 });
      expect((await later.result()).events).toBeGreaterThanOrEqual(9);
      expect(await eventsOf('ret-events')).toBe(0);
      // Bounded per run: 9 events in batches of 2, two batches a run, so it went on in new runs.
      const history = await env.client.workflow.getHandle(later.workflowId, later.firstExecutionRunId).fetchHistory();
      const last = history.events![history.events!.length - 1]!;
      expect(last.workflowExecutionContinuedAsNewEventAttributes).toBeTruthy();
    });
  });

  it("removes a deleted webhook's deliveries and log, and a deleted flow's runs; the tombstones go once settled", async () => {
    const gone = await storeDelivery(db, 'http://127.0.0.1:9/gone');
    const kept = await storeDelivery(db, 'http://127.0.0.1:9/kept');
    const log = createExecutionLog(db, 300);
    for (const d of [gone, kept]) {
      const now = new Date();
      await log.record(
        {
          projectId: 'proj',
          webhookId: d.webhookId,
          deliveryId: d.deliveryId,
          attempt: 1,
          request: { url: 'http://127.0.0.1:9/', method: 'POST', headers: {}, body: '{}' },
          startedAt: now,
        },
        { status: 'done', finishedAt: now, durationMs: 1 },
      );
    }
    const runs = createRunLog(db, 300);
    await runs.start({
      projectId: 'proj',
      flowId: 'flow_gone',
      runId: 'run_1',
      status: 'done',
      request: { body: '{}', headers: {} },
      steps: [],
      startedAt: new Date(),
    });
    for (const d of [gone, kept]) {
      const now = new Date();
      await db.models.Recovery.create({
        _id: `rcv_${d.webhookId}`,
        key: `rck_${d.webhookId}`,
        projectId: 'proj',
        webhookId: d.webhookId,
        since: now,
        until: now,
        statuses: ['error'],
        includeMissed: false,
        status: 'done',
        ...{ total: 0, sent: 0, skipped: 0, failed: 0 },
        createdAt: now,
      });
    }
    const tombstones = createTombstones(db);
    await tombstones.mark('webhook', gone.webhookId, 'proj');
    await db.models.Webhook.deleteOne({ _id: gone.webhookId });
    await tombstones.mark('flow', 'flow_gone', 'proj');
    // Deleted now on the test server's clock, which earlier tests moved days ahead.
    await db.models.Tombstone.updateMany({}, { $set: { deletedAt: new Date(await env.currentTimeMs()) } });

    const counts = async () => ({
      goneDeliveries: await db.models.Delivery.countDocuments({ webhookId: gone.webhookId }),
      goneLog: await db.models.LogEntry.countDocuments({ webhookId: gone.webhookId }),
      keptDeliveries: await db.models.Delivery.countDocuments({ webhookId: kept.webhookId }),
      keptLog: await db.models.LogEntry.countDocuments({ webhookId: kept.webhookId }),
      runs: await db.models.FlowRun.countDocuments({ flowId: 'flow_gone' }),
      recoveries: (await db.models.Recovery.find({ webhookId: { $in: [gone.webhookId, kept.webhookId] } }).lean()).map(
        (r) => r.webhookId === kept.webhookId,
      ),
      tombstones: await db.models.Tombstone.countDocuments({}),
    });
    expect(await counts()).toEqual({
      goneDeliveries: 1,
      goneLog: 1,
      keptDeliveries: 1,
      keptLog: 1,
      runs: 1,
      recoveries: expect.arrayContaining([true, false]),
      tombstones: 2,
    });

    const { worker: w, taskQueue } = await worker();
    await w.runUntil(async () => {
      await (await sweep(taskQueue, { retentionDays: 7, batch: 1, batchesPerRun: 1 })).result();
      // Removed at once; the tombstones stay a day, in case a paused delivery or a run still writes.
      expect(await counts()).toEqual({
        goneDeliveries: 0,
        goneLog: 0,
        keptDeliveries: 1,
        keptLog: 1,
        runs: 0,
        recoveries: [true],
        tombstones: 2,
      });
      await env.sleep(2 * DAY_MS);
      await (await sweep(taskQueue, { retentionDays: 7 })).result();
      expect(await counts()).toMatchObject({ keptDeliveries: 1, keptLog: 1, tombstones: 0 });
    });
  });

  it('a batch cut off after its deletes (the worker died before saying so) is made again, and finds them gone', async () => {
    await storeEvents(5, 'ret-crash');
    await env.sleep(8 * DAY_MS);
    let calls = 0;
    const real = activities();
    const { worker: w, taskQueue } = await worker({
      ...real,
      sweepExpiredEvents: async (before, limit) => {
        const removed = await real.sweepExpiredEvents(before, limit);
        if (++calls === 1) throw new Error(`the worker died after removing ${removed} events, before saying so`);
        return removed;
      },
    });
    const result = await w.runUntil(async () =>
      (await sweep(taskQueue, { retentionDays: 7, batch: 2, batchesPerRun: 10 })).result(),
    );
    expect(calls).toBeGreaterThanOrEqual(3);
    expect(result.events).toBe(3); // what the retry and the batches after it found: the first 2 went unreported
    expect(await eventsOf('ret-crash')).toBe(0);
  });
});
