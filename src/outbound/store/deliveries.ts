import { metrics, projectLabel } from '../../shared/metrics';
import { createCappedSequence, sequenceCollection } from '../../db/capped-sequence';
import type { Database } from '../../db/mongo';
import { driverCollection } from '../../db/driver';
import { findOwned } from '../../db/owned';
import { insertOrFind } from '../../db/unique-insert';
import { onlyDuplicateKeys } from '../../db/errors';
import type { OutboundModels } from './models';
import type { DeliveryRecord, DeliveryStatus, EntryRef } from './records';

/**
 * Every read and write of a delivery's record. The API inserts it; then only its own workflow writes it (its
 * attempts, and its end when the last attempt could not record it), one at a time (Temporal's doing), so these
 * single-document updates never race each other; past its workflow's end (terminated from outside, say) the
 * API may record that end, once, since nothing else will.
 * Hot-path writes go through the driver: their fields are complete and checked, and mongoose's document
 * machinery would only add CPU to every delivery.
 */
export function createDeliveryStore(db: Database<Pick<OutboundModels, 'Delivery' | 'DeliverySlot'>>, keep: number) {
  const { Delivery, DeliverySlot } = db.models;
  const records = driverCollection<DeliveryRecord>(Delivery);
  // Which deliveries of a webhook are kept: its newest `keep`, as Flotiq keeps its last calls.
  const kept = createCappedSequence(sequenceCollection(DeliverySlot), keep, db);
  // A delivery pushed out of its webhook's ring is deleted once it has ended: one still pending may need its
  // record's body (ordered, coalesced, large fan-outs) and its status; it stays, past the cap, until it ends.
  const deleteEnded = (id: string) => records.deleteOne({ _id: id, status: { $in: ['done', 'error'] } });

  return {
    /**
     * Stores a new delivery, or finds the one a concurrent or earlier call stored under the same id (whose
     * body is then the one to send). A new one takes the next place of its webhook's kept deliveries, and
     * the delivery that held that place is deleted (its workflow, if still running, goes on; the Temporal
     * Web UI keeps it), so that a webhook's deliveries stay bounded.
     */
    async insert(record: DeliveryRecord): Promise<DeliveryRecord> {
      const stored = await insertOrFind(
        () => records.insertOne(record),
        () => records.findOne({ _id: record._id }),
      );
      if (stored.inserted) {
        countCreated([record]);
        const { evicted } = await kept.appendEvicting(record.webhookId, {
          webhookId: record.webhookId,
          deliveryId: record._id,
        });
        if (typeof evicted?.deliveryId === 'string') await deleteEnded(evicted.deliveryId);
      }
      return stored.inserted ? record : stored.existing;
    },

    /**
     * Stores one publish's deliveries in one command, or finds those a concurrent or earlier call stored under
     * the same ids (their bodies are the ones to send). Their places in their webhooks' rings of kept deliveries
     * are taken afterwards, by the workflow that delivers them (`keep`): the publish answers sooner.
     */
    async insertMany(batch: DeliveryRecord[]): Promise<DeliveryRecord[]> {
      if (!batch.length) return [];
      try {
        await records.insertMany(batch, { ordered: false });
        countCreated(batch);
        return batch;
      } catch (err) {
        if (!onlyDuplicateKeys(err)) throw err;
      }
      // Some were stored already: what is stored is what goes (a repeated publish, or a concurrent one).
      const stored = await records.find({ _id: { $in: batch.map((d) => d._id) } }).toArray();
      const byId = new Map(stored.map((d) => [d._id, d]));
      return batch.map((d) => byId.get(d._id) ?? d);
    },

    /** Takes the deliveries' places in their webhooks' rings, deleting the ones they push out (see `insert`). */
    async keep(refs: { webhookId: string; deliveryId: string }[]): Promise<void> {
      for (const ref of refs) {
        const { evicted } = await kept.appendEvicting(ref.webhookId, { ...ref });
        if (typeof evicted?.deliveryId === 'string') await deleteEnded(evicted.deliveryId);
      }
    },

    /** Of these deliveries, those that have ended, or are no longer stored (an entity's lane stops waiting for them). */
    async endedOf(ids: string[]): Promise<string[]> {
      const pending = await records
        .find({ _id: { $in: ids }, status: 'pending' }, { projection: { _id: 1 } })
        .toArray();
      const still = new Set(pending.map((d) => d._id));
      return ids.filter((id) => !still.has(id));
    },

    /** The bytes a delivery sends, when its workflow does not carry them. */
    async body(deliveryId: string): Promise<string | undefined> {
      const d = await records.findOne({ _id: deliveryId }, { projection: { body: 1 } });
      return d?.body;
    },

    /**
     * A batch of one entity's deliveries folded into one (outbound/workflow/lanes.ts): the carrier gets the body
     * of the latest state with every event id; the others point at it until they end with it.
     */
    async folded(carrierId: string, carrier: { body?: string; action: string; eventIds: string[] }, others: string[]) {
      const now = new Date();
      await records.updateOne({ _id: carrierId }, { $set: { ...carrier, updatedAt: now } });
      if (others.length) {
        await records.updateMany({ _id: { $in: others } }, { $set: { coalescedInto: carrierId, updatedAt: now } });
      }
    },

    /** Deliveries folded into one that has ended: they end as it did. */
    async endedWith(ids: string[], end: { status: Exclude<DeliveryStatus, 'pending'>; error?: string; at: Date }) {
      if (!ids.length) return;
      await records.updateMany(
        { _id: { $in: ids } },
        {
          $set: {
            status: end.status,
            finishedAt: end.at,
            updatedAt: end.at,
            ...(end.error ? { lastError: end.error } : {}),
          },
        },
      );
    },

    find: (projectId: string, id: string) => findOwned(Delivery, projectId, id),

    /**
     * Removes a deleted webhook's deliveries (at most `keep` and a few resends, in pages) and its ring of kept
     * ones. Idempotent: the retention sweep calls it again until the webhook's tombstone goes.
     */
    async removeOfWebhook(projectId: string, webhookId: string): Promise<number> {
      let removed = 0;
      for (;;) {
        const page = await records
          .find({ projectId, webhookId }, { projection: { _id: 1 } })
          .limit(500)
          .toArray();
        if (!page.length) break;
        const { deletedCount } = await records.deleteMany({ _id: { $in: page.map((d) => d._id) } });
        removed += deletedCount;
      }
      await kept.clear(webhookId);
      return removed;
    },

    /** What a retry needs to tidy up after an attempt a crash cut off. */
    progress: (deliveryId: string) =>
      records.findOne({ _id: deliveryId }, { projection: { attempts: 1, pendingLog: 1 } }),

    /** A slow attempt is under way: it counts, and its pending entry is where a crash can be tidied. */
    async pendingLogged(deliveryId: string, attempt: number, ref: EntryRef): Promise<void> {
      await records.updateOne(
        { _id: deliveryId },
        { $set: { attempts: attempt, pendingLog: ref, updatedAt: new Date() } },
      );
    },

    /** One attempt's outcome; with `end`, the delivery's final status too. */
    async attempted(
      deliveryId: string,
      a: { attempt: number; statusCode?: number; error?: string; end?: Exclude<DeliveryStatus, 'pending'>; at: Date },
    ): Promise<void> {
      await records.updateOne(
        { _id: deliveryId },
        {
          $set: {
            updatedAt: a.at,
            attempts: a.attempt,
            lastStatusCode: a.statusCode ?? null,
            lastError: a.error ?? null,
            ...(a.end ? { status: a.end, finishedAt: a.at } : {}),
          },
          $unset: { pendingLog: 1 },
        },
      );
    },

    /**
     * The end of a delivery whose last attempt could not record it (stopped before a request, or cut off), or
     * that was ended from outside (its workflow terminated), when that is seen.
     */
    async ended(
      deliveryId: string,
      end: { status: Exclude<DeliveryStatus, 'pending'>; error?: string; attempts?: number; finishedAt?: Date },
      opts: { onlyIfPending?: boolean } = {},
    ) {
      const at = end.finishedAt ?? new Date();
      await records.updateOne(
        // Seen from outside, the end must not overwrite one the workflow wrote meanwhile (found by `_id`, the
        // status checked beside it).
        opts.onlyIfPending ? { _id: deliveryId, status: 'pending' } : { _id: deliveryId },
        {
          $set: {
            status: end.status,
            finishedAt: at,
            updatedAt: at,
            ...(end.error ? { lastError: end.error } : {}),
            ...(end.attempts !== undefined ? { attempts: end.attempts } : {}),
          },
          $unset: { pendingLog: 1 },
        },
      );
    },
  };
}

export type DeliveryStore = ReturnType<typeof createDeliveryStore>;

/** New deliveries in the metrics, counted where they are stored: every path that makes one goes through here. */
function countCreated(records: DeliveryRecord[]): void {
  for (const r of records) metrics.deliveriesCreated.inc({ project: projectLabel(r.projectId) });
}
