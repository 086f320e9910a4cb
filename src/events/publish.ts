import type { ApiDeps } from '../api/trpc';
import type { PublishEventInput } from '../api/schemas';
import type { WebhookDoc } from '../db/models';
import { isDuplicateKey } from '../db/errors';
import { deliveryIdFor, eventRecordIdFor, newId } from '../ids';
import { renderBody, type EventData } from './body';
import { deliver, type PublishedDelivery } from './deliver';
import { matchesTriggers } from './match';

/**
 * Publishes one content event: records which enabled webhooks of the project it matches (once per
 * (projectId, eventId), behind a unique index, so a repeated or concurrent publish sees the same set) and
 * delivers it to each. A publish cut off half-way is completed by publishing the event again.
 */
export async function publishEvent(
  deps: ApiDeps,
  input: PublishEventInput,
): Promise<{ eventId: string; deliveries: PublishedDelivery[] }> {
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
  const matched = candidates.filter((w) => matchesTriggers(w.triggers as never, key));
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
    .filter((w): w is WebhookDoc => w !== undefined) // deleted since the event was first published
    .map((w) => ({ webhook: w, body: renderBody(w, event, deps.config.MAX_PAYLOAD_BYTES) }));

  // Side by side: each delivery is its own insert and workflow start, and the answer waits for all of them.
  const deliveries: PublishedDelivery[] = await Promise.all(
    planned.map(({ webhook, body }) =>
      deliver(deps, webhook, event, deliveryIdFor(input.projectId, event.eventId, webhook._id), body),
    ),
  );
  return { eventId: event.eventId, deliveries };
}

async function recordEvent(deps: ApiDeps, projectId: string, eventId: string, webhookIds: string[]) {
  const { Event } = deps.db.models;
  try {
    return (
      await Event.create({ _id: eventRecordIdFor(projectId, eventId), projectId, eventId, webhookIds })
    ).toObject();
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    // By id; an event first published before records had derived ids is found by its fields.
    return (
      (await Event.findById(eventRecordIdFor(projectId, eventId)).lean()) ??
      (await Event.findOne({ projectId, eventId }).lean())!
    );
  }
}

async function webhooksById(deps: ApiDeps, projectId: string, ids: string[], known: WebhookDoc[]) {
  const byId = new Map(known.map((w) => [w._id, w]));
  const missing = ids.filter((id) => !byId.has(id));
  if (missing.length) {
    for (const w of await deps.db.models.Webhook.find({ projectId, _id: { $in: missing } }).lean()) byId.set(w._id, w);
  }
  return byId;
}
