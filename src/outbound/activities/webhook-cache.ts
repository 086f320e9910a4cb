import { driverCollection } from '../../db/driver';
import { createRecordLocks, type LockEntry } from '../../db/record-lock';
import type { OutboundModels } from '../store/models';
import type { WebhookRecord } from '../store/records';

/** What an attempt needs of its webhook: what must be current, or must stay out of the workflow history. */
export type AttemptWebhook = Pick<
  WebhookRecord,
  | '_id'
  | 'projectId'
  | 'enabled'
  | 'disabledReason'
  | 'url'
  | 'headers'
  | 'auth'
  | 'secret'
  | 'previousSecret'
  | 'previousSecretExpiresAt'
  | 'updatedAt'
  | 'traceparent'
>;

const PROJECTION = {
  projectId: 1,
  enabled: 1,
  disabledReason: 1,
  url: 1,
  headers: 1,
  auth: 1,
  secret: 1,
  previousSecret: 1,
  previousSecretExpiresAt: 1,
  updatedAt: 1,
  traceparent: 1,
} as const;

const MAX_ENTRIES = 10_000;

/**
 * A short-lived per-worker copy of the webhooks being delivered to, so that a first attempt costs no read.
 * An entry serves a delivery only if it is at least as new as the webhook the event was published against
 * (`updatedAt` in the workflow input), so an update is seen by every delivery published after it; and only
 * for `ttlMs`, so a disable or a URL fix reaches deliveries already under way within that time. Retries
 * read afresh (`fresh`).
 */
export function createWebhookCache(models: Pick<OutboundModels, 'Webhook' | 'RecordLock'>, ttlMs: number) {
  // Under the webhook's lock, as the API's changes of it are (webhooks/service.ts).
  const withLock = createRecordLocks(driverCollection<LockEntry>(models.RecordLock));
  const entries = new Map<string, { webhook: AttemptWebhook | null; at: number }>();

  async function load(id: string, now: number): Promise<AttemptWebhook | null> {
    const webhook: AttemptWebhook | null = await models.Webhook.findById(id, PROJECTION).lean();
    entries.delete(id);
    entries.set(id, { webhook, at: now });
    if (entries.size > MAX_ENTRIES) entries.delete(entries.keys().next().value!);
    return webhook;
  }

  return {
    async get(id: string, opts: { fresh: boolean; atLeastVersion?: number }): Promise<AttemptWebhook | null> {
      const now = Date.now();
      const hit = entries.get(id);
      const usable =
        hit &&
        !opts.fresh &&
        now - hit.at < ttlMs &&
        (opts.atLeastVersion === undefined || (hit.webhook?.updatedAt.getTime() ?? 0) >= opts.atLeastVersion);
      return usable ? hit.webhook : load(id, now);
    },

    /** The receiver asked to stop (410 Gone): disable the webhook, with the reason, for every worker. */
    async disable(id: string, reason: string): Promise<void> {
      entries.delete(id);
      await withLock(id, () =>
        models.Webhook.updateOne({ _id: id }, { $set: { enabled: false, disabledReason: reason } }),
      );
    },
  };
}

export type WebhookCache = ReturnType<typeof createWebhookCache>;
