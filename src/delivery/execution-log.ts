import type { Models } from '../db/models';
import { newId } from '../ids';

/**
 * Where a delivery is logged: one entry per attempt, `pending` when it starts, then `done` or `error`.
 * Per webhook only the newest `cap` entries remain. Each entry takes a per-webhook sequence number from an
 * atomic counter; after writing, the writer removes entries whose number fell `cap` behind the counter, an
 * indexed range delete, so no write scans the collection and concurrent writers cannot leave extras.
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

export function createExecutionLog(models: Models, cap: number) {
  const { LogEntry, Counter } = models;

  async function nextSeq(webhookId: string): Promise<number> {
    const counter = await Counter.findOneAndUpdate(
      { _id: `log:${webhookId}` },
      { $inc: { seq: 1 } },
      { upsert: true, returnDocument: 'after' },
    ).lean();
    return counter!.seq;
  }

  async function trim(webhookId: string): Promise<void> {
    const counter = await Counter.findById(`log:${webhookId}`).lean();
    if (counter && counter.seq > cap) await LogEntry.deleteMany({ webhookId, seq: { $lte: counter.seq - cap } });
  }

  return {
    async start(entry: LogStart): Promise<string> {
      const id = newId('log');
      const seq = await nextSeq(entry.webhookId);
      await LogEntry.create({ _id: id, seq, status: 'pending', ...entry });
      await trim(entry.webhookId);
      return id;
    },
    async finish(id: string, result: LogFinish): Promise<void> {
      await LogEntry.updateOne({ _id: id }, { $set: result });
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
