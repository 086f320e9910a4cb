import { Schema, type Connection } from 'mongoose';
import type { LockEntry } from '../../db/record-lock';
import {
  deliveryStatus,
  type DeliveryRecord,
  type DeliverySlotRecord,
  type BatchRecord,
  type EventRecord,
  type LogEntryRecord,
  type RecoveryRecord,
  type TombstoneRecord,
  type WebhookRecord,
  tombstoneKinds,
} from './records';

/**
 * How outbound webhooks are stored. The record types come from the zod schemas (records.ts); these
 * mongoose schemas add the collections and their indexes, one per list query (db/mongo.ts builds them).
 */

const triggerSchema = new Schema(
  {
    entityType: { type: String, required: true },
    actions: { type: [String], required: true },
    contentTypes: { type: [String], default: [] },
    recordIds: { type: [String], default: [] },
  },
  { _id: false },
);

const webhookSchema = new Schema<WebhookRecord>(
  {
    _id: { type: String, required: true },
    projectId: { type: String, required: true },
    name: { type: String, required: true },
    url: { type: String, required: true },
    enabled: { type: Boolean, required: true, default: true },
    disabledReason: { type: String },
    triggers: { type: [triggerSchema], required: true },
    headers: { type: Schema.Types.Mixed, default: {} },
    auth: { type: Schema.Types.Mixed },
    payloadTemplate: { type: String },
    contentType: { type: String, required: true, default: 'application/json' },
    retryPolicy: { type: Schema.Types.Mixed },
    ordering: { type: String },
    coalesce: { type: Schema.Types.Mixed },
    digest: { type: Boolean },
    traceparent: { type: Boolean },
    secret: { type: String, required: true },
    previousSecret: { type: String },
    previousSecretExpiresAt: { type: Date },
    slot: { type: Number, required: true },
  },
  { timestamps: true, versionKey: false, minimize: false },
);
// webhooks.list, and a publish's candidates: a project's webhooks, newest first (ids start with the time).
webhookSchema.index({ projectId: 1, _id: 1 });
webhookSchema.index({ projectId: 1, slot: 1 }, { unique: true });

const deliverySchema = new Schema<DeliveryRecord>(
  {
    _id: { type: String, required: true },
    projectId: { type: String, required: true },
    webhookId: { type: String, required: true },
    eventId: { type: String, required: true },
    workflowId: { type: String, required: true },
    action: { type: String, required: true },
    entityType: { type: String, required: true },
    contentType: { type: String },
    entityId: { type: String },
    body: { type: String, required: true },
    status: { type: String, enum: deliveryStatus.options, required: true, default: 'pending' },
    attempts: { type: Number, required: true, default: 0 },
    lastStatusCode: { type: Number },
    lastError: { type: String },
    finishedAt: { type: Date },
    resendOf: { type: String },
    eventIds: { type: [String], default: undefined },
    coalescedInto: { type: String },
    seq: { type: String, required: true },
    pendingLog: { type: new Schema({ id: String, n: Number }, { _id: false }) },
  },
  { timestamps: true, versionKey: false },
);
// A published delivery's _id derives from (projectId, eventId, webhookId), so the unique _id is what keeps
// one delivery per event and webhook; a resend is a new delivery of the same event, with a random id.
// deliveries.list, by each filter it takes, newest first (`seq`: ids here are derived, not time-ordered).
deliverySchema.index({ projectId: 1, seq: 1 });
deliverySchema.index({ projectId: 1, webhookId: 1, seq: 1 });
deliverySchema.index({ projectId: 1, status: 1, seq: 1 });
deliverySchema.index({ projectId: 1, webhookId: 1, status: 1, seq: 1 });
// The retention sweep: pending deliveries whose workflow may have been ended from outside, in turn.
deliverySchema.index({ status: 1, seq: 1 });

const logEntrySchema = new Schema<LogEntryRecord>(
  {
    _id: { type: String, required: true },
    n: { type: Number, required: true },
    projectId: { type: String, required: true },
    webhookId: { type: String, required: true },
    deliveryId: { type: String, required: true },
    attempt: { type: Number, required: true },
    status: { type: String, enum: deliveryStatus.options, required: true },
    request: { type: Schema.Types.Mixed, required: true },
    response: { type: Schema.Types.Mixed },
    error: { type: String },
    durationMs: { type: Number },
    startedAt: { type: Date, required: true },
    finishedAt: { type: Date },
  },
  { versionKey: false, minimize: false },
);
// logs.list, by each filter it takes, newest first; the delivery's entries also for tidying after a crash.
logEntrySchema.index({ projectId: 1, webhookId: 1, n: 1 });
logEntrySchema.index({ projectId: 1, webhookId: 1, status: 1, n: 1 });
logEntrySchema.index({ projectId: 1, webhookId: 1, deliveryId: 1, n: 1 });

const deliverySlotSchema = new Schema<DeliverySlotRecord>(
  {
    _id: { type: String, required: true },
    n: { type: Number, required: true },
    webhookId: { type: String, required: true },
    deliveryId: { type: String, required: true },
  },
  { versionKey: false },
);

const eventSchema = new Schema<EventRecord>(
  {
    _id: { type: String, required: true },
    projectId: { type: String, required: true },
    eventId: { type: String, required: true },
    webhookIds: { type: [String], required: true },
    event: { type: Schema.Types.Mixed },
    route: { type: Schema.Types.Mixed },
    seq: { type: String },
    batchId: { type: String },
    i: { type: Number },
  },
  { timestamps: true, versionKey: false, minimize: false },
);
eventSchema.index({ projectId: 1, eventId: 1 }, { unique: true });
// The retention sweep: events older than EVENT_RETENTION_DAYS, oldest first.
eventSchema.index({ createdAt: 1 });
// webhooks.preview: a project's newest events.
eventSchema.index({ projectId: 1, createdAt: 1 });
// deliveries.recover: a project's events of a window, in turn.
eventSchema.index({ projectId: 1, seq: 1 });

const recoverySchema = new Schema<RecoveryRecord>(
  {
    _id: { type: String, required: true },
    key: { type: String, required: true },
    projectId: { type: String, required: true },
    webhookId: { type: String, required: true },
    since: { type: Date, required: true },
    until: { type: Date, required: true },
    contentTypes: { type: [String], default: undefined },
    actions: { type: [String], default: undefined },
    statuses: { type: [String], required: true },
    includeMissed: { type: Boolean, required: true },
    status: { type: String, required: true },
    total: { type: Number, required: true },
    sent: { type: Number, required: true },
    skipped: { type: Number, required: true },
    failed: { type: Number, required: true },
    createdAt: { type: Date, required: true },
    finishedAt: { type: Date },
  },
  { versionKey: false },
);
// recoveries.list, newest first (ids start with the time), of a project or of one of its webhooks.
recoverySchema.index({ key: 1 }, { unique: true });
recoverySchema.index({ projectId: 1, _id: 1 });
recoverySchema.index({ projectId: 1, webhookId: 1, _id: 1 });
// A batch's events in turn (outbound/events/batch.ts).
eventSchema.index({ batchId: 1, i: 1 });

const batchSchema = new Schema<BatchRecord>(
  {
    _id: { type: String, required: true },
    projectId: { type: String, required: true },
    ref: { type: String, required: true },
    eventIds: { type: [String], required: true },
    digestWebhookIds: { type: [String], default: undefined },
    createdAt: { type: Date, required: true },
  },
  { versionKey: false },
);
// The retention sweep: batches older than EVENT_RETENTION_DAYS.
batchSchema.index({ createdAt: 1 });

const tombstoneSchema = new Schema<TombstoneRecord>(
  {
    _id: { type: String, required: true },
    kind: { type: String, enum: tombstoneKinds, required: true },
    recordId: { type: String, required: true },
    projectId: { type: String, required: true },
    deletedAt: { type: Date, required: true },
  },
  { versionKey: false },
);

/** Who is changing a webhook now (db/record-lock.ts): `_id` is the webhook's. */
const recordLockSchema = new Schema<LockEntry>(
  { _id: { type: String, required: true }, expiresAt: { type: Date, required: true } },
  { versionKey: false },
);

export function createOutboundModels(conn: Connection) {
  return {
    Webhook: conn.model<WebhookRecord>('Webhook', webhookSchema, 'webhooks'),
    Delivery: conn.model<DeliveryRecord>('Delivery', deliverySchema, 'deliveries'),
    Event: conn.model<EventRecord>('Event', eventSchema, 'events'),
    Batch: conn.model<BatchRecord>('Batch', batchSchema, 'batches'),
    Recovery: conn.model<RecoveryRecord>('Recovery', recoverySchema, 'recoveries'),
    LogEntry: conn.model<LogEntryRecord>('LogEntry', logEntrySchema, 'log_entries'),
    DeliverySlot: conn.model<DeliverySlotRecord>('DeliverySlot', deliverySlotSchema, 'delivery_slots'),
    RecordLock: conn.model<LockEntry>('RecordLock', recordLockSchema, 'record_locks'),
    Tombstone: conn.model<TombstoneRecord>('Tombstone', tombstoneSchema, 'tombstones'),
  };
}

export type OutboundModels = ReturnType<typeof createOutboundModels>;
