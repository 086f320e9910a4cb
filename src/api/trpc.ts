import { createHash, timingSafeEqual } from 'node:crypto';
import { initTRPC, TRPCError } from '@trpc/server';
import type { Client } from '@temporalio/client';
import { ZodError, z } from 'zod';
import type { Config } from '../config';
import type { AppDatabase } from '../database';
import type { OutboundDeps } from '../outbound/deps';
import {
  DomainError,
  InvalidCursorError,
  InvalidInputError,
  InvalidTemplateError,
  NotFoundError,
  PayloadTooLargeError,
  QuotaExceededError,
} from '../shared/errors';
import type { Logger } from '../shared/logger';

export interface ApiDeps {
  config: Config;
  db: AppDatabase;
  temporal: Client;
  logger: Logger;
  /** Starts workflows eagerly on a worker of this process (see OutboundDeps). */
  eagerStart?: boolean;
}

export interface Context {
  deps: ApiDeps;
  outbound: OutboundDeps;
  authorization?: string;
}

const t = initTRPC.context<Context>().create({
  // No transformer: plain JSON, so that a client in any language can call the API.
  errorFormatter({ shape, error }) {
    const zodError = error.cause instanceof ZodError ? z.flattenError(error.cause) : null;
    const message = error.cause instanceof ZodError ? describeZodError(error.cause) : shape.message;
    const { stack: _stack, ...data } = shape.data;
    return { ...shape, message, data: { ...data, zodError } };
  },
});

/** "triggers.0.actions: must name at least one action; url: must be an absolute http(s) URL" */
function describeZodError(err: ZodError): string {
  return err.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; ');
}

/** The one place where what the domain throws becomes a tRPC code (and so an HTTP status). */
const CODES: [abstract new (...args: never[]) => DomainError, TRPCError['code']][] = [
  [NotFoundError, 'NOT_FOUND'],
  [QuotaExceededError, 'FORBIDDEN'],
  [PayloadTooLargeError, 'PAYLOAD_TOO_LARGE'],
  [InvalidInputError, 'BAD_REQUEST'],
  [InvalidTemplateError, 'BAD_REQUEST'],
  [InvalidCursorError, 'BAD_REQUEST'],
];
const codeOf = (err: DomainError): TRPCError['code'] =>
  CODES.find(([type]) => err instanceof type)?.[1] ?? 'BAD_REQUEST';

const domainErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && result.error.cause instanceof DomainError) {
    const cause = result.error.cause;
    throw new TRPCError({ code: codeOf(cause), message: cause.message, cause });
  }
  return result;
});

export const router = t.router;

function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

/** Constant-time: compares fixed-length digests, and checks every configured token. */
function tokenAccepted(presented: string, tokens: string[]): boolean {
  const p = digest(presented);
  let ok = false;
  for (const token of tokens) ok = timingSafeEqual(p, digest(token)) || ok;
  return ok;
}

export const authedProcedure = t.procedure.use(domainErrors).use(({ ctx, next }) => {
  const match = /^Bearer (.+)$/.exec(ctx.authorization ?? '');
  if (!match?.[1] || !tokenAccepted(match[1], ctx.deps.config.API_TOKENS)) {
    throw new TRPCError({ code: 'UNAUTHORIZED', message: 'a valid Authorization: Bearer <token> is required' });
  }
  return next({ ctx: { deps: ctx.deps, outbound: ctx.outbound } });
});
