import type { Models } from '../db/models';
import { newId } from '../ids';

/**
 * Where a delivery is logged: one entry per attempt, `pending` when it starts, then `done` or `error`.
 *
 * Per webhook only the newest `cap` entries remain. Entry ids start with the time, so after each insert the
 * writer looks up the cap-th newest id of the webhook (an index walk of `cap` keys, never a collection scan)
 * and deletes the older ones. It needs no counter: the database is FerretDB as well as MongoDB, and
 * FerretDB's updates are not atomic, while its inserts and deletes are; whichever writer trims last leaves
 * exactly the newest `cap`.
 */
export interface LogStart {
  projectId: string;
  webhookId: string;
  deliveryId: string;
  attempt: number;
  request: { url: string; method: string; headers: Record<string, string>; body: string };
  startedAt: Date;
}

export interface LogFinish {
  status: 'done' | 'error';
  response?: { status: number; headers: Record<string, string>; body: string };
  error?: string;
  finishedAt: Date;
  durationMs: number;
}

export const INTERRUPTED = 'Request failed: the attempt was cut off (the worker stopped before it finished)';

export function createExecutionLog(models: Models, cap: number) {
  const { LogEntry } = models;

  async function trim(webhookId: string): Promise<void> {
    const [oldestKept] = await LogEntry.find({ webhookId }, { _id: 1 })
      .sort({ _id: -1 })
      .skip(cap - 1)
      .limit(1)
      .lean();
    if (oldestKept) await LogEntry.deleteMany({ webhookId, _id: { $lt: oldestKept._id } });
  }

  return {
    async start(entry: LogStart): Promise<string> {
      const id = newId('log');
      await LogEntry.create({ _id: id, status: 'pending', ...entry });
      await trim(entry.webhookId);
      return id;
    },

    async finish(id: string, result: LogFinish): Promise<void> {
      await LogEntry.updateOne({ _id: id }, { $set: result });
    },

    /** Closes the entries of attempts that a crash cut off, so that none stays `pending` for ever. */
    async closeInterrupted(deliveryId: string): Promise<void> {
      const now = new Date();
      await LogEntry.updateMany(
        { deliveryId, status: 'pending' },
        { $set: { status: 'error', error: INTERRUPTED, finishedAt: now } },
      );
    },
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
    Object.entries(headers).map(([k, v]) => [k, VISIBLE_REQUEST_HEADERS.has(k.toLowerCase()) ? v : '[redacted]']),
  );
}
