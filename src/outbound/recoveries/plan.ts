import { driverCollection } from '../../db/driver';
import { seqKey } from '../../shared/ids';
import { renderBody } from '../deliveries/body';
import { deliveryRecordOf, type PlannedDelivery } from '../deliveries/create';
import { deliveryStartOf, inLane } from '../deliveries/route';
import type { OutboundDeps } from '../deps';
import { matchesTriggers } from '../events/match';
import { deliveryIdFor } from '../ids';
import type { DeliveryRecord, EventRecord, RecoveryRecord } from '../store/records';
import type { RecoveryCounts, RecoveryInput, RecoveryPage } from '../workflow/types';

/** A recovery reads its window's events this many at a time. */
const PAGE = 200;

/** Where a window of time starts and ends among events' `seq` keys (time first: shared/ids.ts seqKey). */
export const seqAt = (at: Date): string => seqKey(at, '');

/**
 * The next page of a recovery's window, from `after`: for each event of the project that passes its filters,
 * - its delivery to the webhook ended in one of `statuses`: delivered again under its original id (the same
 *   `webhook-id`, so a receiver that dedupes by it is safe), its record updated by the attempts;
 * - the webhook never got it (disabled then, or its triggers did not cover it) and `includeMissed`: a new delivery,
 *   stored now, when the webhook's triggers match it today;
 * - anything else (pending, delivered, its record removed): skipped.
 */
export async function planRecoveryPage(
  deps: OutboundDeps,
  input: RecoveryInput,
  after: string | null,
): Promise<RecoveryPage> {
  const { Recovery, Webhook } = deps.db.models;
  const [recovery, webhook] = await Promise.all([
    Recovery.findById(input.recoveryId).lean(),
    Webhook.findById(input.webhookId).lean(),
  ]);
  if (!recovery || !webhook) return { deliveries: [], considered: 0, skipped: 0, next: null };
  const events = await driverCollection<EventRecord>(deps.db.models.Event)
    .find({ projectId: input.projectId, seq: { $gt: after ?? seqAt(recovery.since), $lt: seqAt(recovery.until) } })
    .sort({ seq: 1 })
    .limit(PAGE)
    .toArray();
  const wanted = events.filter((e) => e.event !== undefined && passes(recovery, e));
  const ids = wanted.map((e) => deliveryIdFor(input.projectId, e.eventId, input.webhookId));
  const stored = new Map(
    (
      await driverCollection<DeliveryRecord>(deps.db.models.Delivery)
        .find({ _id: { $in: ids } })
        .toArray()
    ).map((d) => [d._id, d]),
  );
  const now = new Date();
  const again: PlannedDelivery[] = [];
  const missed: PlannedDelivery[] = [];
  wanted.forEach((e, i) => {
    const event = e.event!;
    const id = ids[i]!;
    const d = stored.get(id);
    if (d) {
      if (recovery.statuses.includes(d.status)) again.push({ webhook, event, id, body: d.body });
      return;
    }
    const matched = e.webhookIds.includes(webhook._id);
    if (
      recovery.includeMissed &&
      !matched &&
      matchesTriggers(webhook.triggers, { ...event, entityId: event.entity.id })
    ) {
      const eventIds = inLane(webhook) ? [event.eventId] : undefined;
      const body = renderBody(webhook, event, deps.config.MAX_PAYLOAD_BYTES, eventIds);
      missed.push({ webhook, event, id, body, ...(eventIds ? { eventIds } : {}) });
    }
  });
  const workflowIdOf = (p: PlannedDelivery) => `recovery-${input.recoveryId}-${p.id}`;
  const records = missed.map((p) => deliveryRecordOf(p, workflowIdOf(p), now));
  await deps.deliveries.insertMany(records);
  await deps.deliveries.keep(records.map((r) => ({ webhookId: r.webhookId, deliveryId: r._id })));
  const deliveries = [...again, ...missed].map(deliveryStartOf);
  const last = events[events.length - 1];
  return {
    deliveries,
    considered: wanted.length,
    skipped: wanted.length - deliveries.length,
    next: events.length < PAGE || !last?.seq ? null : last.seq,
  };
}

function passes(r: RecoveryRecord, e: EventRecord): boolean {
  const event = e.event!;
  if (r.contentTypes?.length && (event.contentType === undefined || !r.contentTypes.includes(event.contentType))) {
    return false;
  }
  return !r.actions?.length || r.actions.includes(event.action);
}

/** How a recovery ended, with its counts: written once, by its workflow. */
export async function finishRecovery(
  deps: Pick<OutboundDeps, 'db'>,
  recoveryId: string,
  status: RecoveryRecord['status'],
  counts: RecoveryCounts,
) {
  await driverCollection<RecoveryRecord>(deps.db.models.Recovery).updateOne(
    { _id: recoveryId },
    { $set: { status, ...counts, finishedAt: new Date() } },
  );
}
