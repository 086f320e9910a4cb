import { insertOrFind } from '../../db/unique-insert';
import { driverCollection } from '../../db/driver';
import { newId } from '../../shared/ids';
import { planDelivery, startPlanned, type StartedDelivery } from '../deliveries/create';
import type { OutboundDeps } from '../deps';
import { eventRecordIdFor } from '../ids';
import type { EventData } from '../deliveries/body';
import type { EventRecord, WebhookRecord } from '../store/records';
import { matchesTriggers } from './match';
import type { PublishEventInput } from './schema';

/**
 * Publishes one content event: records which enabled webhooks of the project it matches (once per
 * (projectId, eventId), so a repeated or concurrent publish sees the same set) and delivers it to each.
 * A publish cut off half-way is completed by publishing the event again.
 */
export async function publishEvent(
  deps: OutboundDeps,
  input: PublishEventInput,
): Promise<{ eventId: string; deliveries: StartedDelivery[] }> {
  const { Webhook } = deps.db.models;
  const event: EventData = {
    eventId: input.eventId ?? newId('evt'),
    entityType: input.entityType,
    action: input.action,
    contentType: input.contentType,
    entity: input.entity,
    ref: input.ref,
    occurredAt: input.occurredAt ? new Date(input.occurredAt).toISOString() : new Date().toISOString(),
  };

  const candidates = await Webhook.find({ projectId: input.projectId, enabled: true }).lean();
  const key = { ...event, entityId: event.entity.id };
  const matched = candidates.filter((w) => matchesTriggers(w.triggers, key));
  const recorded = await recordEvent(
    deps,
    input.projectId,
    event.eventId,
    matched.map((w) => w._id),
  );
  const webhooks = await webhooksById(deps, input.projectId, recorded.webhookIds, matched);

  // Every body is rendered (and size-checked) before anything is delivered.
  const planned = recorded.webhookIds
    .map((id) => webhooks.get(id))
    .filter((w) => w !== undefined) // deleted since the event was first published
    .map((w) => ({ ...planDelivery(deps, w, event, { kind: 'event' }), webhooksInProject: candidates.length }));

  // Side by side: each delivery is its own insert and workflow start, and the answer waits for all of them.
  const deliveries = await Promise.all(planned.map((p) => startPlanned(deps, p)));
  return { eventId: event.eventId, deliveries };
}

async function recordEvent(deps: OutboundDeps, projectId: string, eventId: string, webhookIds: string[]) {
  const events = driverCollection<EventRecord>(deps.db.models.Event);
  const now = new Date();
  const record = {
    _id: eventRecordIdFor(projectId, eventId),
    projectId,
    eventId,
    webhookIds,
    createdAt: now,
    updatedAt: now,
  };
  const stored = await insertOrFind(
    () => events.insertOne(record),
    // An event first published before records had derived ids is found by its fields.
    async () => (await events.findOne({ _id: record._id })) ?? events.findOne({ projectId, eventId }),
  );
  return stored.inserted ? record : stored.existing;
}

async function webhooksById(deps: OutboundDeps, projectId: string, ids: string[], known: WebhookRecord[]) {
  const byId = new Map(known.map((w) => [w._id, w]));
  const missing = ids.filter((id) => !byId.has(id));
  if (missing.length) {
    const found = await deps.db.models.Webhook.find({ projectId, _id: { $in: missing } }).lean();
    for (const w of found) byId.set(w._id, w);
  }
  return byId;
}
