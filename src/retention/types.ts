/** What the retention sweep asks of its activities (activities.ts implements them), declared by the workflow. */
export interface TombstonePage {
  /** Tombstones looked at. */
  swept: number;
  /** Deliveries removed with them. */
  removed: number;
  /** Where the next page starts, or null when this was the last. */
  next: string | null;
}

export interface RetentionActivities {
  sweepExpiredEvents(beforeMs: number, limit: number): Promise<number>;
  sweepTombstones(after: string | null, limit: number, settledBeforeMs: number): Promise<TombstonePage>;
}

export interface RetentionInput {
  retentionDays: number;
  /** Records per activity call, and calls per workflow run (defaults in workflow.ts). */
  batch?: number;
  batchesPerRun?: number;
  /** Where a run that continued as new goes on: the tombstones after this one (events always start over). */
  tombstonesAfter?: string | null;
  /** Totals so far, carried across continued runs. */
  events?: number;
  tombstones?: number;
}

export interface RetentionResult {
  events: number;
  tombstones: number;
}
