import type { Database } from '../db/mongo';
import { driverCollection } from '../db/driver';
import type { Client } from '@temporalio/client';
import type { Collection } from 'mongodb';
import { runEndedFromOutside } from '../inbound/flows/debugger';
import { flowRunWorkflowId } from '../inbound/ids';
import { createRunLog } from '../inbound/store/runs';
import type { RunRecord } from '../inbound/store/records';
import { workflowEnd } from '../shared/workflow-end';
import type { InboundModels } from '../inbound/store/models';
import { deliveryEndSeenFromOutside } from '../outbound/deliveries/ended-outside';
import { createDeliveryStore } from '../outbound/store/deliveries';
import { createExecutionLog } from '../outbound/store/execution-log';
import type { OutboundModels } from '../outbound/store/models';
import type { DeliveryRecord, RecoveryRecord } from '../outbound/store/records';
import { createTombstones } from '../outbound/store/tombstones';
import type { EndsPage, RetentionActivities, TombstonePage } from './types';

export interface RetentionActivityDeps {
  db: Database<OutboundModels & InboundModels>;
  /** Asked how a workflow ended, for records that say it still runs. */
  temporal: Client;
  logCapPerWebhook: number;
  runLogCapPerFlow: number;
}

/**
 * What the retention sweep (workflow.ts) does, a bounded batch per call, each idempotent: a call cut off by a
 * crash is made again, and what it had removed is simply not found again.
 */
/** Where the page after a page starts: its last key, or null when it was not full (the last page). */
const nextAfter = <T>(page: T[], limit: number, keyOf: (item: T) => string): string | null => {
  const last = page[page.length - 1];
  return page.length < limit || last === undefined ? null : keyOf(last);
};

/** What the age sweep needs of a record: events and a release's batch record. */
interface Expiring {
  _id: string;
  createdAt: Date;
}

/** Removes up to `limit` records created before `beforeMs`, oldest first (by their `createdAt` index). */
async function removeOldest(records: Collection<Expiring>, beforeMs: number, limit: number): Promise<number> {
  const expired = await records
    .find({ createdAt: { $lt: new Date(beforeMs) } }, { projection: { _id: 1 } })
    .sort({ createdAt: 1 })
    .limit(limit)
    .toArray();
  if (!expired.length) return 0;
  const { deletedCount } = await records.deleteMany({ _id: { $in: expired.map((e) => e._id) } });
  return deletedCount;
}

export function createRetentionActivities(deps: RetentionActivityDeps): RetentionActivities {
  const expiring = [deps.db.models.Event, deps.db.models.Batch].map((m) => driverCollection<Expiring>(m));
  const recoveries = driverCollection<RecoveryRecord>(deps.db.models.Recovery);
  const tombstones = createTombstones(deps.db);
  const deliveries = createDeliveryStore(deps.db, deps.logCapPerWebhook);
  const executionLog = createExecutionLog(deps.db, deps.logCapPerWebhook);
  const runLog = createRunLog(deps.db, deps.runLogCapPerFlow);
  const deliveryRecords = driverCollection<DeliveryRecord>(deps.db.models.Delivery);
  const runRecords = driverCollection<RunRecord>(deps.db.models.FlowRun);

  return {
    /** Removes up to `limit` events published before `beforeMs`, oldest first; says how many. */
    async sweepExpiredEvents(beforeMs: number, limit: number): Promise<number> {
      // A release's batch record goes with its events (a repeat of that ref after this publishes it anew).
      const removed = await Promise.all(expiring.map((c) => removeOldest(c, beforeMs, limit)));
      return removed.reduce((a, b) => a + b, 0);
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
          // Its recoveries' records (a user's few; their workflows, if still running, find no webhook and end).
          await recoveries.deleteMany({ projectId: t.projectId, webhookId: t.recordId });
        } else {
          await runLog.clear(t.recordId);
        }
        if (t.deletedAt.getTime() < settledBeforeMs) await tombstones.remove(t._id);
      }
      return { swept: page.length, removed, next: nextAfter(page, limit, (t) => t._id) };
    },

    /**
     * Records the end of the next `limit` pending deliveries (or running flow runs) after `after` whose record has
     * been quiet since `quietBeforeMs` and whose workflow has ended: ended from outside (terminated in the Web
     * UI, say), it could not record that itself. A run entry whose run completed is a leftover of an attempt cut
     * off by a worker's stop (the run wrote another): it is dropped. Readers show the same, and write nothing.
     */
    async recordEndsSeenFromOutside(kind, after, limit, quietBeforeMs): Promise<EndsPage> {
      let recorded = 0;
      if (kind === 'deliveries') {
        const page = await deliveryRecords
          .find({ status: 'pending', seq: { $gt: after ?? '' } })
          .sort({ seq: 1 })
          .limit(limit)
          .toArray();
        for (const d of page) {
          if (d.updatedAt.getTime() >= quietBeforeMs) continue;
          const ended = await workflowEnd(deps.temporal, d.workflowId);
          if (!ended) continue;
          await deliveries.ended(d._id, deliveryEndSeenFromOutside(d, ended), { onlyIfPending: true });
          recorded++;
        }
        return { recorded, next: nextAfter(page, limit, (d) => d.seq) };
      }
      const page = await runRecords
        .find({ status: 'running', _id: { $gt: after ?? '' } })
        .sort({ _id: 1 })
        .limit(limit)
        .toArray();
      for (const run of page) {
        if (run.startedAt.getTime() >= quietBeforeMs) continue;
        const ended = await workflowEnd(deps.temporal, flowRunWorkflowId(run.runId));
        if (!ended) continue;
        const ref = { id: run._id, n: run.n };
        if (ended.completed) await runLog.dropRunning(ref);
        else await runLog.closeRunning(ref, { error: runEndedFromOutside(ended.how), finishedAt: ended.at });
        recorded++;
      }
      return { recorded, next: nextAfter(page, limit, (r) => r._id) };
    },
  };
}
