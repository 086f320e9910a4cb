import type { Database } from '../../db/mongo';
import { driverCollection } from '../../db/driver';
import { insertOrFind } from '../../db/unique-insert';
import type { OutboundModels } from './models';
import type { TombstoneRecord } from './records';

export type TombstoneKind = TombstoneRecord['kind'];

/**
 * What was deleted and still has records to remove (a webhook's deliveries and log, a flow's runs). A delete
 * writes its tombstone first and deletes the record after, so that a crash in between leaves a tombstone, never
 * records that nothing would remove; the retention sweep (retention/) removes the records, then the tombstone.
 */
export function createTombstones(db: Database<Pick<OutboundModels, 'Tombstone'>>) {
  const records = driverCollection<TombstoneRecord>(db.models.Tombstone);
  return {
    async mark(kind: TombstoneKind, recordId: string, projectId: string): Promise<void> {
      const tombstone = { _id: `${kind}:${recordId}`, kind, recordId, projectId, deletedAt: new Date() };
      await insertOrFind(
        () => records.insertOne(tombstone),
        () => records.findOne({ _id: tombstone._id }),
      );
    },

    /** The next `limit` tombstones after `after` (by `_id`), for a sweep that pages through them all. */
    page: (after: string | null, limit: number) =>
      records
        .find({ _id: { $gt: after ?? '' } })
        .sort({ _id: 1 })
        .limit(limit)
        .toArray(),

    remove: (id: string) => records.deleteOne({ _id: id }),
  };
}

export type Tombstones = ReturnType<typeof createTombstones>;
