import { PayloadTooLargeError } from '../../shared/errors';
import { renderPayload } from '../../shared/templates/mustache';
import type { WebhookRecord } from '../store/records';

/** What an event says, as every delivery's body is built from it. */
export interface EventData {
  eventId: string;
  entityType: string;
  action: string;
  contentType?: string;
  entity: { id: string; [field: string]: unknown };
  ref?: string;
  occurredAt: string;
}

/** The contract's default body; on delete only the entity's id is sent (as Flotiq does). */
export function defaultBody(webhookId: string, event: EventData) {
  return {
    webhookId,
    eventId: event.eventId,
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
): string {
  const body = defaultBody(webhook._id, event);
  const rendered = webhook.payloadTemplate
    ? renderPayload(webhook.payloadTemplate, body, webhook.contentType)
    : JSON.stringify(body);
  if (Buffer.byteLength(rendered) > maxBytes) {
    throw new PayloadTooLargeError(
      `entity: the body for webhook ${webhook._id} would be ${Buffer.byteLength(rendered)} bytes, over MAX_PAYLOAD_BYTES (${maxBytes})`,
    );
  }
  return rendered;
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
