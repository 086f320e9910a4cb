import { z } from 'zod';
import { actions, entityTypes } from '../../outbound/store/records';
import { headersSchema, retryPolicySchema, shortString } from '../../shared/schema';

/**
 * What inbound keeps, as zod schemas: flows (Locoia's flow webhooks) and the run log of their calls. The
 * TypeScript types are inferred from here; the API's inputs are built from the flow fields.
 */

/** A Liquid template (compiled at create and update time, rendered in a sandbox). */
const template = z.string().max(100_000);

/** A step's name in templates: `{{ res1.value }}`. */
export const refName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, 'must be a name: letters, digits and "_", not starting with a digit');

export const httpMethods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

export const setStep = z.object({ ref: refName, kind: z.literal('set'), value: template }).strict();

export const httpStep = z
  .object({
    ref: refName,
    kind: z.literal('http'),
    method: z.enum(httpMethods).default('POST'),
    url: template.min(1),
    /** Names as sent; values are Liquid templates and secrets (redacted on read and in the run log). */
    headers: z.record(headersSchema.keyType, template).optional(),
    body: template.optional(),
    retryPolicy: retryPolicySchema.optional(),
  })
  .strict();

export const publishStep = z
  .object({
    ref: refName,
    kind: z.literal('publish'),
    entityType: z.enum(entityTypes),
    action: z.enum(actions).refine((a) => a !== 'custom', { message: "'custom' is fired by hand, not published" }),
    contentType: shortString.optional(),
    /** Renders a JSON object with an `id`: the event's entity. */
    entity: template.min(1),
  })
  .strict();

export const stepSchema = z.discriminatedUnion('kind', [setStep, httpStep, publishStep]);
export type Step = z.infer<typeof stepSchema>;
export type HttpStep = z.infer<typeof httpStep>;
export type PublishStep = z.infer<typeof publishStep>;

export const flowStatuses = ['draft', 'live', 'paused'] as const;
export const flowModes = ['async', 'sync'] as const;

export const responseSchema = z
  .object({
    statusCode: z.number().int().min(100).max(599).default(200),
    body: template.default(''),
    contentType: z.string().min(1).max(200).default('application/json'),
  })
  .strict();

export const flowFields = z.object({
  name: z.string().min(1).max(200),
  status: z.enum(flowStatuses).default('draft'),
  mode: z.enum(flowModes).default('async'),
  refId: refName.default('web1'),
  steps: z.array(stepSchema).max(25),
  response: responseSchema.default({ statusCode: 200, body: '', contentType: 'application/json' }),
});

/** A stored flow, with the bearer token its webhook URL requires. */
export const flowRecord = flowFields.extend({
  _id: z.string(),
  projectId: z.string(),
  token: z.string(),
  createdAt: z.date(),
  updatedAt: z.date(),
});
export type FlowRecord = z.infer<typeof flowRecord>;

export const runStatus = z.enum(['running', 'done', 'error']);

/** One step of a run, as the flow debugger shows it. Inputs and outputs are JSON, kept as text. */
export const stepRun = z.object({
  ref: z.string(),
  kind: z.string(),
  status: runStatus,
  input: z.string().optional(),
  output: z.string().optional(),
  error: z.string().optional(),
  startedAt: z.date(),
  finishedAt: z.date().optional(),
});
export type StepRun = z.infer<typeof stepRun>;

/**
 * One accepted call of a flow, in its flow's capped sequence (`<flowId>~<n mod cap>`, db/capped-sequence.ts).
 * JSON the caller sent is kept as text: its keys may be anything, which a document's field names may not.
 */
export const runRecord = z.object({
  _id: z.string(),
  n: z.number().int(),
  projectId: z.string(),
  flowId: z.string(),
  runId: z.string(),
  status: runStatus,
  request: z.object({ body: z.string(), headers: z.record(z.string(), z.string()) }),
  steps: z.array(stepRun),
  response: z.object({ statusCode: z.number().int(), body: z.string() }).optional(),
  error: z.string().optional(),
  startedAt: z.date(),
  finishedAt: z.date().optional(),
});
export type RunRecord = z.infer<typeof runRecord>;
