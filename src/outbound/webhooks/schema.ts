import { z } from 'zod';
import { pageInput } from '../../db/pagination';
import { authSchema, projectId, recordId, retryPolicySchema, shortString } from '../../shared/schema';
import { coalesceSchema, entityTypes, orderings, triggerSchema, webhookFields } from '../store/records';

/** The inputs of `webhooks.*`; the TypeScript types are inferred from them. */

export const createWebhookInput = webhookFields.extend({ projectId }).strict();
export type CreateWebhookInput = z.infer<typeof createWebhookInput>;

/** Any create field; what is given replaces what was stored (`headers` and `triggers` as a whole). */
export const updateWebhookInput = webhookFields
  .extend({
    // No defaults here: a field left out keeps its stored value.
    enabled: z.boolean(),
    contentType: z.string().min(1).max(200),
    // null clears an optional field.
    auth: authSchema.nullable(),
    payloadTemplate: z.string().max(100_000).nullable(),
    retryPolicy: retryPolicySchema.nullable(),
    ordering: z.enum(orderings),
    coalesce: coalesceSchema.nullable(),
    digest: z.boolean(),
    traceparent: z.boolean(),
  })
  .partial()
  .extend({ projectId, id: recordId })
  .strict();
export type UpdateWebhookInput = z.infer<typeof updateWebhookInput>;

export const triggerWebhookInput = z
  .object({
    projectId,
    id: recordId,
    entityType: z.enum(entityTypes).default('record'),
    contentType: shortString.optional(),
    entity: z.looseObject({ id: z.string().min(1).max(200) }),
    ref: z.string().max(2048).optional(),
  })
  .strict();
export type TriggerWebhookInput = z.infer<typeof triggerWebhookInput>;

export const listWebhooksInput = z.object({ projectId, ...pageInput }).strict();
export type ListWebhooksInput = z.infer<typeof listWebhooksInput>;

/**
 * The input of `webhooks.preview`: a stored webhook (`webhookId`), a draft (create fields), or a stored webhook
 * with unsaved changes (both); the event to render, or the project's newest matching one, or a sample.
 */
export const previewWebhookInput = webhookFields
  .extend({
    // A draft need not be complete: what is left out is the stored webhook's, or the default.
    name: z.string().max(200),
    url: z.string().max(2048),
    triggers: z.array(triggerSchema).max(50),
    auth: authSchema.nullable(),
    payloadTemplate: z.string().max(100_000).nullable(),
    contentType: z.string().min(1).max(200),
    coalesce: coalesceSchema.nullable(),
  })
  .partial()
  .extend({ projectId, webhookId: recordId.optional(), eventId: z.string().min(1).max(200).optional() })
  .strict();
export type PreviewWebhookInput = z.infer<typeof previewWebhookInput>;
