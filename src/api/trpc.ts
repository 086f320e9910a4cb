import { createHash, timingSafeEqual } from 'node:crypto';
import { initTRPC, TRPCError } from '@trpc/server';
import type { Client } from '@temporalio/client';
import { ZodError, z } from 'zod';
import type { Config } from '../config';
import type { Database } from '../db/mongo';
import type { Logger } from '../logger';

export interface ApiDeps {
  config: Config;
  db: Database;
  temporal: Client;
  logger: Logger;
  /**
   * The client shares the NativeConnection of a worker in this process (ROLE=all): a workflow's first task
   * may then be handed to that worker in the start's answer (eager workflow start), skipping a round trip.
   */
  eagerStart?: boolean;
}

export interface Context {
  deps: ApiDeps;
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

export const authedProcedure = t.procedure.use(({ ctx, next }) => {
  const match = /^Bearer (.+)$/.exec(ctx.authorization ?? '');
  if (!match?.[1] || !tokenAccepted(match[1], ctx.deps.config.API_TOKENS)) {
    throw new TRPCError({ code: 'UNAUTHORIZED', message: 'a valid Authorization: Bearer <token> is required' });
  }
  return next({ ctx: { deps: ctx.deps } });
});
