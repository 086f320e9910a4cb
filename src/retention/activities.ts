import type { Database } from '../db/mongo';
import { driverCollection } from '../db/driver';
import { createRunLog } from '../inbound/store/runs';
import type { InboundModels } from '../inbound/store/models';
import { createDeliveryStore } from '../outbound/store/deliveries';
import { createExecutionLog } from '../outbound/store/execution-log';
import type { OutboundModels } from '../outbound/store/models';
import type { EventRecord } from '../outbound/store/records';
import { createTombstones } from '../outbound/store/tombstones';
import type { RetentionActivities, TombstonePage } from './types';

export interface RetentionActivityDeps {
  db: Database<OutboundModels & InboundModels>;
  logCapPerWebhook: number;
  runLogCapPerFlow: number;
}

/**
 * What the retention sweep (workflow.ts) does, a bounded batch per call, each idempotent: a call cut off by a
 * crash is made again, and what it had removed is simply not found again.
 */
export function createRetentionActivities(deps: RetentionActivityDeps): RetentionActivities {
  const events = driverCollection<EventRecord>(deps.db.models.Event);
  const tombstones = createTombstones(deps.db);
  const deliveries = createDeliveryStore(deps.db, deps.logCapPerWebhook);
  const executionLog = createExecutionLog(deps.db, deps.logCapPerWebhook);
  const runLog = createRunLog(deps.db, deps.runLogCapPerFlow);

  return {
    /** Removes up to `limit` events published before `beforeMs`, oldest first; says how many. */
    async sweepExpiredEvents(beforeMs: number, limit: number): Promise<number> {
      const expired = await events
        .find({ createdAt: { $lt: new Date(beforeMs) } }, { projection: { _id: 1 } })
        .sort({ createdAt: 1 })
        .limit(limit)
        .toArray();
      if (!expired.length) return 0;
      const { deletedCount } = await events.deleteMany({ _id: { $in: expired.map((e) => e._id) } });
      return deletedCount;
    },

    /**
     * Removes the records of the next `limit` deleted webhooks and flows after `after`: a webhook's deliveries,
     * its log and its ring of kept deliveries; a flow's runs. A tombstone goes once its records have been
     * removed at a sweep that began after `settledBeforeMs`, when no delivery or run of it can still be
     * writing; until then each sweep removes what such a late write left.
     */
    async sweepTombstones(after: string | null, limit: number, settledBeforeMs: number): Promise<TombstonePage> {
      const page = await tombstones.page(after, limit);
      let removed = 0;
      for (const t of page) {
        if (t.kind === 'webhook') {
          removed += await deliveries.removeOfWebhook(t.projectId, t.recordId);
          await executionLog.removeOfWebhook(t.recordId);
        } else {
          await runLog.clear(t.recordId);
        }
        if (t.deletedAt.getTime() < settledBeforeMs) await tombstones.remove(t._id);
      }
      return {
        swept: page.length,
        removed,
        next: page.length < limit ? null : (page[page.length - 1]?._id ?? null),
      };
    },
  };
}
