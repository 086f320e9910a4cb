import { createHash } from 'node:crypto';

/** An endpoint is a target's origin: every path on one host and port shares its limits and its fairness key. */
export const endpointOf = (url: string): string => new URL(url).origin;

/** Temporal's fairness keys are at most 64 bytes: a long origin is keyed by its digest. */
export function fairnessKeyOf(url: string): string {
  const endpoint = endpointOf(url);
  return Buffer.byteLength(endpoint) <= 64
    ? endpoint
    : `sha256:${createHash('sha256').update(endpoint).digest('hex').slice(0, 48)}`;
}
