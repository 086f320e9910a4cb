import type { Model } from 'mongoose';
import { createCappedRing, ringCollection } from '../db/capped-ring';
import type { LogEntryDoc } from '../db/models';
import type { Database } from '../db/mongo';
import { REDACTED } from '../logger';

/**
 * Where a delivery is logged: one entry per attempt, in its webhook's capped ring (db/capped-ring.ts), so
 * that only the newest `cap` entries of a webhook remain and no write scans or deletes anything.
 * A quick attempt is written once, with its result; one still running after `pendingAfterMs` is shown
 * `pending` meanwhile, then completed.
 */
export interface LogRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string;
}

export interface LogStart {
  projectId: string;
  webhookId: string;
  deliveryId: string;
  attempt: number;
  request: LogRequest;
  startedAt: Date;
}

export interface LogResult {
  status: 'done' | 'error';
  response?: { status: number; headers: Record<string, string>; body: string };
  error?: string;
  finishedAt: Date;
  durationMs: number;
}

/** Where a pending entry is, so that its attempt (or, after a crash, the next one) can complete it. */
export interface LogRef {
  id: string;
  n: number;
}

export const INTERRUPTED = 'Request failed: the attempt was cut off (the worker stopped before it finished)';

export function createExecutionLog(model: Model<LogEntryDoc>, cap: number, db: Pick<Database, 'flavor'>) {
  const ring = createCappedRing(ringCollection(model), cap, db);
  return {
    /** Where an attempt's entry is, if it wrote one (a query within the webhook's entries: for crash recovery). */
    async entryOf(webhookId: string, projectId: string, deliveryId: string, attempt: number): Promise<LogRef | null> {
      const entry = await model.findOne({ projectId, webhookId, deliveryId, attempt }, { n: 1 }).lean();
      return entry ? { id: entry._id, n: entry.n } : null;
    },

    /** One finished attempt, written once. */
    record: (start: LogStart, result: LogResult): Promise<LogRef> =>
      ring.append(start.webhookId, { ...start, ...result }),

    pending: (start: LogStart): Promise<LogRef> => ring.append(start.webhookId, { ...start, status: 'pending' }),

    complete: (ref: LogRef, result: LogResult) => ring.update(ref.id, ref.n, { ...result }),

    /** Closes an entry that a crash left `pending`, so that none stays pending for ever. */
    closeInterrupted: (ref: LogRef, now = new Date()) =>
      ring.update(ref.id, ref.n, { status: 'error', error: INTERRUPTED, finishedAt: now }, { status: 'pending' }),
  };
}

export type ExecutionLog = ReturnType<typeof createExecutionLog>;

const VISIBLE_REQUEST_HEADERS = new Set([
  'content-type',
  'user-agent',
  'webhook-id',
  'webhook-timestamp',
  'webhook-signature',
]);

/** What the log shows of the headers we sent: ours as they were, the webhook's own (secrets) redacted. */
export function redactHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).map(([k, v]) => [k, VISIBLE_REQUEST_HEADERS.has(k.toLowerCase()) ? v : REDACTED]),
  );
}
