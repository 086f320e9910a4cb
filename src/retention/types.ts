/** What the retention sweep asks of its activities (activities.ts implements them), declared by the workflow. */
export interface TombstonePage {
  /** Tombstones looked at. */
  swept: number;
  /** Deliveries removed with them. */
  removed: number;
  /** Where the next page starts, or null when this was the last. */
  next: string | null;
}

/** What a page of ends seen from outside came to. */
export interface EndsPage {
  /** Records recorded as ended (or, for a leftover run entry, dropped). */
  recorded: number;
  next: string | null;
}

export type EndedFromOutside = 'deliveries' | 'runs';

export interface RetentionActivities {
  sweepExpiredEvents(beforeMs: number, limit: number): Promise<number>;
  sweepTombstones(after: string | null, limit: number, settledBeforeMs: number): Promise<TombstonePage>;
  recordEndsSeenFromOutside(
    kind: EndedFromOutside,
    after: string | null,
    limit: number,
    quietBeforeMs: number,
  ): Promise<EndsPage>;
}

export type RetentionPhase = 'events' | 'tombstones' | EndedFromOutside;

export interface RetentionInput {
  retentionDays: number;
  /** Records per activity call, and calls per workflow run (defaults in workflow.ts). */
  batch?: number;
  batchesPerRun?: number;
  /** Where a run that continued as new goes on: this phase, after this key (events always start over). */
  phase?: RetentionPhase;
  after?: string | null;
  /** Totals so far, carried across continued runs. */
  events?: number;
  tombstones?: number;
  ended?: number;
}

export interface RetentionResult {
  events: number;
  tombstones: number;
  /** Deliveries and runs whose workflow was ended from outside, recorded as ended. */
  ended: number;
}
