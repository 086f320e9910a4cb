import { WorkflowExecutionAlreadyStartedError, WorkflowIdReusePolicy } from '@temporalio/client';
import { driverCollection } from '../../db/driver';
import { onlyDuplicateKeys } from '../../db/errors';
import { insertOrFind } from '../../db/unique-insert';
import { InvalidInputError, PayloadTooLargeError } from '../../shared/errors';
import { newId, seqKey } from '../../shared/ids';
import { effectiveRetryPolicy } from '../../shared/workflow/retry-policy';
import { renderBody, renderDigestBodies, type DigestEntity, type EventData } from '../deliveries/body';
import { deliveryRecordOf, type PlannedDelivery } from '../deliveries/create';
import { fairnessOf } from '../deliveries/endpoint';
import { inLane, routeEvent, routeOf } from '../deliveries/route';
import type { OutboundDeps } from '../deps';
import { batchIdFor, deliveryWorkflowId, digestDeliveryIdFor, eventRecordIdFor } from '../ids';
import type { BatchRecord, EventRecord, WebhookRecord } from '../store/records';
import type { batchWorkflow } from '../workflow/batch';
import type { BatchInput } from '../workflow/types';
import { countPublished } from './count';
import { matchesTriggers } from './match';
import type { PublishBatchInput } from './schema';

/** A batch's events are delivered this many at a time (one activity each). */
const PAGE = 200;

/**
 * A release: many events at once (`events.publishBatch`). The batch, its events (in one command) and its digest
 * deliveries (in one) are stored, then one workflow (`batch-<batchId>`) delivers them: one delivery per digest
 * webhook listing the entities, and every event to the other webhooks as `events.publish` would. Idempotent per (projectId, ref):
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
  const matched = events.map((e) =>
    webhooks.filter((w) => matchesTriggers(w.triggers, { ...e, entityId: e.entity.id })),
  );
  checkBodies(deps, events, matched);
  // The digests are planned (rendered, size-checked) before anything is stored, from what is in hand, so that a
  // release's site build starts at once.
  const planned = planDigests(deps, { batchId, ref }, webhooks, events, matched, now);
  fresh.digestWebhookIds = [...new Set(planned.map((p) => p.webhook._id))];

  const batches = driverCollection<BatchRecord>(deps.db.models.Batch);
  const stored = await insertOrFind(
    () => batches.insertOne(fresh),
    () => batches.findOne({ _id: batchId }),
  );
  const eventIds = stored.inserted ? fresh.eventIds : stored.existing.eventIds;
  // A repeat completes the first call's digests (to the digest webhooks of then that still are), no others.
  const first = stored.inserted ? fresh.digestWebhookIds : stored.existing.digestWebhookIds;
  const digests = planned.filter((p) => first?.includes(p.webhook._id) ?? true);
  // Stored again on a repeat, under the first call's ids: a crash may have come between the two inserts.
  const records: EventRecord[] = events.map((e, i) => {
    const event = { ...e, eventId: eventIds[i] ?? e.eventId };
    return {
      _id: eventRecordIdFor(projectId, event.eventId),
      projectId,
      eventId: event.eventId,
      webhookIds: matched[i]!.map((w) => w._id),
      event,
      route: routeOf(matched[i]!.filter((w) => !w.digest)),
      // In the batch's order within its one creation time.
      seq: seqKey(now, `${String(i).padStart(5, '0')}~${eventRecordIdFor(projectId, event.eventId)}`),
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
  await deps.deliveries.insertMany(digests.map((p) => deliveryRecordOf(p, deliveryWorkflowId(p.id), now)));
  try {
    await deps.temporal.workflow.start<typeof batchWorkflow>('batchWorkflow', {
      taskQueue: deps.config.TASK_QUEUE,
      workflowId: `batch-${batchId}`,
      args: [{ projectId, batchId, ref, digests: digests.map(digestStart) }],
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      staticSummary: `release ${ref}: ${records.length} events`,
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
  if (stored.inserted) countPublished(projectId, events);
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
 * The batch's digest deliveries: per enabled webhook with `digest: true`, the entities of the batch's events it
 * matched, in as many parts as MAX_PAYLOAD_BYTES needs (ids derive from the batch: a repeat finds them).
 */
function planDigests(
  deps: OutboundDeps,
  batch: { batchId: string; ref: string },
  webhooks: WebhookRecord[],
  events: EventData[],
  matched: WebhookRecord[][],
  now: Date,
): PlannedDelivery[] {
  const planned: PlannedDelivery[] = [];
  for (const w of webhooks.filter((x) => x.digest)) {
    const entities: DigestEntity[] = [];
    events.forEach((e, i) => {
      if (!matched[i]!.includes(w)) return;
      entities.push({
        id: e.entity.id,
        entityType: e.entityType,
        action: e.action,
        contentType: e.contentType ?? null,
      });
    });
    if (!entities.length) continue;
    const bodies = renderDigestBodies(w, batch.ref, entities, deps.config.MAX_PAYLOAD_BYTES);
    const event: EventData = {
      eventId: batch.ref,
      entityType: 'batch',
      action: 'digest',
      entity: { id: batch.ref },
      ref: batch.ref,
      occurredAt: now.toISOString(),
    };
    bodies.forEach((body, part) => {
      const id = digestDeliveryIdFor(batch.batchId, w._id, part + 1);
      planned.push({ webhook: w, event, id, body, webhooksInProject: webhooks.length });
    });
  }
  return planned;
}

/** What the batch's workflow starts each digest delivery with. */
function digestStart(p: PlannedDelivery): BatchInput['digests'][number] {
  const w = p.webhook;
  const settings = {
    projectId: w.projectId,
    webhookId: w._id,
    contentType: w.contentType,
    retry: effectiveRetryPolicy(w.retryPolicy),
    webhookVersion: w.updatedAt.getTime(),
    publishedAtMs: Date.now(),
  };
  return {
    input: { deliveryId: p.id, ...settings },
    template: {
      ...settings,
      ...fairnessOf(w._id, p.webhooksInProject ?? 1),
      summary: `POST ${w.url}`,
      tags: { projectId: w.projectId, webhookId: w._id, action: 'digest' },
    },
  };
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
    try {
      // One at a time: an entity's events reach its lanes in the batch's order.
      await routeEvent(deps, e.event, targets, all.length, e.route ?? routeOf(targets));
    } catch (err) {
      // A webhook changed since the release was published renders this event too large now: it is not delivered
      // there (the release's other events are), rather than the page retried for ever.
      if (!(err instanceof PayloadTooLargeError)) throw err;
    }
  }
  return page.length < PAGE ? null : page[page.length - 1]!.i! + 1;
}
