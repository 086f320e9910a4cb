/**
 * How secrets are kept out of sight: in API answers, in the execution log and in log lines. Every rule of
 * it is here, so that a new kind of secret is added once.
 */
import { InvalidInputError } from './errors';
import type { Auth } from './schema';

export const REDACTED = '[redacted]';

/** The log-line paths (pino's redact) that may hold a secret, wherever they appear in a logged object. */
export const redactPaths = [
  'authorization',
  'headers',
  '*.headers',
  '*.*.headers',
  'auth',
  '*.auth',
  'secret',
  '*.secret',
  'token',
  '*.token',
  'password',
  '*.password',
  'API_TOKENS',
  'TEMPORAL_API_KEY',
];

/** Every header value redacted, names kept: what a client is shown of headers it configured. */
export const redactValues = (headers: Record<string, string> | undefined): Record<string, string> =>
  Object.fromEntries(Object.keys(headers ?? {}).map((k) => [k, REDACTED]));

/** Headers as sent, with every value redacted but those named in `visible` (lower case). */
export function redactHeadersExcept(headers: Record<string, string>, visible: ReadonlySet<string>) {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, visible.has(k.toLowerCase()) ? v : REDACTED]));
}

export function redactAuth(auth: Auth | undefined | null) {
  if (!auth) return null;
  return auth.type === 'basic'
    ? { type: 'basic' as const, username: auth.username, password: REDACTED }
    : { type: 'bearer' as const, token: REDACTED };
}

/** `[redacted]` sent where nothing is stored: the client meant a secret it never had, which is not sent on. */
const nothingKept = (field: string) =>
  InvalidInputError.field(field, `'${REDACTED}' keeps a stored value, and none is stored here`);

/**
 * A client that read a record and sends it back has seen its secrets only as `[redacted]`: those values
 * keep what is stored, and every other value is taken as sent. `field` names the headers in an error.
 */
export function keepRedactedHeaders(
  sent: Record<string, string> | undefined,
  stored: Record<string, string> | undefined,
  field: string,
): Record<string, string> | undefined {
  if (!sent) return sent;
  const kept = stored ?? {};
  return Object.fromEntries(
    Object.entries(sent).map(([k, v]) => {
      const value = v !== REDACTED ? v : Object.hasOwn(kept, k) ? kept[k] : undefined;
      if (value === undefined) throw nothingKept(`${field}.${k}`);
      return [k, value];
    }),
  );
}

export function keepRedactedAuth<A extends Auth | null | undefined>(sent: A, stored: Auth | undefined): A {
  if (sent?.type === 'basic' && sent.password === REDACTED) {
    if (stored?.type !== 'basic') throw nothingKept('auth.password');
    return { ...sent, password: stored.password };
  }
  if (sent?.type === 'bearer' && sent.token === REDACTED) {
    if (stored?.type !== 'bearer') throw nothingKept('auth.token');
    return { ...sent, token: stored.token };
  }
  return sent;
}
