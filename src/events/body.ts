import type { PublishEventInput } from '../api/schemas';

/** The contract's default body; on delete only the entity's id is sent (as Flotiq does). */
export function defaultBody(webhookId: string, eventId: string, event: PublishEventInput, occurredAt: string) {
  return {
    webhookId,
    eventId,
    action: event.action,
    entityType: event.entityType,
    contentTypeName: event.contentType ?? null,
    ref: event.ref ?? null,
    occurredAt,
    payload: event.action === 'delete' ? { id: event.entity.id } : event.entity,
  };
}
