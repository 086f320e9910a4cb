import type { ApiDeps } from '../api/trpc';
import type { WebhookDoc } from '../db/models';
import { effectiveRetryPolicy } from '../delivery/retry-policy';
import { startDelivery } from '../delivery/start-delivery';
import { workflowIdFor } from '../ids';
import type { EventData } from './body';

export interface PublishedDelivery {
  id: string;
  webhookId: string;
  workflowId: string;
}

/**
 * Stores one delivery of an event to a webhook and starts its workflow. Both steps are idempotent for a
 * given delivery id (insert-if-absent, then a workflow id Temporal refuses to start twice), so calling it
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
  await Delivery.updateOne(
    { _id: deliveryId },
    {
      $setOnInsert: {
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
      },
    },
    { upsert: true },
  ).catch((err: { code?: number }) => {
    // A concurrent first call inserted it a moment ago: the delivery exists, which is all this step is for.
    if (err.code !== 11000) throw err;
  });
  // A concurrent first call may have stored its own rendering; every caller sends the stored one.
  const stored = (await Delivery.findById(deliveryId, { body: 1 }).lean())!;
  await startDelivery(
    deps.temporal,
    deps.config.TASK_QUEUE,
    {
      deliveryId,
      projectId: webhook.projectId,
      webhookId: webhook._id,
      body: stored.body,
      contentType: webhook.contentType,
      retry: effectiveRetryPolicy(webhook.retryPolicy as object | undefined),
    },
    {
      url: webhook.url,
      entityType: event.entityType,
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
