import { createHash, randomBytes } from 'node:crypto';

/**
 * Ids are prefixed by kind, like Stripe's and Svix's, so that a support ticket's id says what it is.
 * Random ids start with the time so that they sort roughly by creation.
 */
export function newId(prefix: 'wh' | 'dlv' | 'evt'): string {
  return `${prefix}_${Date.now().toString(36).padStart(9, '0')}${randomBytes(10).toString('hex')}`;
}

/** The delivery of one event to one webhook has one id, however often or concurrently the event is published. */
export function deliveryIdFor(projectId: string, eventId: string, webhookId: string): string {
  const digest = createHash('sha256')
    .update(JSON.stringify([projectId, eventId, webhookId]))
    .digest('base64url');
  return `dlv_${digest.slice(0, 32)}`;
}

/** An event's record has one id per (projectId, eventId), so that a second publish finds it by `_id`. */
export function eventRecordIdFor(projectId: string, eventId: string): string {
  return `evt_${createHash('sha256')
    .update(JSON.stringify([projectId, eventId]))
    .digest('base64url')
    .slice(0, 32)}`;
}

export const workflowIdFor = (deliveryId: string): string => `delivery-${deliveryId}`;
