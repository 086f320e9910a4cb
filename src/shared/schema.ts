import { z } from 'zod';
import { RETRY_POLICY_BOUNDS as B } from './workflow/retry-policy';

/** What every input names: the project (the CMS's project or space id) and, for one record, its id. */
export const projectId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 letters, digits, "_" or "-"');

export const recordId = z.string().min(1).max(100);

export const byIdInput = z.object({ projectId, id: recordId }).strict();
export type ByIdInput = z.infer<typeof byIdInput>;

const headerName = z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$/, 'must be a valid HTTP header name');
const headerValue = z
  .string()
  .max(4096)
  .regex(/^[^\r\n\0]*$/, 'must not contain line breaks');
/** Request headers a user configures; their values are secrets (redacted on read). */
export const headersSchema = z.record(headerName, headerValue);

export const shortString = z.string().min(1).max(200);

const bounded = (b: { min: number; max: number }) => z.number().int().min(b.min).max(b.max);

/** A per-webhook (or per-step) override of the retry policy, within its bounds. */
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

/** How a request authenticates: its secrets are redacted on read (redaction.ts). */
export const authSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('basic'),
    username: z.string().min(1).max(200),
    password: z.string().min(1).max(1000),
  }),
  z.object({ type: z.literal('bearer'), token: z.string().min(1).max(4096) }),
]);
export type Auth = z.infer<typeof authSchema>;
