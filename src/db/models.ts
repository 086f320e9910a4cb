import { Schema, type Connection, type InferSchemaType, type Model } from 'mongoose';

/**
 * Everything Hookline stores. Models are bound to a connection (not the global mongoose one) so that a
 * process, or a test file, can own its database.
 * Indexes are declared here, one per list query, and built at start-up by `syncIndexes` in mongo.ts.
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
  },
  { timestamps: true, versionKey: false, minimize: false },
);
webhookSchema.index({ projectId: 1, createdAt: -1, _id: -1 });

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
  },
  { timestamps: true, versionKey: false },
);
// One delivery per (event, webhook): a second publish of the same event finds it instead of adding one.
deliverySchema.index({ projectId: 1, eventId: 1, webhookId: 1 }, { unique: true });
deliverySchema.index({ projectId: 1, createdAt: -1, _id: -1 });
deliverySchema.index({ projectId: 1, webhookId: 1, createdAt: -1, _id: -1 });

const logEntrySchema = new Schema(
  {
    _id: { type: String, required: true },
    projectId: { type: String, required: true },
    webhookId: { type: String, required: true },
    deliveryId: { type: String, required: true },
    // Per-webhook sequence number: the cap keeps the newest LOG_CAP_PER_WEBHOOK by it.
    seq: { type: Number, required: true },
    attempt: { type: Number, required: true },
    status: { type: String, enum: ['pending', 'done', 'error'], required: true },
    request: { type: Schema.Types.Mixed, required: true },
    response: { type: Schema.Types.Mixed },
    error: { type: String },
    durationMs: { type: Number },
    startedAt: { type: Date, required: true },
    finishedAt: { type: Date },
  },
  { timestamps: true, versionKey: false, minimize: false },
);
logEntrySchema.index({ projectId: 1, webhookId: 1, createdAt: -1, _id: -1 });
logEntrySchema.index({ projectId: 1, deliveryId: 1, createdAt: -1, _id: -1 });
logEntrySchema.index({ webhookId: 1, seq: 1 });

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

// Counters hand out per-webhook log sequence numbers atomically ($inc), even with many workers.
const counterSchema = new Schema(
  { _id: { type: String, required: true }, seq: { type: Number, required: true, default: 0 } },
  { versionKey: false },
);

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
    Counter: conn.model('Counter', counterSchema, 'counters'),
  };
}

export type Models = ReturnType<typeof createModels>;
