import { derivedId } from '../shared/ids';

/** The delivery of one event to one webhook has one id, however often or concurrently the event is published. */
export const deliveryIdFor = (projectId: string, eventId: string, webhookId: string): string =>
  derivedId('dlv', projectId, eventId, webhookId);

/** An event's record has one id per (projectId, eventId), so that a second publish finds it by `_id`. */
export const eventRecordIdFor = (projectId: string, eventId: string): string => derivedId('evt', projectId, eventId);

/** A delivery's workflow id: part of the contract, and of every running workflow's history. */
export const deliveryWorkflowId = (deliveryId: string): string => `delivery-${deliveryId}`;

/** One `events.publishBatch` has one id per (projectId, ref): a repeat finds it. */
export const batchIdFor = (projectId: string, ref: string): string => derivedId('bat', projectId, ref);

/** A digest webhook's delivery of one part of a batch. */
export const digestDeliveryIdFor = (batchId: string, webhookId: string, part: number): string =>
  derivedId('dlv', batchId, webhookId, String(part));
