import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/**
 * Whether a presented token is the expected one, in constant time: fixed-length digests are compared, so
 * neither the content nor the length of a token leaks through timing.
 */
export const sameSecret = (presented: string, expected: string): boolean =>
  timingSafeEqual(digest(presented), digest(expected));

/** The token of an `Authorization: Bearer <token>` header (the scheme's name in any case, RFC 7235). */
export const bearerToken = (authorization: string | undefined): string | undefined =>
  /^bearer +(\S+) *$/i.exec(authorization ?? '')?.[1];
