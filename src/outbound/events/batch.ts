import { WorkflowExecutionAlreadyStartedError, WorkflowIdReusePolicy } from '@temporalio/client';
import { driverCollection } from '../../db/driver';
import { onlyDuplicateKeys } from '../../db/errors';
import { insertOrFind } from '../../db/unique-insert';
import { InvalidInputError, PayloadTooLargeError } from '../../shared/errors';
import { newId } from '../../shared/ids';
import { effectiveRetryPolicy } from '../../shared/workflow/retry-policy';
import { renderBody, renderDigestBodies, type DigestEntity, type EventData } from '../deliveries/body';
import { deliveryRecordOf, type PlannedDelivery } from '../deliveries/create';
import { fairnessOf } from '../deliveries/endpoint';
import { inLane, routeEvent } from '../deliveries/route';
import type { OutboundDeps } from '../deps';
import { batchIdFor, deliveryWorkflowId, digestDeliveryIdFor, eventRecordIdFor } from '../ids';
import type { BatchRecord, EventRecord, WebhookRecord } from '../store/records';
import type { batchWorkflow } from '../workflow/batch';
import type { BatchInput, DeliveryInput, DeliveryTemplate } from '../workflow/types';
import { matchesTriggers } from './match';
import type { PublishBatchInput } from './schema';

/** A batch's events are delivered this many at a time (one activity each). */
const PAGE = 200;

/**
 * A release: many events at once (`events.publishBatch`). The batch and its events are stored (three commands,
 * the events in one), then one workflow (`batch-<batchId>`) delivers them: one delivery per digest webhook listing
 * the entities, and every event to the other webhooks as `events.publish` would. Idempotent per (projectId, ref):
 * a repeat answers the first one's event ids and completes what a crash cut short.
 */
export async function publishBatch(deps: OutboundDeps, input: PublishBatchInput) {
  const { projectId, ref } = input;
  const batchId = batchIdFor(projectId, ref);
  const now = new Date();
  const webhooks = await deps.db.models.Webhook.find({ projectId, enabled: true }).lean();
  const fresh: BatchRecord = {
    _id: batchId,
    projectId,
    ref,
    eventIds: input.events.map((e) => e.eventId ?? newId('evt')),
    createdAt: now,
  };
  const events = input.events.map((e, i): EventData => ({
    eventId: fresh.eventIds[i]!,
    entityType: e.entityType,
    action: e.action,
    contentType: e.contentType,
    entity: e.entity,
    ref: e.ref,
    occurredAt: e.occurredAt ? new Date(e.occurredAt).toISOString() : now.toISOString(),
  }));
  const matched = events.map((e) => webhooks.filter((w) => matchesTriggers(w.triggers, { ...e, entityId: e.entity.id })));
  checkBodies(deps, events, matched);

  const batches = driverCollection<BatchRecord>(deps.db.models.Batch);
  const stored = await insertOrFind(
    () => batches.insertOne(fresh),
    () => batches.findOne({ _id: batchId }),
  );
  const eventIds = stored.inserted ? fresh.eventIds : stored.existing.eventIds;
  // Stored again on a repeat, under the first call's ids: a crash may have come between the two inserts.
  const records: EventRecord[] = events.map((e, i) => {
    const event = { ...e, eventId: eventIds[i] ?? e.eventId };
    return {
      _id: eventRecordIdFor(projectId, event.eventId),
      projectId,
      eventId: event.eventId,
      webhookIds: matched[i]!.map((w) => w._id),
      event,
      batchId,
      i,
      createdAt: now,
      updatedAt: now,
    };
  });
  try {
    await driverCollection<EventRecord>(deps.db.models.Event).insertMany(records, { ordered: false });
  } catch (err) {
    if (!onlyDuplicateKeys(err)) throw err;
  }
  try {
    await deps.temporal.workflow.start<typeof batchWorkflow>('batchWorkflow', {
      taskQueue: deps.config.TASK_QUEUE,
      workflowId: `batch-${batchId}`,
      args: [{ projectId, batchId, ref }],
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      staticSummary: `release ${ref}: ${records.length} events`,
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
  return { ref, eventIds };
}

/** Each event's body to each webhook it matched, size-checked before anything is stored; the first too large names its index. */
function checkBodies(deps: OutboundDeps, events: EventData[], matched: WebhookRecord[][]) {
  events.forEach((e, i) => {
    for (const w of matched[i]!) {
      if (w.digest) continue;
      try {
        renderBody(w, e, deps.config.MAX_PAYLOAD_BYTES, inLane(w) ? [e.eventId] : undefined);
      } catch (err) {
        if (err instanceof PayloadTooLargeError) throw InvalidInputError.field(`events.${i}.entity`, err.message);
        throw err;
      }
    }
  });
}

/** A batch's events, from the `from`-th, in order (served by the events' `{ batchId, i }` index). */
const pageOf = (deps: Pick<OutboundDeps, 'db'>, batchId: string, from: number, limit: number) =>
  driverCollection<EventRecord>(deps.db.models.Event)
    .find({ batchId, i: { $gte: from } })
    .sort({ i: 1 })
    .limit(limit)
    .toArray();

/**
 * The batch's digest deliveries, stored: per enabled webhook with `digest: true`, the entities of the batch's
 * events it matched, in as many parts as MAX_PAYLOAD_BYTES needs. Idempotent (ids derive from the batch).
 */
export async function prepareDigests(
  deps: OutboundDeps,
  batch: BatchInput,
): Promise<{ input: DeliveryInput; template: DeliveryTemplate }[]> {
  const all = await deps.db.models.Webhook.find({ projectId: batch.projectId, enabled: true }).lean();
  const digests = all.filter((w) => w.digest);
  if (!digests.length) return [];
  const entities = new Map<string, DigestEntity[]>(digests.map((w) => [w._id, []]));
  for (let from = 0; ; ) {
    const page = await pageOf(deps, batch.batchId, from, 1_000);
    for (const e of page) {
      if (!e.event) continue;
      const entity: DigestEntity = {
        id: e.event.entity.id,
        entityType: e.event.entityType,
        action: e.event.action,
        contentType: e.event.contentType ?? null,
      };
      for (const id of e.webhookIds) entities.get(id)?.push(entity);
    }
    if (page.length < 1_000) break;
    from = page[page.length - 1]!.i! + 1;
  }
  const now = new Date();
  const planned: { p: PlannedDelivery; w: WebhookRecord }[] = [];
  for (const w of digests) {
    const list = entities.get(w._id)!;
    if (!list.length) continue;
    const bodies = renderDigestBodies(w, batch.ref, list, deps.config.MAX_PAYLOAD_BYTES);
    bodies.forEach((body, part) => {
      const event: EventData = {
        eventId: batch.ref,
        entityType: 'batch',
        action: 'digest',
        entity: { id: batch.ref },
        ref: batch.ref,
        occurredAt: now.toISOString(),
      };
      const id = digestDeliveryIdFor(batch.batchId, w._id, part + 1);
      planned.push({ p: { webhook: w, event, id, body, webhooksInProject: all.length }, w });
    });
  }
  const records = planned.map(({ p }) => deliveryRecordOf(p, deliveryWorkflowId(p.id), now));
  await deps.deliveries.insertMany(records);
  await deps.deliveries.keep(records.map((r) => ({ webhookId: r.webhookId, deliveryId: r._id })));
  return planned.map(({ p, w }) => ({
    input: {
      deliveryId: p.id,
      projectId: w.projectId,
      webhookId: w._id,
      contentType: w.contentType,
      retry: effectiveRetryPolicy(w.retryPolicy),
      webhookVersion: w.updatedAt.getTime(),
    },
    template: {
      projectId: w.projectId,
      webhookId: w._id,
      contentType: w.contentType,
      retry: effectiveRetryPolicy(w.retryPolicy),
      webhookVersion: w.updatedAt.getTime(),
      ...fairnessOf(w._id, all.length),
      summary: `POST ${w.url}`,
      tags: { projectId: w.projectId, webhookId: w._id, action: 'digest' },
    },
  }));
}

/**
 * Delivers the batch's events from the `from`-th, a page of them, in order, to the webhooks each matched
 * (digest webhooks aside), as `events.publish` would; the next page's `from`, or null after the last.
 * Idempotent: a retried page finds its deliveries stored and started.
 */
export async function publishBatchPage(deps: OutboundDeps, batch: BatchInput, from: number): Promise<number | null> {
  const page = await pageOf(deps, batch.batchId, from, PAGE);
  if (!page.length) return null;
  const all = await deps.db.models.Webhook.find({ projectId: batch.projectId, enabled: true }).lean();
  const byId = new Map(all.map((w) => [w._id, w]));
  for (const e of page) {
    if (!e.event) continue;
    const targets: WebhookRecord[] = [];
    for (const id of e.webhookIds) {
      const w = byId.get(id);
      if (w && !w.digest) targets.push(w);
    }
    // One at a time: an entity's events reach its lanes in the batch's order.
    await routeEvent(deps, e.event, targets, all.length);
  }
  return page.length < PAGE ? null : page[page.length - 1]!.i! + 1;
}
