import type { Models } from '../db/models';
import { REDACTED } from '../logger';

/**
 * Where a delivery is logged: one entry per attempt, `pending` when it starts, then `done` or `error`.
 *
 * Per webhook only the newest `cap` entries remain, and every write touches documents by id only, so no
 * write scans anything (on FerretDB, which uses no secondary index for a query, nor on MongoDB). Each entry
 * takes the webhook's next sequence number n by inserting itself as `<webhookId>~n`: the unique id lets only
 * one writer have a number, an insert being atomic on FerretDB and MongoDB alike (FerretDB's updates are
 * not). The writer of n then deletes `<webhookId>~(n - cap)`. A per-webhook head records the highest number
 * taken, as the place to start from; a writer that finds its own entry already `cap` behind the head (it
 * was slow, and its number's deletion came first) deletes it, so the newest `cap` are what remain.
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

const isDuplicateKey = (err: unknown) => (err as { code?: number }).code === 11000;
const entryId = (webhookId: string, seq: number) => `${webhookId}~${seq}`;

export function createExecutionLog(models: Models, cap: number) {
  const { LogEntry, LogHead, Delivery } = models;
  const head = async (webhookId: string) => (await LogHead.findById(webhookId).lean())?.seq ?? 0;

  async function insertNext(entry: LogStart): Promise<{ id: string; seq: number }> {
    let seq = (await head(entry.webhookId)) + 1;
    for (;;) {
      const id = entryId(entry.webhookId, seq);
      try {
        await LogEntry.create({ _id: id, seq, status: 'pending', ...entry });
        return { id, seq };
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        seq = Math.max(seq + 1, (await head(entry.webhookId)) + 1);
      }
    }
  }

  async function advanceHead(webhookId: string, seq: number): Promise<void> {
    try {
      await LogHead.updateOne({ _id: webhookId }, { $max: { seq } }, { upsert: true });
    } catch (err) {
      // Two first entries of a webhook both inserted its head: the other did.
      if (!isDuplicateKey(err)) throw err;
      await LogHead.updateOne({ _id: webhookId }, { $max: { seq } });
    }
  }

  return {
    async start(entry: LogStart): Promise<string> {
      const { id, seq } = await insertNext(entry);
      await advanceHead(entry.webhookId, seq);
      await Delivery.updateOne({ _id: entry.deliveryId }, { $set: { lastLogId: id, attempts: entry.attempt } });
      if (seq > cap) await LogEntry.deleteOne({ _id: entryId(entry.webhookId, seq - cap) });
      if (seq <= (await head(entry.webhookId)) - cap) await LogEntry.deleteOne({ _id: id });
      return id;
    },

    async finish(id: string, result: LogFinish): Promise<void> {
      await LogEntry.updateOne({ _id: id }, { $set: result });
    },

    /** Closes the entry of an attempt that a crash cut off, so that none stays `pending` for ever. */
    async closeInterrupted(deliveryId: string): Promise<void> {
      const delivery = await Delivery.findById(deliveryId, { lastLogId: 1 }).lean();
      if (!delivery?.lastLogId) return;
      await LogEntry.updateOne(
        { _id: delivery.lastLogId, status: 'pending' },
        { $set: { status: 'error', error: INTERRUPTED, finishedAt: new Date() } },
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
    Object.entries(headers).map(([k, v]) => [k, VISIBLE_REQUEST_HEADERS.has(k.toLowerCase()) ? v : REDACTED]),
  );
}
