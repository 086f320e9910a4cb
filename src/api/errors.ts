import { TRPCError } from '@trpc/server';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import type { ExpectedError } from '../shared/errors';

/**
 * The one place where what the domain throws becomes a tRPC code, and so an HTTP status (as outpost's error
 * handler): a kind of error without a code here does not compile.
 */
const CODES: Record<ExpectedError['kind'], TRPCError['code']> = {
  not_found: 'NOT_FOUND',
  quota_exceeded: 'FORBIDDEN',
  payload_too_large: 'PAYLOAD_TOO_LARGE',
  unauthorized: 'UNAUTHORIZED',
  invalid_input: 'BAD_REQUEST',
  invalid_template: 'BAD_REQUEST',
  template_render: 'BAD_REQUEST',
  invalid_cursor: 'BAD_REQUEST',
  busy: 'SERVICE_UNAVAILABLE',
};

export const toTRPCError = (err: ExpectedError) =>
  new TRPCError({ code: CODES[err.kind], message: err.message, cause: err });

/** For the plain HTTP routes: the status and body an expected error answers with. */
export function httpErrorOf(err: ExpectedError) {
  const trpc = toTRPCError(err);
  return { status: getHTTPStatusCodeFromError(trpc), body: { error: trpc.code.toLowerCase(), message: err.message } };
}
