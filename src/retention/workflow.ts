import { continueAsNew, proxyActivities } from '@temporalio/workflow';
import type { RetentionActivities, RetentionInput, RetentionPhase, RetentionResult } from './types';

const DAY_MS = 24 * 60 * 60 * 1000;
/** Records per activity call, and calls per workflow run: a run's history stays small, whatever is to remove. */
export const SWEEP_BATCH = 500;
export const BATCHES_PER_RUN = 40;
/** A deleted webhook's deliveries may still write for a while (a paused one wakes and stops): its tombstone stays this long. */
const SETTLE_MS = DAY_MS;

/** A pending delivery or running run untouched this long is asked about (its workflow may have been ended from outside). */
const QUIET_MS = 60_000;
const PHASES: RetentionPhase[] = ['events', 'tombstones', 'deliveries', 'runs'];

const { sweepExpiredEvents, sweepTombstones, recordEndsSeenFromOutside } = proxyActivities<RetentionActivities>({
  startToCloseTimeout: '2 minutes',
  // Each batch is idempotent; a database blip is retried, not the end of the sweep.
  retry: { initialInterval: '5 seconds', maximumInterval: '5 minutes' },
});

/**
 * The retention sweep, started by a Temporal Schedule (schedule.ts), in phases: removes the events published
 * more than `retentionDays` ago; the records of deleted webhooks and flows; and records the end of deliveries
 * and flow runs whose workflow was ended from outside (terminated in the Web UI, say), which no reader writes.
 * Bounded per run: after `batchesPerRun` batches it continues as a new run where it stands; a crash of the
 * worker only repeats the batch under way, which finds what it had done done.
 */
export async function retentionSweepWorkflow(input: RetentionInput): Promise<RetentionResult> {
  // Workflow time is the Temporal server's: deterministic on replay, and skipped ahead in time-skipping tests.
  const now = Date.now();
  const cutoff = now - input.retentionDays * DAY_MS;
  const batch = input.batch ?? SWEEP_BATCH;
  const batchesPerRun = input.batchesPerRun ?? BATCHES_PER_RUN;
  const totals = { events: input.events ?? 0, tombstones: input.tombstones ?? 0, ended: input.ended ?? 0 };
  let batches = 0;
  let after = input.after ?? null;

  for (const phase of PHASES.slice(PHASES.indexOf(input.phase ?? 'events'))) {
    for (;;) {
      let next: string | null;
      if (phase === 'events') {
        const removed = await sweepExpiredEvents(cutoff, batch);
        totals.events += removed;
        next = removed < batch ? null : '';
      } else if (phase === 'tombstones') {
        const page = await sweepTombstones(after, batch, now - SETTLE_MS);
        totals.tombstones += page.swept;
        next = page.next;
      } else {
        const page = await recordEndsSeenFromOutside(phase, after, batch, now - QUIET_MS);
        totals.ended += page.recorded;
        next = page.next;
      }
      after = next;
      if (next === null) break;
      if (++batches >= batchesPerRun) {
        return continueAsNew<typeof retentionSweepWorkflow>({
          ...input,
          phase,
          after: phase === 'events' ? null : after,
          ...totals,
        });
      }
    }
  }
  return totals;
}
