import { TRPCError } from '@trpc/server';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import {
  type DomainError,
  InvalidCursorError,
  InvalidInputError,
  InvalidTemplateError,
  NotFoundError,
  PayloadTooLargeError,
  QuotaExceededError,
  TemplateRenderError,
  UnauthorizedError,
} from '../shared/errors';

/** The one place where what the domain throws becomes a tRPC code, and so an HTTP status (as outpost's error handler). */
const CODES: [abstract new (...args: never[]) => DomainError, TRPCError['code']][] = [
  [NotFoundError, 'NOT_FOUND'],
  [QuotaExceededError, 'FORBIDDEN'],
  [PayloadTooLargeError, 'PAYLOAD_TOO_LARGE'],
  [UnauthorizedError, 'UNAUTHORIZED'],
  [InvalidInputError, 'BAD_REQUEST'],
  [InvalidTemplateError, 'BAD_REQUEST'],
  [TemplateRenderError, 'BAD_REQUEST'],
  [InvalidCursorError, 'BAD_REQUEST'],
];

export const codeOf = (err: DomainError): TRPCError['code'] =>
  CODES.find(([type]) => err instanceof type)?.[1] ?? 'BAD_REQUEST';

export const toTRPCError = (err: DomainError) => new TRPCError({ code: codeOf(err), message: err.message, cause: err });

/** For the plain HTTP routes: the status and body a domain error answers with. */
export function httpErrorOf(err: DomainError) {
  const trpc = toTRPCError(err);
  return { status: getHTTPStatusCodeFromError(trpc), body: { error: trpc.code.toLowerCase(), message: err.message } };
}
