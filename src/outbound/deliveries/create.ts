import { newId, seqKey } from '../../shared/ids';
import type { OutboundDeps } from '../deps';
import { renderBody, type EventData } from './body';
import { deliveryIdFor, deliveryWorkflowId } from '../ids';
import { effectiveRetryPolicy } from '../../shared/workflow/retry-policy';
import type { DeliveryRecord, WebhookRecord } from '../store/records';
import { fairnessOf } from './endpoint';
import { startDeliveryWorkflow } from './start-workflow';

/** What a caller is told of a delivery it started. */
export interface StartedDelivery {
  id: string;
  webhookId: string;
  workflowId: string;
}

/**
 * Why a delivery is made, which decides its id and its body: an event (published, or a webhook triggered by
 * hand) has one delivery per webhook, whose id derives from the event, so a repeat finds it; a test and a
 * resend are new deliveries each time; a resend sends the body its original sent.
 */
export type DeliveryReason = { kind: 'event' } | { kind: 'test' } | { kind: 'resend'; of: DeliveryRecord };

export interface PlannedDelivery {
  webhook: WebhookRecord;
  event: EventData;
  id: string;
  body: string;
  resendOf?: string;
  /** An ordered or coalesced webhook's delivery lists the events it stands for (one, until folded). */
  eventIds?: string[];
  /** How many webhooks the project has, when known: its deliveries share one project's fair share. */
  webhooksInProject?: number;
}

/** Chooses the id and renders the body (size-checked): nothing is stored yet. */
export function planDelivery(
  deps: Pick<OutboundDeps, 'config'>,
  webhook: WebhookRecord,
  event: EventData,
  reason: DeliveryReason,
): PlannedDelivery {
  switch (reason.kind) {
    case 'event':
      return {
        webhook,
        event,
        id: deliveryIdFor(webhook.projectId, event.eventId, webhook._id),
        body: renderBody(webhook, event, deps.config.MAX_PAYLOAD_BYTES),
      };
    case 'test':
      return { webhook, event, id: newId('dlv'), body: renderBody(webhook, event, deps.config.MAX_PAYLOAD_BYTES) };
    case 'resend':
      return { webhook, event, id: newId('dlv'), body: reason.of.body, resendOf: reason.of._id };
  }
}

/**
 * Stores a planned delivery and starts its workflow. Both steps are idempotent for a given delivery id (an
 * insert under the unique _id, then a workflow id Temporal refuses to start twice), so calling it again after
 * a crash, or concurrently, completes the delivery instead of adding one.
 */
export async function startPlanned(deps: OutboundDeps, planned: PlannedDelivery): Promise<StartedDelivery> {
  const { webhook, event } = planned;
  const workflowId = deliveryWorkflowId(planned.id);
  const stored = await deps.deliveries.insert(deliveryRecordOf(planned, workflowId, new Date()));
  await startDeliveryWorkflow(
    deps.temporal,
    deps.config.TASK_QUEUE,
    {
      deliveryId: planned.id,
      projectId: webhook.projectId,
      webhookId: webhook._id,
      // A concurrent or earlier first call stored its own rendering; every caller sends the stored one.
      body: stored.body,
      contentType: webhook.contentType,
      retry: effectiveRetryPolicy(webhook.retryPolicy),
      webhookVersion: webhook.updatedAt.getTime(),
      publishedAtMs: Date.now(),
    },
    {
      url: webhook.url,
      priority: fairnessOf(webhook._id, planned.webhooksInProject ?? 1),
      entityType: event.entityType,
      eager: deps.eagerStart,
      tags: deliveryTags(webhook, event),
    },
  );
  return { id: planned.id, webhookId: webhook._id, workflowId };
}

/** What the Web UI tags a delivery's workflow with. */
export const deliveryTags = (webhook: WebhookRecord, event: EventData) => ({
  projectId: webhook.projectId,
  webhookId: webhook._id,
  action: event.action,
  contentType: event.contentType,
  entityId: event.entity.id,
});

/** A planned delivery as it is stored: `pending`, no attempt yet. */
export function deliveryRecordOf(planned: PlannedDelivery, workflowId: string, now: Date): DeliveryRecord {
  const { webhook, event } = planned;
  return {
    _id: planned.id,
    projectId: webhook.projectId,
    webhookId: webhook._id,
    eventId: event.eventId,
    workflowId,
    action: event.action,
    entityType: event.entityType,
    ...(event.contentType !== undefined ? { contentType: event.contentType } : {}),
    entityId: event.entity.id,
    body: planned.body,
    status: 'pending',
    attempts: 0,
    ...(planned.resendOf ? { resendOf: planned.resendOf } : {}),
    ...(planned.eventIds ? { eventIds: planned.eventIds } : {}),
    seq: seqKey(now, planned.id),
    createdAt: now,
    updatedAt: now,
  };
}

/** Where every delivery is made: publish, trigger, test and resend. */
export const createDelivery = (deps: OutboundDeps, webhook: WebhookRecord, event: EventData, reason: DeliveryReason) =>
  startPlanned(deps, planDelivery(deps, webhook, event, reason));
