import { createCappedSequence, sequenceCollection } from '../../db/capped-sequence';
import type { Database } from '../../db/mongo';
import { redactHeadersExcept } from '../../shared/redaction';
import type { OutboundModels } from './models';
import type { EntryRef, LogEntryRecord } from './records';

/**
 * Where a delivery is logged: one entry per attempt, in its webhook's capped sequence
 * (db/capped-sequence.ts), so that only the newest `cap` entries of a webhook remain.
 * A quick attempt is written once, with its result; one still running after a while is shown `pending`
 * meanwhile, then completed.
 */
export type LogStart = Pick<
  LogEntryRecord,
  'projectId' | 'webhookId' | 'deliveryId' | 'attempt' | 'request' | 'startedAt'
>;
export type LogResult = Pick<LogEntryRecord, 'response' | 'error' | 'finishedAt' | 'durationMs'> & {
  status: 'done' | 'error';
};

export const INTERRUPTED = 'Request failed: the attempt was cut off (the worker stopped before it finished)';

export function createExecutionLog(db: Database<Pick<OutboundModels, 'LogEntry'>>, cap: number) {
  const model = db.models.LogEntry;
  const sequence = createCappedSequence(sequenceCollection(model), cap, db);
  return {
    /** Where an attempt's entry is, if it wrote one: a query within the webhook's entries, for crash recovery only. */
    async entryOf(start: Pick<LogStart, 'projectId' | 'webhookId' | 'deliveryId' | 'attempt'>) {
      const { projectId, webhookId, deliveryId, attempt } = start;
      const entry = await model.findOne({ projectId, webhookId, deliveryId, attempt }, { n: 1 }).lean();
      return entry ? { id: entry._id, n: entry.n } : null;
    },

    /** One finished attempt, written once. */
    record: (start: LogStart, result: LogResult): Promise<EntryRef> =>
      sequence.append(start.webhookId, { ...start, ...result }),

    pending: (start: LogStart): Promise<EntryRef> => sequence.append(start.webhookId, { ...start, status: 'pending' }),

    complete: (ref: EntryRef, result: LogResult) => sequence.update(ref.id, ref.n, { ...result }),

    /** Removes a deleted webhook's entries (each at a known `_id` of its ring). */
    removeOfWebhook: (webhookId: string) => sequence.clear(webhookId),

    /** Closes an entry that a crash left `pending`, so that none stays pending for ever. */
    closeInterrupted: (ref: EntryRef, now = new Date()) =>
      sequence.update(ref.id, ref.n, { status: 'error', error: INTERRUPTED, finishedAt: now }, { status: 'pending' }),
  };
}

export type ExecutionLog = ReturnType<typeof createExecutionLog>;

/** Headers of ours, shown as they were sent; the webhook's own (and its auth) are secrets. */
const VISIBLE_REQUEST_HEADERS = new Set([
  'content-type',
  'user-agent',
  'webhook-id',
  'webhook-timestamp',
  'webhook-signature',
]);

/** What the log shows of the headers we sent. */
export const loggedHeaders = (headers: Record<string, string>) => redactHeadersExcept(headers, VISIBLE_REQUEST_HEADERS);
