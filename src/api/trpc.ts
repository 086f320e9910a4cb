import { initTRPC, TRPCError } from '@trpc/server';
import type { Client } from '@temporalio/client';
import { ZodError, z } from 'zod';
import type { Config } from '../config';
import type { AppDatabase } from '../database';
import type { OutboundDeps } from '../outbound/deps';
import type { InboundDeps } from '../inbound/deps';
import { type FieldIssue, InvalidInputError, isExpectedError } from '../shared/errors';
import type { Logger } from '../shared/logger';
import type { LiquidSandbox } from '../shared/templates/liquid';
import { toTRPCError } from './errors';
import { errorIdOf, INTERNAL_MESSAGE } from './error-id';
import { bearerToken, sameSecret } from '../shared/secrets';
import { inSpan, SpanKind, SpanStatusCode } from '../shared/tracing';

export interface ApiDeps {
  config: Config;
  db: AppDatabase;
  temporal: Client;
  logger: Logger;
  /** Where flow templates render (one per process). */
  liquid: LiquidSandbox;
  /** Starts workflows eagerly on a worker of this process (see OutboundDeps). */
  eagerStart?: boolean;
  /** The process's one (main.ts), shared with its worker; the API builds its own when it runs alone. */
  outbound?: OutboundDeps;
}

export interface Context {
  deps: ApiDeps;
  outbound: OutboundDeps;
  inbound: InboundDeps;
  authorization?: string;
}

const t = initTRPC.context<Context>().create({
  // No transformer: plain JSON, so that a client in any language can call the API.
  errorFormatter({ shape, error }) {
    const zodError = error.cause instanceof ZodError ? z.flattenError(error.cause) : null;
    const { stack: _stack, ...data } = shape.data;
    // An internal failure's own message may name a database host or a collection: the caller gets a generic
    // message and the id of the log line that holds the rest (server.ts logs it).
    if (error.code === 'INTERNAL_SERVER_ERROR') {
      return { ...shape, message: INTERNAL_MESSAGE, data: { ...data, zodError, errorId: errorIdOf(error) } };
    }
    const message = error.cause instanceof ZodError ? describeZodError(error.cause) : shape.message;
    return { ...shape, message, data: { ...data, zodError, issues: issuesOf(error.cause) } };
  },
});

/**
 * Each problem of the input at its field, from the schema or from a rule of the domain alike, so that a form
 * shows each beside its own field; null for an error that is not about the input.
 */
function issuesOf(cause: unknown): FieldIssue[] | null {
  if (cause instanceof ZodError) return cause.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
  if (cause instanceof InvalidInputError) return cause.issues;
  return null;
}

/** "triggers.0.actions: must name at least one action; url: must be an absolute http(s) URL" */
function describeZodError(err: ZodError): string {
  return err.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; ');
}

/** Each call as a server span ("mutation events.publish"): the root of the trace of what it starts. */
const traced = t.middleware(({ path, type, next }) =>
  inSpan(
    `${type} ${path}`,
    { 'rpc.system': 'trpc', 'rpc.method': path },
    async (span) => {
      const result = await next();
      if (!result.ok) span.setStatus({ code: SpanStatusCode.ERROR, message: result.error.code });
      return result;
    },
    SpanKind.SERVER,
  ),
);

const domainErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && isExpectedError(result.error.cause)) {
    throw toTRPCError(result.error.cause);
  }
  return result;
});

export const router = t.router;

/** Constant-time, and every configured token is checked, so the time taken says nothing of which one matched. */
function tokenAccepted(presented: string, tokens: string[]): boolean {
  let ok = false;
  for (const token of tokens) ok = sameSecret(presented, token) || ok;
  return ok;
}

export const authedProcedure = t.procedure
  .use(traced)
  .use(domainErrors)
  .use(({ ctx, next }) => {
    const presented = bearerToken(ctx.authorization);
    if (!presented || !tokenAccepted(presented, ctx.deps.config.API_TOKENS)) {
      throw new TRPCError({ code: 'UNAUTHORIZED', message: 'a valid Authorization: Bearer <token> is required' });
    }
    return next({ ctx: { deps: ctx.deps, outbound: ctx.outbound, inbound: ctx.inbound } });
  });
