import type { ApiDeps } from '../api/trpc';
import type { PublishEventInput } from '../api/schemas';
import type { WebhookDoc } from '../db/models';
import { effectiveRetryPolicy } from '../delivery/retry-policy';
import { startDelivery } from '../delivery/start-delivery';
import { deliveryIdFor, newId, workflowIdFor } from '../ids';
import { defaultBody } from './body';
import { matchesTriggers } from './match';

export interface PublishedDelivery {
  id: string;
  webhookId: string;
  workflowId: string;
}

/**
 * Publishes one content event: records which webhooks it matches (once per (projectId, eventId), so a
 * repeated or concurrent publish sees the same set), stores a delivery per webhook and starts its workflow.
 * Every step is idempotent, so a publish cut off half-way is completed by publishing the event again.
 */
export async function publishEvent(
  deps: ApiDeps,
  input: PublishEventInput,
): Promise<{ eventId: string; deliveries: PublishedDelivery[] }> {
  const { Webhook, Delivery } = deps.db.models;
  const eventId = input.eventId ?? newId('evt');
  const occurredAt = input.occurredAt ? new Date(input.occurredAt).toISOString() : new Date().toISOString();

  const candidates = await Webhook.find({ projectId: input.projectId, enabled: true }).lean();
  const key = { entityType: input.entityType, action: input.action, contentType: input.contentType, entityId: input.entity.id };
  const matched = candidates.filter((w) => matchesTriggers(w.triggers as never, key));

  const event = await recordEvent(deps, input.projectId, eventId, matched.map((w) => w._id));
  const webhooks = new Map<string, WebhookDoc>(
    (event.webhookIds.length === matched.length ? matched : await Webhook.find({ _id: { $in: event.webhookIds } }).lean()).map(
      (w) => [w._id, w],
    ),
  );

  const deliveries: PublishedDelivery[] = [];
  for (const webhookId of event.webhookIds) {
    const webhook = webhooks.get(webhookId);
    if (!webhook) continue; // deleted since the event was first published
    const deliveryId = deliveryIdFor(input.projectId, eventId, webhookId);
    const workflowId = workflowIdFor(deliveryId);
    const body = JSON.stringify(defaultBody(webhookId, eventId, input, occurredAt));
    await Delivery.updateOne(
      { _id: deliveryId },
      {
        $setOnInsert: {
          projectId: input.projectId,
          webhookId,
          eventId,
          workflowId,
          action: input.action,
          entityType: input.entityType,
          contentType: input.contentType,
          entityId: input.entity.id,
          body,
          status: 'pending',
          attempts: 0,
        },
      },
      { upsert: true },
    );
    const stored = await Delivery.findById(deliveryId).lean();
    await startDelivery(
      deps.temporal,
      deps.config.TASK_QUEUE,
      {
        deliveryId,
        projectId: input.projectId,
        webhookId,
        body: stored!.body,
        contentType: webhook.contentType,
        retry: effectiveRetryPolicy(webhook.retryPolicy as object | undefined),
      },
      {
        url: webhook.url,
        entityType: input.entityType,
        tags: { projectId: input.projectId, webhookId, action: input.action, contentType: input.contentType, entityId: input.entity.id },
      },
    );
    deliveries.push({ id: deliveryId, webhookId, workflowId });
  }
  return { eventId, deliveries };
}

async function recordEvent(deps: ApiDeps, projectId: string, eventId: string, webhookIds: string[]) {
  const { Event } = deps.db.models;
  try {
    return (await Event.create({ _id: newId('evt'), projectId, eventId, webhookIds })).toObject();
  } catch (err) {
    if ((err as { code?: number }).code !== 11000) throw err;
    return (await Event.findOne({ projectId, eventId }).lean())!;
  }
}
