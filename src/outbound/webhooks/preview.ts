import { driverCollection } from '../../db/driver';
import { InvalidInputError, InvalidTemplateError, NotFoundError } from '../../shared/errors';
import { checkPayloadTemplate } from '../../shared/templates/mustache';
import { requestHeaders } from '../deliveries/request-headers';
import { defaultBody, renderBody, renderDigestBodies, sampleEvent, type EventData } from '../deliveries/body';
import { inLane } from '../deliveries/route';
import type { OutboundDeps } from '../deps';
import { matchesTriggers } from '../events/match';
import { eventRecordIdFor } from '../ids';
import { loggedHeaders } from '../store/execution-log';
import type { EventRecord, WebhookRecord } from '../store/records';
import type { PreviewWebhookInput } from './schema';
import { getWebhook } from './service';

/** How many of a project's newest events are looked through for one a draft's triggers match. */
const NEWEST = 100;

/** Where the signature goes for a draft, which has no secret yet. */
export const UNSIGNED_DRAFT = 'v1,<computed with the webhook secret once it is saved>';

/**
 * `webhooks.preview`: exactly what a delivery of an event would send to this webhook (a stored one, a draft, or a
 * stored one with unsaved changes): the same renderer, escaping and size check as a delivery, its headers with
 * the webhook's own values redacted and the signature as it would be computed. Nothing is sent or stored.
 */
export async function previewWebhook(deps: OutboundDeps, input: PreviewWebhookInput) {
  const { projectId, webhookId, eventId, ...draft } = input;
  const stored = webhookId ? await getWebhook(deps, projectId, webhookId) : undefined;
  const w = {
    _id: stored?._id ?? 'wh_preview',
    headers: draft.headers ?? stored?.headers ?? {},
    auth: draft.auth === null ? undefined : (draft.auth ?? stored?.auth),
    payloadTemplate: draft.payloadTemplate === null ? undefined : (draft.payloadTemplate ?? stored?.payloadTemplate),
    contentType: draft.contentType ?? stored?.contentType ?? 'application/json',
    triggers: draft.triggers ?? stored?.triggers ?? [],
    ordering: draft.ordering ?? stored?.ordering,
    coalesce: draft.coalesce === undefined ? stored?.coalesce : draft.coalesce,
    digest: draft.digest ?? stored?.digest,
  };
  if (w.payloadTemplate) {
    try {
      // Parsed first, so that a template that does not parse says where.
      checkPayloadTemplate(w.payloadTemplate, w.contentType, defaultBody(w._id, sampleEvent()));
    } catch (err) {
      if (err instanceof InvalidTemplateError) throw InvalidInputError.field('payloadTemplate', err.message);
      throw err;
    }
  }
  const found = await eventFor(deps, projectId, eventId, w.triggers);
  const event = found ?? sampleEvent({ occurredAt: new Date().toISOString() });
  const body = w.digest
    ? renderDigestBodies(w, event.ref ?? 'release', [digestEntity(event)], deps.config.MAX_PAYLOAD_BYTES)[0]!
    : renderBody(w, event, deps.config.MAX_PAYLOAD_BYTES, inLane(w) ? [event.eventId] : undefined);
  const signing = stored ?? { secret: 'whsec_preview' };
  const headers = loggedHeaders(
    requestHeaders({ ...w, ...signing, headers: w.headers }, 'dlv_preview', w.contentType, body),
  );
  if (!stored) headers['webhook-signature'] = UNSIGNED_DRAFT;
  return { body, contentType: w.contentType, headers, event: { eventId: event.eventId, sample: found === undefined } };
}

const digestEntity = (e: EventData) => ({
  id: e.entity.id,
  entityType: e.entityType,
  action: e.action,
  contentType: e.contentType ?? null,
});

/** The event asked for (404 if the project has no such event kept), else the newest its triggers match. */
async function eventFor(
  deps: OutboundDeps,
  projectId: string,
  eventId: string | undefined,
  triggers: WebhookRecord['triggers'],
): Promise<EventData | undefined> {
  const events = driverCollection<EventRecord>(deps.db.models.Event);
  if (eventId !== undefined) {
    const record = await events.findOne({ _id: eventRecordIdFor(projectId, eventId) });
    if (!record?.event) throw new NotFoundError('event', eventId, 'is not kept (EVENT_RETENTION_DAYS)');
    return record.event;
  }
  const newest = await events.find({ projectId }).sort({ createdAt: -1 }).limit(NEWEST).toArray();
  return newest
    .map((r) => r.event)
    .find((e) => e !== undefined && (!triggers.length || matchesTriggers(triggers, { ...e, entityId: e.entity.id })));
}
