import { driverCollection } from '../../src/db/driver';
import type { EventRecord } from '../../src/outbound/store/records';
import { retentionScheduleId } from '../../src/retention/schedule';
import { startStack, type Stack } from '../helpers/stack';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The retention sweep runs from a Temporal Schedule that a worker makes sure of at start, saying what the
 * configuration says; triggered, it removes what is past EVENT_RETENTION_DAYS on the real stack.
 */
describe('the retention schedule', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ EVENT_RETENTION_DAYS: '3' });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('exists once a worker has started, and its sweep removes events older than EVENT_RETENTION_DAYS', async () => {
    const handle = stack.temporal.schedule.getHandle(retentionScheduleId(stack.config.TASK_QUEUE));
    // Made sure of beside the worker's start, not before it.
    let described: Awaited<ReturnType<typeof handle.describe>> | undefined;
    for (let i = 0; i < 100 && !described; i++) {
      described = await handle.describe().catch(async () => {
        await new Promise((r) => setTimeout(r, 50));
        return undefined;
      });
    }
    if (!described) throw new Error('no retention schedule');
    expect(described.action).toMatchObject({
      type: 'startWorkflow',
      workflowType: 'retentionSweepWorkflow',
      taskQueue: stack.config.TASK_QUEUE,
      args: [{ retentionDays: 3 }],
    });
    expect(described.spec.intervals).toEqual([expect.objectContaining({ every: 60 * 60 * 1000 })]);

    const events = driverCollection<EventRecord>(stack.db.models.Event);
    const at = (daysAgo: number) => new Date(Date.now() - daysAgo * DAY_MS);
    await events.insertMany([
      { _id: 'evt_old', projectId: 'ret', eventId: 'old', webhookIds: [], createdAt: at(4), updatedAt: at(4) },
      { _id: 'evt_new', projectId: 'ret', eventId: 'new', webhookIds: [], createdAt: at(2), updatedAt: at(2) },
    ]);
    await handle.trigger();
    for (let i = 0; i < 200 && (await events.countDocuments({ _id: 'evt_old' })) > 0; i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    expect((await events.find({ projectId: 'ret' }).toArray()).map((e) => e._id)).toEqual(['evt_new']);
  });
});
