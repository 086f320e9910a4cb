import { z } from 'zod';
import { pageInput } from '../db/pagination';
import { RETRY_POLICY_BOUNDS as B } from '../delivery/retry-policy';

/** Every input of the public contract, one zod schema each; the TypeScript types are inferred from them. */

export const projectId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 letters, digits, "_" or "-"');

export const entityTypes = ['record', 'model', 'upload', 'environment'] as const;
export const actions = ['create', 'update', 'delete', 'publish', 'unpublish', 'deploy', 'custom'] as const;

const shortString = z.string().min(1).max(200);

export const triggerSchema = z.object({
  entityType: z.enum(entityTypes),
  actions: z.array(z.enum(actions)).min(1, 'must name at least one action'),
  contentTypes: z.array(shortString).max(100).optional(),
  recordIds: z.array(shortString).max(1000).optional(),
});
export type Trigger = z.infer<typeof triggerSchema>;

const bounded = (b: { min: number; max: number }) => z.number().int().min(b.min).max(b.max);

export const retryPolicySchema = z
  .object({
    maximumAttempts: bounded(B.maximumAttempts),
    initialIntervalMs: bounded(B.initialIntervalMs),
    backoffCoefficient: z.number().min(B.backoffCoefficient.min).max(B.backoffCoefficient.max),
    maximumIntervalMs: bounded(B.maximumIntervalMs),
    timeoutMs: bounded(B.timeoutMs),
  })
  .partial()
  .strict();

const headerName = z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$/, 'must be a valid HTTP header name');
const headerValue = z
  .string()
  .max(4096)
  .regex(/^[^\r\n\0]*$/, 'must not contain line breaks');

export const webhookFields = z.object({
  name: z.string().min(1).max(200),
  url: z.url({ protocol: /^https?$/, message: 'must be an absolute http(s) URL' }).max(2048),
  enabled: z.boolean().default(true),
  triggers: z.array(triggerSchema).min(1, 'must hold at least one trigger').max(50),
  headers: z.record(headerName, headerValue).optional(),
  auth: z
    .discriminatedUnion('type', [
      z.object({
        type: z.literal('basic'),
        username: z.string().min(1).max(200),
        password: z.string().min(1).max(1000),
      }),
      z.object({ type: z.literal('bearer'), token: z.string().min(1).max(4096) }),
    ])
    .optional(),
  payloadTemplate: z.string().max(100_000).optional(),
  contentType: z.string().min(1).max(200).default('application/json'),
  retryPolicy: retryPolicySchema.optional(),
});

export const createWebhookInput = webhookFields.extend({ projectId }).strict();
export type CreateWebhookInput = z.infer<typeof createWebhookInput>;

const id = z.string().min(1).max(100);
export const byIdInput = z.object({ projectId, id }).strict();

/** Any create field; what is given replaces what was stored (`headers` and `triggers` as a whole). */
export const updateWebhookInput = webhookFields
  .extend({
    // No defaults here: a field left out keeps its stored value.
    enabled: z.boolean(),
    contentType: z.string().min(1).max(200),
    // null clears an optional field.
    auth: webhookFields.shape.auth.unwrap().nullable(),
    payloadTemplate: z.string().max(100_000).nullable(),
    retryPolicy: retryPolicySchema.nullable(),
  })
  .partial()
  .extend({ projectId, id })
  .strict();
export type UpdateWebhookInput = z.infer<typeof updateWebhookInput>;

export const triggerWebhookInput = z
  .object({
    projectId,
    id,
    entityType: z.enum(entityTypes).default('record'),
    contentType: shortString.optional(),
    entity: z.looseObject({ id: z.string().min(1).max(200) }),
    ref: z.string().max(2048).optional(),
  })
  .strict();
export const listWebhooksInput = z.object({ projectId, ...pageInput }).strict();

export const publishEventInput = z
  .object({
    projectId,
    eventId: z.string().min(1).max(200).optional(),
    entityType: z.enum(entityTypes),
    action: z.enum(actions).refine((a) => a !== 'custom', {
      message: "'custom' is fired by hand with webhooks.trigger, not published",
    }),
    contentType: shortString.optional(),
    entity: z.looseObject({ id: z.string().min(1).max(200) }),
    ref: z.string().max(2048).optional(),
    occurredAt: z.iso.datetime({ offset: true }).optional(),
  })
  .strict();
export type PublishEventInput = z.infer<typeof publishEventInput>;

export const deliveryStatus = z.enum(['pending', 'done', 'error']);

export const listDeliveriesInput = z
  .object({ projectId, webhookId: z.string().max(100).optional(), status: deliveryStatus.optional(), ...pageInput })
  .strict();

export const listLogsInput = z
  .object({
    projectId,
    webhookId: z.string().min(1).max(100),
    deliveryId: z.string().max(100).optional(),
    status: deliveryStatus.optional(),
    ...pageInput,
  })
  .strict();
