import { z } from 'zod';

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
