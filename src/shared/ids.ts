import { createHash, randomBytes } from 'node:crypto';

/**
 * Ids are prefixed by kind, like Stripe's and Svix's, so that a support ticket's id says what it is
 * (`wh_`, `dlv_`, `evt_`, `flow_`, `run_` …). Random ids start with the time so that they sort roughly by creation.
 */
export function newId(prefix: string): string {
  return `${prefix}_${Date.now().toString(36).padStart(9, '0')}${randomBytes(10).toString('hex')}`;
}

/**
 * An id that the same parts always give: what makes a repeated or concurrent request find the record the
 * first one made (by `_id`, the one look-up every database serves from an index).
 */
export function derivedId(prefix: string, ...parts: string[]): string {
  return `${prefix}_${createHash('sha256').update(JSON.stringify(parts)).digest('base64url').slice(0, 32)}`;
}

/**
 * A record's place in time-ordered lists when its `_id` is derived (not time-ordered): its creation time, then
 * its id, so that keys never tie. Only characters that every database orders as it orders the text.
 */
export const seqKey = (at: Date, id: string): string => `${at.getTime().toString(36).padStart(9, '0')}~${id}`;
