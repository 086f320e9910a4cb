import { continueAsNew, proxyActivities } from '@temporalio/workflow';
import type { RetentionActivities, RetentionInput, RetentionResult } from './types';

const DAY_MS = 24 * 60 * 60 * 1000;
/** Records per activity call, and calls per workflow run: a run's history stays small, whatever is to remove. */
export const SWEEP_BATCH = 500;
export const BATCHES_PER_RUN = 40;
/** A deleted webhook's deliveries may still write for a while (a paused one wakes and stops): its tombstone stays this long. */
const SETTLE_MS = DAY_MS;

const { sweepExpiredEvents, sweepTombstones } = proxyActivities<RetentionActivities>({
  startToCloseTimeout: '2 minutes',
  // Each batch is idempotent; a database blip is retried, not the end of the sweep.
  retry: { initialInterval: '5 seconds', maximumInterval: '5 minutes' },
});

/**
 * The retention sweep, started by a Temporal Schedule (schedule.ts): removes the events published more than
 * `retentionDays` ago, then the records of deleted webhooks and flows. Bounded per run: after
 * BATCHES_PER_RUN batches it continues as a new run where it stands; a crash of the worker only repeats the
 * batch under way, which finds what it had removed gone.
 */
export async function retentionSweepWorkflow(input: RetentionInput): Promise<RetentionResult> {
  // Workflow time is the Temporal server's: deterministic on replay, and skipped ahead in time-skipping tests.
  const now = Date.now();
  const cutoff = now - input.retentionDays * DAY_MS;
  let events = input.events ?? 0;
  let tombstones = input.tombstones ?? 0;
  const batch = input.batch ?? SWEEP_BATCH;
  const batchesPerRun = input.batchesPerRun ?? BATCHES_PER_RUN;
  let batches = 0;
  const goOn = (tombstonesAfter: string | null | undefined) =>
    continueAsNew<typeof retentionSweepWorkflow>({ ...input, tombstonesAfter, events, tombstones });

  if (input.tombstonesAfter === undefined) {
    for (;;) {
      const removed = await sweepExpiredEvents(cutoff, batch);
      events += removed;
      if (removed < batch) break;
      if (++batches >= batchesPerRun) return goOn(undefined);
    }
  }
  let after = input.tombstonesAfter ?? null;
  for (;;) {
    const page = await sweepTombstones(after, batch, now - SETTLE_MS);
    tombstones += page.swept;
    after = page.next;
    if (after === null) break;
    if (++batches >= batchesPerRun) return goOn(after);
  }
  return { events, tombstones };
}
