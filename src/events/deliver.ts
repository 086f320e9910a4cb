import type { ApiDeps } from '../api/trpc';
import { createCappedRing, ringCollection, type CappedRing } from '../db/capped-ring';
import { driverCollection } from '../db/driver';
import type { DeliveryDoc, Models, WebhookDoc } from '../db/models';
import { effectiveRetryPolicy } from '../delivery/retry-policy';
import { startDelivery } from '../delivery/start-delivery';
import { isDuplicateKey } from '../db/errors';
import { workflowIdFor } from '../ids';
import type { EventData } from './body';

export interface PublishedDelivery {
  id: string;
  webhookId: string;
  workflowId: string;
}

/**
 * Stores one delivery of an event to a webhook and starts its workflow. Both steps are idempotent for a
 * given delivery id (an insert under the unique _id, then a workflow id Temporal refuses to start twice), so calling it
 * again after a crash, or concurrently, completes the delivery instead of adding one.
 */
export async function deliver(
  deps: ApiDeps,
  webhook: WebhookDoc,
  event: EventData,
  deliveryId: string,
  body: string,
  extra: { resendOf?: string } = {},
): Promise<PublishedDelivery> {
  const { Delivery } = deps.db.models;
  const workflowId = workflowIdFor(deliveryId);
  // An insert, never an upsert: on FerretDB an update is a read and a write of the whole record, which
  // could undo what the delivery's own attempt writes at the same moment. A duplicate id means a
  // concurrent or earlier call stored it already, which is all this step is for.
  const now = new Date();
  // Through the driver: the fields are complete and checked by the API's schemas; mongoose's document
  // machinery would only add CPU to every publish.
  const inserted = await driverCollection<DeliveryDoc>(Delivery)
    .insertOne({
      _id: deliveryId,
      projectId: webhook.projectId,
      webhookId: webhook._id,
      eventId: event.eventId,
      workflowId,
      action: event.action,
      entityType: event.entityType,
      contentType: event.contentType,
      entityId: event.entity.id,
      body,
      status: 'pending',
      attempts: 0,
      ...extra,
      createdAt: now,
      updatedAt: now,
    })
    .then(
      () => true,
      (err: unknown) => {
        if (!isDuplicateKey(err)) throw err;
        return false;
      },
    );
  if (inserted) await keepNewest(deps, webhook._id, deliveryId);
  // A concurrent or earlier first call stored its own rendering; every caller sends the stored one.
  const storedBody = inserted ? body : (await Delivery.findById(deliveryId, { body: 1 }).lean())!.body;
  await startDelivery(
    deps.temporal,
    deps.config.TASK_QUEUE,
    {
      deliveryId,
      projectId: webhook.projectId,
      webhookId: webhook._id,
      body: storedBody,
      contentType: webhook.contentType,
      retry: effectiveRetryPolicy(webhook.retryPolicy as object | undefined),
      webhookVersion: webhook.updatedAt.getTime(),
    },
    {
      url: webhook.url,
      entityType: event.entityType,
      eager: deps.eagerStart,
      tags: {
        projectId: webhook.projectId,
        webhookId: webhook._id,
        action: event.action,
        contentType: event.contentType,
        entityId: event.entity.id,
      },
    },
  );
  return { id: deliveryId, webhookId: webhook._id, workflowId };
}

const retention = new WeakMap<Models, CappedRing>();

/**
 * Keeps a webhook's newest LOG_CAP_PER_WEBHOOK deliveries, as Flotiq keeps its last calls: the new delivery
 * takes the next place of the webhook's ring, and the delivery that held that place is deleted (its workflow,
 * if still running, goes on; the Temporal Web UI keeps it). So that lists of deliveries stay bounded.
 */
async function keepNewest(deps: ApiDeps, webhookId: string, deliveryId: string): Promise<void> {
  const { models } = deps.db;
  let ring = retention.get(models);
  if (!ring)
    retention.set(
      models,
      (ring = createCappedRing(ringCollection(models.DeliverySlot), deps.config.LOG_CAP_PER_WEBHOOK, deps.db)),
    );
  const { n, evicted } = await ring.appendEvicting(webhookId, { webhookId, deliveryId });
  // Only an older lap goes (with several writers on FerretDB the slot may have held a newer one).
  if (evicted && evicted.n < n && typeof evicted.deliveryId === 'string') {
    await models.Delivery.deleteOne({ _id: evicted.deliveryId });
  }
}
