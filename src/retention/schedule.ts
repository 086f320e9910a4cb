import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import type { retentionSweepWorkflow } from './workflow';

/** How often the sweep runs. */
const EVERY = '1 hour';

/** One schedule per task queue (a deployment has one; each test stack has its own). */
export const retentionScheduleId = (taskQueue: string) => `hookline-retention-${taskQueue}`;

/**
 * Makes sure the Temporal Schedule that starts the retention sweep exists and says what the configuration
 * says: created at a worker's start, or updated when it was there already (another worker, a restart).
 * A sweep still running when the next is due is not doubled (overlap: skip).
 */
export async function ensureRetentionSchedule(
  client: Client,
  opts: { taskQueue: string; retentionDays: number },
): Promise<void> {
  const scheduleId = retentionScheduleId(opts.taskQueue);
  const action = {
    type: 'startWorkflow' as const,
    workflowType: 'retentionSweepWorkflow',
    workflowId: `retention-sweep-${opts.taskQueue}`,
    taskQueue: opts.taskQueue,
    args: [{ retentionDays: opts.retentionDays }] satisfies Parameters<typeof retentionSweepWorkflow>,
  };
  try {
    await client.schedule.create({
      scheduleId,
      spec: { intervals: [{ every: EVERY }] },
      action,
      policies: { overlap: ScheduleOverlapPolicy.SKIP },
    });
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    await client.schedule.getHandle(scheduleId).update((previous) => ({ ...previous, action }));
  }
}
