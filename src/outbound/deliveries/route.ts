import { WorkflowExecutionAlreadyStartedError, WorkflowIdReusePolicy } from '@temporalio/client';
import { effectiveRetryPolicy } from '../../shared/workflow/retry-policy';
import { derivedId } from '../../shared/ids';
import type { OutboundDeps } from '../deps';
import { deliveryIdFor, deliveryWorkflowId, eventRecordIdFor } from '../ids';
import type { DeliveryRecord, EventRecord, WebhookRecord } from '../store/records';
import type { entityWorkflow } from '../workflow/entity';
import type { fanOutWorkflow } from '../workflow/fan-out';
import type { LaneSettings } from '../workflow/lanes';
import type { DeliveryInput, DeliveryTemplate, EntitySignal, EntityState } from '../workflow/types';
import { DELIVER_SIGNAL } from '../workflow/failures';
import { renderBody, type EventData } from './body';
import { deliveryRecordOf, deliveryTags, startPlanned, type PlannedDelivery, type StartedDelivery } from './create';
import { fairnessOf } from './endpoint';
import { SearchAttributes } from '../../shared/search-attributes';
import type { SearchAttributePair } from '@temporalio/common';

/** Whether a webhook's deliveries of one entity go through the entity's lane (ordering or coalescing). */
export const inLane = (w: Pick<WebhookRecord, 'ordering' | 'coalesce'>): boolean =>
  w.ordering === 'entity' || (w.coalesce ?? null) !== null;

const laneSettings = (w: WebhookRecord): LaneSettings => ({
  ordering: w.ordering ?? 'none',
  coalesce: w.coalesce ?? null,
});

/** How an event's deliveries are started (kept on its record: a repeat takes the same route). */
export type Route = NonNullable<EventRecord['route']>;

/** The route of an event to these webhooks, as they are now. */
export function routeOf(webhooks: Pick<WebhookRecord, '_id' | 'ordering' | 'coalesce'>[]): Route {
  const lanes = webhooks.filter(inLane).map((w) => w._id);
  if (lanes.length) return { kind: 'entity', lanes };
  return { kind: webhooks.length === 1 ? 'single' : 'fanOut', lanes: [] };
}

/** The body of an event to a webhook on a route: a webhook in a lane lists the events it stands for. */
const renderFor = (deps: Pick<OutboundDeps, 'config'>, event: EventData, w: WebhookRecord, route: Route) =>
  renderBody(w, event, deps.config.MAX_PAYLOAD_BYTES, route.lanes.includes(w._id) ? [event.eventId] : undefined);

/**
 * Every body of an event on its route, rendered and size-checked: a publish does it before it stores anything
 * (a refused event leaves nothing behind), then hands them to `routeEvent`.
 */
export const renderBodies = (
  deps: Pick<OutboundDeps, 'config'>,
  event: EventData,
  webhooks: WebhookRecord[],
  route: Route,
): Map<string, string> => new Map(webhooks.map((w) => [w._id, renderFor(deps, event, w, route)]));

/** The workflow of an entity's lanes: one per (projectId, entityType, entity id). */
export const entityWorkflowId = (projectId: string, entityType: string, entityId: string): string =>
  `entity-${derivedId('ent', projectId, entityType, entityId)}`;

/** The workflow of one event's fan-out to several webhooks. */
export const fanOutWorkflowId = (projectId: string, eventId: string): string =>
  `event-${eventRecordIdFor(projectId, eventId)}`;

/** Bodies up to this size in all travel in a fan-out's history; larger ones stay in the records. */
const INLINE_BODIES_BYTES = 256 * 1024;

/**
 * Delivers one event to the webhooks it matched, in a constant number of steps whatever their number:
 * one database command stores every delivery, one Temporal operation starts them all, and the answer lists them.
 * Which operation:
 * - one webhook without ordering or coalescing: its delivery's own workflow, as before (`delivery-<id>`);
 * - several, none with ordering or coalescing: one fan-out workflow (`event-<id>`) runs them side by side;
 * - any with ordering or coalescing: a signal-with-start of the entity's workflow (`entity-<id>`), which starts
 *   the plain ones at once and puts the others in their lanes.
 * Every step is idempotent for a given event: a repeated or concurrent publish finds the stored deliveries
 * and completes what a crash cut short, adding nothing.
 */
export async function routeEvent(
  deps: OutboundDeps,
  event: EventData,
  webhooks: WebhookRecord[],
  webhooksInProject: number,
  route: Route = routeOf(webhooks),
  rendered: Map<string, string> = new Map(),
): Promise<StartedDelivery[]> {
  const [only] = webhooks;
  if (!only) return [];
  const bodyOf = (w: WebhookRecord) => rendered.get(w._id) ?? renderFor(deps, event, w, route);
  if (route.kind === 'single') {
    const id = deliveryIdFor(only.projectId, event.eventId, only._id);
    return [await startPlanned(deps, { webhook: only, event, id, body: bodyOf(only), webhooksInProject })];
  }
  const { projectId } = only;
  const viaEntity = route.kind === 'entity';
  const fanOutId = fanOutWorkflowId(projectId, event.eventId);
  const now = new Date();
  // Every body is rendered (and size-checked) before anything is stored.
  const planned = webhooks.map((w): PlannedDelivery & { lane: boolean } => {
    const lane = route.lanes.includes(w._id);
    const eventIds = lane ? [event.eventId] : undefined;
    const id = deliveryIdFor(projectId, event.eventId, w._id);
    return {
      webhook: w,
      event,
      id,
      body: bodyOf(w),
      ...(eventIds ? { eventIds } : {}),
      webhooksInProject,
      lane,
    };
  });
  const workflowIdOf = (p: PlannedDelivery) => (viaEntity ? deliveryWorkflowId(p.id) : fanOutId);
  const records = planned.map((p) => deliveryRecordOf(p, workflowIdOf(p), now));
  const stored = await deps.deliveries.insertMany(records);
  const answer = planned.map((p) => ({ id: p.id, webhookId: p.webhook._id, workflowId: workflowIdOf(p) }));

  if (!viaEntity) {
    await startFanOut(deps, fanOutId, planned, stored);
    return answer;
  }
  // A repeated publish hands over again only what may never have reached the entity's workflow (a crash between
  // the two steps): what is still pending, untried and unfolded. The workflow ignores what it holds already.
  const unrouted = planned.filter((p, i) => stored[i] === records[i] || notYetRouted(stored[i]!));
  if (unrouted.length) await signalEntity(deps, event, unrouted);
  return answer;
}

const notYetRouted = (d: DeliveryRecord) => d.status === 'pending' && d.attempts === 0 && !d.coalescedInto;

function deliveryInput(p: PlannedDelivery, body?: string): DeliveryInput {
  const w = p.webhook;
  return {
    deliveryId: p.id,
    projectId: w.projectId,
    webhookId: w._id,
    ...(body !== undefined ? { body } : {}),
    contentType: w.contentType,
    retry: effectiveRetryPolicy(w.retryPolicy),
    webhookVersion: w.updatedAt.getTime(),
    publishedAtMs: Date.now(),
  };
}

/** What a workflow starts a planned delivery with (its body stays in its record). */
export const deliveryStartOf = (p: PlannedDelivery) => ({ input: deliveryInput(p), template: deliveryTemplate(p) });

function deliveryTemplate(p: PlannedDelivery): DeliveryTemplate {
  const { deliveryId: _id, ...settings } = deliveryInput(p);
  return {
    ...settings,
    ...fairnessOf(p.webhook._id, p.webhooksInProject ?? 1),
    summary: `POST ${p.webhook.url}`,
    tags: deliveryTags(p.webhook, p.event),
  };
}

async function startFanOut(
  deps: OutboundDeps,
  workflowId: string,
  planned: PlannedDelivery[],
  stored: DeliveryRecord[],
) {
  const inline = stored.reduce((n, d) => n + d.body.length, 0) <= INLINE_BODIES_BYTES;
  const first = planned[0]!;
  try {
    await deps.temporal.workflow.start<typeof fanOutWorkflow>('fanOutWorkflow', {
      taskQueue: deps.config.TASK_QUEUE,
      workflowId,
      args: [
        {
          deliveries: planned.map((p, i) => ({
            // What is stored is what is sent (a concurrent first publish may have rendered it).
            input: deliveryInput(p, inline ? stored[i]!.body : undefined),
            summary: `POST ${p.webhook.url}`,
            priority: fairnessOf(p.webhook._id, p.webhooksInProject ?? 1),
          })),
          keep: true,
        },
      ],
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      typedSearchAttributes: entityAttributes(first.webhook.projectId, first.event),
      staticSummary: `${first.event.contentType ?? first.event.entityType} ${first.event.action} → ${planned.length} webhooks`,
      // Fair per project: its activities each carry their own webhook's key.
      priority: { fairnessKey: first.webhook.projectId },
      requestEagerStart: deps.eagerStart ?? false,
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
}

async function signalEntity(deps: OutboundDeps, event: EventData, planned: (PlannedDelivery & { lane: boolean })[]) {
  const projectId = planned[0]!.webhook.projectId;
  const signal: EntitySignal = {
    plain: planned.filter((p) => !p.lane).map((p) => ({ input: deliveryInput(p), template: deliveryTemplate(p) })),
    lanes: planned
      .filter((p) => p.lane)
      .map((p) => ({
        webhookId: p.webhook._id,
        settings: laneSettings(p.webhook),
        template: deliveryTemplate(p),
        event: { deliveryId: p.id, eventId: event.eventId, action: event.action },
      })),
  };
  const initial: EntityState = { projectId, lanes: {}, plain: [], toKeep: [] };
  await deps.temporal.workflow.signalWithStart<typeof entityWorkflow, [EntitySignal]>('entityWorkflow', {
    taskQueue: deps.config.TASK_QUEUE,
    workflowId: entityWorkflowId(projectId, event.entityType, event.entity.id),
    args: [initial],
    signal: DELIVER_SIGNAL,
    signalArgs: [signal],
    staticSummary: `${event.contentType ?? event.entityType} ${event.entity.id}: ordered or coalesced deliveries`,
    typedSearchAttributes: entityAttributes(projectId, event),
    priority: { fairnessKey: projectId },
  });
}

/** A fan-out's or an entity's workflow is found in the Web UI by its project and entity (its deliveries by webhook). */
function entityAttributes(projectId: string, event: EventData): SearchAttributePair[] {
  return [
    { key: SearchAttributes.projectId, value: projectId },
    { key: SearchAttributes.entityId, value: event.entity.id },
    ...(event.contentType ? [{ key: SearchAttributes.contentType, value: event.contentType }] : []),
  ];
}
