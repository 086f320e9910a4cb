import { z } from 'zod';
import { authSchema, headersSchema, retryPolicySchema, shortString } from '../../shared/schema';

/**
 * What outbound keeps, as zod schemas: the stored records, whose TypeScript types every module infers from
 * here, and the webhook fields the API's inputs are built from. The mongoose models (models.ts) store them.
 */

export const entityTypes = ['record', 'model', 'upload', 'environment'] as const;
export const actions = ['create', 'update', 'delete', 'publish', 'unpublish', 'deploy', 'custom'] as const;

export const triggerSchema = z.object({
  entityType: z.enum(entityTypes),
  actions: z.array(z.enum(actions)).min(1, 'must name at least one action'),
  contentTypes: z.array(shortString).max(100).optional(),
  recordIds: z.array(shortString).max(1000).optional(),
});
export type Trigger = z.infer<typeof triggerSchema>;

/** `coalesce`: one delivery of an entity's latest state once it has been quiet, or at the latest after `maxWaitMs`. */
export const coalesceSchema = z
  .object({
    quietMs: z.number().int().min(1_000).max(3_600_000),
    maxWaitMs: z.number().int().max(86_400_000),
  })
  .strict()
  .refine((c) => c.maxWaitMs >= c.quietMs, { message: 'must be at least quietMs', path: ['maxWaitMs'] });
export type Coalesce = z.infer<typeof coalesceSchema>;
export const orderings = ['none', 'entity'] as const;

export const webhookFields = z.object({
  name: z.string().min(1).max(200),
  url: z.url({ protocol: /^https?$/, message: 'must be an absolute http(s) URL' }).max(2048),
  enabled: z.boolean().default(true),
  triggers: z.array(triggerSchema).min(1, 'must hold at least one trigger').max(50),
  headers: headersSchema.optional(),
  auth: authSchema.optional(),
  payloadTemplate: z.string().max(100_000).optional(),
  contentType: z.string().min(1).max(200).default('application/json'),
  retryPolicy: retryPolicySchema.optional(),
  /** 'entity': one entity's deliveries go in publish order, one in flight (outbound/workflow/entity.ts). */
  ordering: z.enum(orderings).default('none'),
  coalesce: coalesceSchema.nullable().default(null),
  /** One delivery per `events.publishBatch`, listing its entities, instead of one per event of the batch. */
  digest: z.boolean().default(false),
  /** Send the W3C `traceparent` of the delivery's trace (when tracing is on), for a receiver that joins it. */
  traceparent: z.boolean().default(false),
});

/** A stored webhook: the create fields, its signing secrets and its place in the project's quota. */
export const webhookRecord = webhookFields.extend({
  _id: z.string(),
  projectId: z.string(),
  headers: headersSchema,
  // Webhooks stored before these fields existed have none of them: read as 'none', null, false.
  ordering: z.enum(orderings).optional(),
  coalesce: coalesceSchema.nullish(),
  digest: z.boolean().optional(),
  traceparent: z.boolean().optional(),
  disabledReason: z.string().optional(),
  secret: z.string(),
  previousSecret: z.string().optional(),
  previousSecretExpiresAt: z.date().optional(),
  /** Which of the project's MAX_WEBHOOKS_PER_PROJECT places this webhook holds (db/slots.ts). */
  slot: z.number().int(),
  createdAt: z.date(),
  updatedAt: z.date(),
});
export type WebhookRecord = z.infer<typeof webhookRecord>;

export const deliveryStatus = z.enum(['pending', 'done', 'error']);
export type DeliveryStatus = z.infer<typeof deliveryStatus>;

/** Where an entry of a capped sequence is: its `_id` and its number (db/capped-sequence.ts). */
export const entryRef = z.object({ id: z.string(), n: z.number().int() });
export type EntryRef = z.infer<typeof entryRef>;

/** One event to one webhook, as stored; written only through store/deliveries.ts. */
export const deliveryRecord = z.object({
  _id: z.string(),
  projectId: z.string(),
  webhookId: z.string(),
  eventId: z.string(),
  workflowId: z.string(),
  action: z.string(),
  entityType: z.string(),
  contentType: z.string().optional(),
  entityId: z.string().optional(),
  /** The exact bytes sent (and signed) on every attempt. */
  body: z.string(),
  status: deliveryStatus,
  attempts: z.number().int(),
  lastStatusCode: z.number().int().nullish(),
  lastError: z.string().nullish(),
  finishedAt: z.date().nullish(),
  resendOf: z.string().optional(),
  /** Ordered or coalesced: the events this delivery stands for, oldest first (its own `eventId` is the newest). */
  eventIds: z.array(z.string()).optional(),
  /** Folded into that delivery of the same entity, which carries its event; it ends as that one ends. */
  coalescedInto: z.string().optional(),
  /** Its place in lists, newest first: its creation time, then its id (shared/ids.ts seqKey). */
  seq: z.string(),
  /** The log entry of an attempt still in flight (slow requests only), so that one a crash left pending is closed. */
  pendingLog: entryRef.optional(),
  createdAt: z.date(),
  updatedAt: z.date(),
});
export type DeliveryRecord = z.infer<typeof deliveryRecord>;

const loggedRequest = z.object({
  url: z.string(),
  method: z.string(),
  headers: z.record(z.string(), z.string()),
  body: z.string(),
});
const loggedResponse = z.object({
  status: z.number().int(),
  headers: z.record(z.string(), z.string()),
  body: z.string(),
});

/** One attempt, in its webhook's capped sequence: `_id` is `<webhookId>~<n mod cap>`, `n` orders. */
export const logEntryRecord = z.object({
  _id: z.string(),
  n: z.number().int(),
  projectId: z.string(),
  webhookId: z.string(),
  deliveryId: z.string(),
  attempt: z.number().int(),
  status: deliveryStatus,
  /** As sent, the webhook's own header values redacted. */
  request: loggedRequest,
  response: loggedResponse.optional(),
  error: z.string().optional(),
  durationMs: z.number().optional(),
  startedAt: z.date(),
  finishedAt: z.date().optional(),
});
export type LogEntryRecord = z.infer<typeof logEntryRecord>;

/** A place in a webhook's capped sequence of kept deliveries: which delivery holds it. */
export const deliverySlotRecord = z.object({
  _id: z.string(),
  n: z.number().int(),
  webhookId: z.string(),
  deliveryId: z.string(),
});
export type DeliverySlotRecord = z.infer<typeof deliverySlotRecord>;

/**
 * An event as first published: which webhooks it matched. Its `_id` derives from (projectId, eventId), so a
 * second publish of the same event, even a concurrent one, finds this record and repeats nothing.
 */
export const eventRecord = z.object({
  _id: z.string(),
  projectId: z.string(),
  eventId: z.string(),
  webhookIds: z.array(z.string()),
  /**
   * The event as published (its payload included), kept EVENT_RETENTION_DAYS: what a coalesced delivery is
   * rendered from, and what a batch's events are delivered from. Events stored before it existed lack it.
   */
  event: z.custom<StoredEvent>().optional(),
  /**
   * How its deliveries were started, decided at its first publish from the webhooks as they were then (see
   * deliveries/route.ts), so that a repeat completes the same route whatever has changed since.
   */
  route: z.object({ kind: z.enum(['single', 'fanOut', 'entity']), lanes: z.array(z.string()) }).optional(),
  /** Its place in time (shared/ids.ts seqKey): what a recovery pages by. Events stored before it lack it. */
  seq: z.string().optional(),
  /** Published in `events.publishBatch` `batchId`, as its `i`-th event. */
  batchId: z.string().optional(),
  i: z.number().int().optional(),
  createdAt: z.date(),
  updatedAt: z.date(),
});
export type EventRecord = z.infer<typeof eventRecord>;

/** What an event says (deliveries/body.ts builds every body from it). */
export interface StoredEvent {
  eventId: string;
  entityType: string;
  action: string;
  contentType?: string;
  entity: { id: string; [field: string]: unknown };
  ref?: string;
  occurredAt: string;
}

/** One `events.publishBatch`: `_id` derives from (projectId, ref), so a repeat finds it and repeats nothing. */
export const batchRecord = z.object({
  _id: z.string(),
  projectId: z.string(),
  ref: z.string(),
  eventIds: z.array(z.string()),
  /** The digest webhooks it was first published to: a repeat completes those digests, and starts no other. */
  digestWebhookIds: z.array(z.string()).optional(),
  createdAt: z.date(),
});
export type BatchRecord = z.infer<typeof batchRecord>;

/**
 * A deleted webhook or flow whose records are still to be removed (by the retention sweep, retention/):
 * written before the record itself is deleted, so that no crash leaves its deliveries, log or runs behind.
 * `_id` is `<kind>:<recordId>`.
 */
export const tombstoneKinds = ['webhook', 'flow'] as const;
export const tombstoneRecord = z.object({
  _id: z.string(),
  kind: z.enum(tombstoneKinds),
  recordId: z.string(),
  projectId: z.string(),
  deletedAt: z.date(),
});
export type TombstoneRecord = z.infer<typeof tombstoneRecord>;

export const recoveryStatus = z.enum(['running', 'done', 'cancelled', 'error']);

/** What a recovery re-delivers (`deliveries.recover`), and how far it got (its workflow writes the end). */
export const recoveryRecord = z.object({
  _id: z.string(),
  /** Derived from (projectId, idempotencyKey), unique: the same key gives the same recovery. */
  key: z.string(),
  projectId: z.string(),
  webhookId: z.string(),
  since: z.date(),
  until: z.date(),
  contentTypes: z.array(z.string()).optional(),
  actions: z.array(z.string()).optional(),
  statuses: z.array(z.string()),
  includeMissed: z.boolean(),
  status: recoveryStatus,
  total: z.number().int(),
  sent: z.number().int(),
  skipped: z.number().int(),
  failed: z.number().int(),
  createdAt: z.date(),
  finishedAt: z.date().optional(),
});
export type RecoveryRecord = z.infer<typeof recoveryRecord>;
