import { Schema, type Connection, type InferSchemaType, type Model } from 'mongoose';

/**
 * Everything Hookline stores. Models are bound to a connection (not the global mongoose one) so that a
 * process, or a test file, can own its database.
 * Indexes are declared here, one per list query, and built at start-up by mongo.ts (on FerretDB only the
 * unique ones, the only ones it uses).
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

const webhookSchema = new Schema(
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
    secret: { type: String, required: true },
    previousSecret: { type: String },
    previousSecretExpiresAt: { type: Date },
    // Which of the project's MAX_WEBHOOKS_PER_PROJECT places this webhook holds (see webhooks/quota.ts).
    slot: { type: Number, required: true },
  },
  { timestamps: true, versionKey: false, minimize: false },
);
webhookSchema.index({ projectId: 1, createdAt: -1, _id: -1 });
webhookSchema.index({ projectId: 1, slot: 1 }, { unique: true });

const deliverySchema = new Schema(
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
    status: { type: String, enum: ['pending', 'done', 'error'], required: true, default: 'pending' },
    attempts: { type: Number, required: true, default: 0 },
    lastStatusCode: { type: Number },
    lastError: { type: String },
    finishedAt: { type: Date },
    resendOf: { type: String },
    // The log entry of an attempt still in flight (written only for slow requests), so that one a crash
    // left pending is found by id and closed.
    pendingLog: { type: new Schema({ id: String, n: Number }, { _id: false }) },
  },
  { timestamps: true, versionKey: false },
);
// A published delivery's _id derives from (projectId, eventId, webhookId), so the unique _id is what keeps
// one delivery per event and webhook; a resend is a new delivery of the same event, with a random id.
deliverySchema.index({ projectId: 1, createdAt: -1, _id: -1 });
deliverySchema.index({ projectId: 1, webhookId: 1, createdAt: -1, _id: -1 });
deliverySchema.index({ projectId: 1, status: 1, createdAt: -1, _id: -1 });
deliverySchema.index({ projectId: 1, webhookId: 1, status: 1, createdAt: -1, _id: -1 });

// One attempt, in its webhook's capped ring (db/capped-ring.ts): `_id` is `<webhookId>~<n mod cap>`, `n` orders.
const logEntrySchema = new Schema(
  {
    _id: { type: String, required: true },
    n: { type: Number, required: true },
    projectId: { type: String, required: true },
    webhookId: { type: String, required: true },
    deliveryId: { type: String, required: true },
    attempt: { type: Number, required: true },
    status: { type: String, enum: ['pending', 'done', 'error'], required: true },
    request: { type: Schema.Types.Mixed, required: true },
    response: { type: Schema.Types.Mixed },
    error: { type: String },
    durationMs: { type: Number },
    startedAt: { type: Date, required: true },
    finishedAt: { type: Date },
  },
  { versionKey: false, minimize: false },
);
logEntrySchema.index({ projectId: 1, webhookId: 1, n: -1 });

// Which deliveries of a webhook are kept: its newest, as a capped ring of delivery ids (capped-ring.ts); the
// delivery whose entry a new one replaces is deleted, so a webhook's deliveries stay bounded.
const deliverySlotSchema = new Schema(
  {
    _id: { type: String, required: true },
    n: { type: Number, required: true },
    webhookId: { type: String, required: true },
    deliveryId: { type: String, required: true },
  },
  { versionKey: false },
);

// An event as first published: which webhooks it matched. A second publish of the same (projectId,
// eventId), even a concurrent one, finds this record (unique index) and repeats nothing.
const eventSchema = new Schema(
  {
    _id: { type: String, required: true },
    projectId: { type: String, required: true },
    eventId: { type: String, required: true },
    webhookIds: { type: [String], required: true },
  },
  { timestamps: true, versionKey: false },
);
eventSchema.index({ projectId: 1, eventId: 1 }, { unique: true });

export type WebhookDoc = InferSchemaType<typeof webhookSchema> & { _id: string };
export type DeliveryDoc = InferSchemaType<typeof deliverySchema> & { _id: string };
export type EventDoc = InferSchemaType<typeof eventSchema> & { _id: string };
export type LogEntryDoc = InferSchemaType<typeof logEntrySchema> & { _id: string };

export function createModels(conn: Connection) {
  return {
    Webhook: conn.model('Webhook', webhookSchema, 'webhooks') as Model<WebhookDoc>,
    Delivery: conn.model('Delivery', deliverySchema, 'deliveries') as Model<DeliveryDoc>,
    Event: conn.model('Event', eventSchema, 'events') as Model<EventDoc>,
    LogEntry: conn.model('LogEntry', logEntrySchema, 'log_entries') as Model<LogEntryDoc>,
    DeliverySlot: conn.model('DeliverySlot', deliverySlotSchema, 'delivery_slots'),
  };
}

export type Models = ReturnType<typeof createModels>;
