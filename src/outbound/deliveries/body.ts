import { PayloadTooLargeError } from '../../shared/errors';
import { renderPayload } from '../../shared/templates/mustache';
import type { StoredEvent, WebhookRecord } from '../store/records';

/** What an event says, as every delivery's body is built from it. */
export type EventData = StoredEvent;

/**
 * The contract's default body; on delete only the entity's id is sent (as Flotiq does). An ordered or
 * coalesced webhook's body also lists `eventIds`, the events it stands for, oldest first.
 */
export function defaultBody(webhookId: string, event: EventData, eventIds?: string[]) {
  return {
    webhookId,
    eventId: event.eventId,
    ...(eventIds ? { eventIds } : {}),
    action: event.action,
    entityType: event.entityType,
    contentTypeName: event.contentType ?? null,
    ref: event.ref ?? null,
    occurredAt: event.occurredAt,
    payload: event.action === 'delete' ? { id: event.entity.id } : event.entity,
  };
}

/** The bytes a webhook receives for an event: its Mustache template over the default body, or that body. */
export function renderBody(
  webhook: Pick<WebhookRecord, '_id' | 'payloadTemplate' | 'contentType'>,
  event: EventData,
  maxBytes: number,
  eventIds?: string[],
): string {
  return rendered(webhook, defaultBody(webhook._id, event, eventIds), maxBytes, 'entity');
}

function rendered(
  webhook: Pick<WebhookRecord, '_id' | 'payloadTemplate' | 'contentType'>,
  body: object,
  maxBytes: number,
  field: string,
): string {
  const text = webhook.payloadTemplate
    ? renderPayload(webhook.payloadTemplate, body, webhook.contentType)
    : JSON.stringify(body);
  if (Buffer.byteLength(text) > maxBytes) {
    throw new PayloadTooLargeError(
      `${field}: the body for webhook ${webhook._id} would be ${Buffer.byteLength(text)} bytes, over MAX_PAYLOAD_BYTES (${maxBytes})`,
    );
  }
  return text;
}

/** One entity of a release digest: what changed, never its payload. */
export interface DigestEntity {
  id: string;
  entityType: string;
  action: string;
  contentType: string | null;
}

/** Room kept in each digest part for the fields around its list of entities. */
const DIGEST_ENVELOPE_BYTES = 1_024;

/**
 * The bodies of a digest webhook's delivery of one `events.publishBatch`: `{ webhookId, ref, digest: true, part,
 * parts, entities }`, the entities split in parts so that each body stays within `maxBytes` (its template,
 * when it has one, renders over the same object).
 */
export function renderDigestBodies(
  webhook: Pick<WebhookRecord, '_id' | 'payloadTemplate' | 'contentType'>,
  ref: string,
  entities: DigestEntity[],
  maxBytes: number,
): string[] {
  const budget = Math.max(maxBytes - DIGEST_ENVELOPE_BYTES - Buffer.byteLength(JSON.stringify(ref)), 1);
  const parts: DigestEntity[][] = [[]];
  let size = 0;
  for (const e of entities) {
    const bytes = Buffer.byteLength(JSON.stringify(e)) + 1;
    if (size + bytes > budget && parts[parts.length - 1]!.length) {
      parts.push([]);
      size = 0;
    }
    parts[parts.length - 1]!.push(e);
    size += bytes;
  }
  return parts.map((list, i) =>
    rendered(
      webhook,
      { webhookId: webhook._id, ref, digest: true, part: i + 1, parts: parts.length, entities: list },
      maxBytes,
      'events',
    ),
  );
}

/** The event `webhooks.test` sends, and templates are checked against at create and update. */
export function sampleEvent(overrides: Partial<EventData> = {}): EventData {
  return {
    eventId: 'evt_sample',
    entityType: 'record',
    action: 'test',
    contentType: 'sample',
    entity: {
      id: 'sample-1',
      title: 'Sample "record" & <friends>\\ with a line\nbreak',
      price: 500,
      tags: ['a', 'b'],
      internal: { createdAt: '2026-01-01T00:00:00.000Z', contentType: 'sample' },
    },
    ref: '/api/v1/content/sample/sample-1',
    occurredAt: '2026-01-01T00:00:00.000Z',
    ...overrides,
  };
}
