import { insertOrFind } from '../../db/unique-insert';
import { driverCollection } from '../../db/driver';
import { newId, seqKey } from '../../shared/ids';
import type { StartedDelivery } from '../deliveries/create';
import type { OutboundDeps } from '../deps';
import { eventRecordIdFor } from '../ids';
import type { EventData } from '../deliveries/body';
import { renderBodies, routeEvent, routeOf } from '../deliveries/route';
import type { EventRecord, WebhookRecord } from '../store/records';
import { countPublished } from './count';
import { matchesTriggers } from './match';
import type { PublishEventInput } from './schema';

/**
 * Publishes one content event: records it, with which enabled webhooks of the project it matches (once per
 * (projectId, eventId), so a repeated or concurrent publish sees the same set), and delivers it to each
 * (deliveries/route.ts). Three database commands and one Temporal operation, however many webhooks match.
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
  const route = routeOf(matched);
  // Every body, rendered and size-checked before the event is stored: a refused event leaves nothing behind.
  const rendered = renderBodies(deps, event, matched, route);
  const recorded = await recordEvent(
    deps,
    input.projectId,
    event,
    matched.map((w) => w._id),
    route,
  );
  const webhooks = await webhooksById(deps, input.projectId, recorded.webhookIds, matched);
  const targets = recorded.webhookIds.map((id) => webhooks.get(id)).filter((w) => w !== undefined); // deleted since the event was first published
  // A repeat delivers the event as first published, by the route it first took (events stored before routes were
  // kept take today's): its bodies are rendered again from it.
  const fresh = recorded.event === event;
  const deliveries = fresh
    ? await routeEvent(deps, event, targets, candidates.length, route, rendered)
    : await routeEvent(deps, recorded.event ?? event, targets, candidates.length, recorded.route ?? routeOf(targets));
  if (fresh) countPublished(input.projectId, [event]);
  return { eventId: event.eventId, deliveries };
}

async function recordEvent(
  deps: OutboundDeps,
  projectId: string,
  event: EventData,
  webhookIds: string[],
  route: EventRecord['route'],
) {
  const { eventId } = event;
  const events = driverCollection<EventRecord>(deps.db.models.Event);
  const now = new Date();
  const record = {
    _id: eventRecordIdFor(projectId, eventId),
    projectId,
    eventId,
    webhookIds,
    event,
    route,
    seq: seqKey(now, eventRecordIdFor(projectId, eventId)),
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
