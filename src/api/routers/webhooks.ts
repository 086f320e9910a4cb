import { TRPCError } from '@trpc/server';
import type { WebhookDoc } from '../../db/models';
import { findOwned } from '../../db/owned';
import { findPage } from '../../db/pagination';
import { generateSecret } from '../../delivery/signature';
import { targetUrlProblem } from '../../delivery/target-policy';
import { defaultBody, renderBody, sampleEvent } from '../../events/body';
import { deliver } from '../../events/deliver';
import { checkPayloadTemplate, TemplateError } from '../../events/payload-template';
import { newId, deliveryIdFor } from '../../ids';
import { insertWithinQuota } from '../../webhooks/quota';
import { REDACTED } from '../../logger';
import { presentWebhook } from '../present';
import {
  byIdInput,
  createWebhookInput,
  listWebhooksInput,
  triggerWebhookInput,
  updateWebhookInput,
  type CreateWebhookInput,
} from '../schemas';
import { authedProcedure, router, type ApiDeps } from '../trpc';

/** After a rotation the previous secret still signs (beside the new one) for this long. */
const PREVIOUS_SECRET_TTL_MS = 24 * 60 * 60 * 1000;

const badRequest = (message: string) => new TRPCError({ code: 'BAD_REQUEST', message });
const notFound = (id: string) => new TRPCError({ code: 'NOT_FOUND', message: `webhook ${id} not found` });

/** The checks zod cannot make alone: the target policy of this deployment, and the template's output. */
function checkWebhook(deps: ApiDeps, w: Pick<CreateWebhookInput, 'url' | 'payloadTemplate' | 'contentType'>): void {
  const problems: string[] = [];
  const urlProblem = targetUrlProblem(w.url, deps.config.ALLOW_PRIVATE_TARGETS);
  if (urlProblem) problems.push(`url: ${urlProblem}`);
  if (w.payloadTemplate) {
    try {
      checkPayloadTemplate(w.payloadTemplate, w.contentType, defaultBody('wh_sample', sampleEvent()));
    } catch (err) {
      if (!(err instanceof TemplateError)) throw err;
      problems.push(`payloadTemplate: ${err.message}`);
    }
  }
  if (problems.length) throw badRequest(problems.join('; '));
}

async function findWebhook(deps: ApiDeps, projectId: string, id: string): Promise<WebhookDoc> {
  const webhook = await findOwned(deps.db.models.Webhook, projectId, id);
  if (!webhook) throw notFound(id);
  return webhook;
}

/** A client that read a webhook and sends it back keeps the secrets it was shown only as `[redacted]`. */
function keepRedacted(
  stored: WebhookDoc,
  headers: Record<string, string> | undefined,
  auth: CreateWebhookInput['auth'] | null | undefined,
) {
  const storedHeaders = (stored.headers ?? {}) as Record<string, string>;
  const storedAuth = stored.auth as CreateWebhookInput['auth'];
  const mergedHeaders =
    headers &&
    Object.fromEntries(
      Object.entries(headers).map(([k, v]) => [k, v === REDACTED && k in storedHeaders ? storedHeaders[k]! : v]),
    );
  let mergedAuth = auth;
  if (auth?.type === 'basic' && auth.password === REDACTED && storedAuth?.type === 'basic')
    mergedAuth = { ...auth, password: storedAuth.password };
  if (auth?.type === 'bearer' && auth.token === REDACTED && storedAuth?.type === 'bearer')
    mergedAuth = { ...auth, token: storedAuth.token };
  return { headers: mergedHeaders, auth: mergedAuth };
}

export const webhooksRouter = router({
  create: authedProcedure.input(createWebhookInput).mutation(async ({ ctx, input }) => {
    checkWebhook(ctx.deps, input);
    const { Webhook } = ctx.deps.db.models;
    const doc = await insertWithinQuota(
      ctx.deps.db.models,
      input.projectId,
      ctx.deps.config.MAX_WEBHOOKS_PER_PROJECT,
      (slot) => Webhook.create({ _id: newId('wh'), secret: generateSecret(), slot, ...input }),
    );
    return presentWebhook(doc.toObject());
  }),

  get: authedProcedure
    .input(byIdInput)
    .query(async ({ ctx, input }) => presentWebhook(await findWebhook(ctx.deps, input.projectId, input.id))),

  list: authedProcedure.input(listWebhooksInput).query(async ({ ctx, input }) => {
    const page = await findPage(ctx.deps.db.models.Webhook, { projectId: input.projectId }, input);
    return { items: page.items.map(presentWebhook), nextCursor: page.nextCursor };
  }),

  update: authedProcedure.input(updateWebhookInput).mutation(async ({ ctx, input }) => {
    const { projectId, id, ...changes } = input;
    const stored = await findWebhook(ctx.deps, projectId, id);
    const { headers, auth } = keepRedacted(stored, changes.headers, changes.auth);
    const next = {
      url: changes.url ?? stored.url,
      contentType: changes.contentType ?? stored.contentType,
      payloadTemplate: changes.payloadTemplate === undefined ? stored.payloadTemplate : changes.payloadTemplate,
    };
    checkWebhook(ctx.deps, { ...next, payloadTemplate: next.payloadTemplate ?? undefined });

    const $set: Record<string, unknown> = {};
    const $unset: Record<string, 1> = {};
    for (const [key, value] of Object.entries({ ...changes, headers, auth })) {
      if (value === undefined) continue;
      if (value === null) $unset[key] = 1;
      else $set[key] = value;
    }
    // Re-enabling clears the reason it was disabled for (a 410 Gone, say).
    if (changes.enabled === true) $unset.disabledReason = 1;
    const updated = await ctx.deps.db.models.Webhook.findOneAndUpdate(
      { _id: stored._id },
      { $set, ...(Object.keys($unset).length ? { $unset } : {}) },
      { returnDocument: 'after' },
    ).lean();
    if (!updated) throw notFound(id);
    return presentWebhook(updated);
  }),

  delete: authedProcedure.input(byIdInput).mutation(async ({ ctx, input }) => {
    const webhook = await findWebhook(ctx.deps, input.projectId, input.id);
    const { deletedCount } = await ctx.deps.db.models.Webhook.deleteOne({ _id: webhook._id });
    if (!deletedCount) throw notFound(input.id);
    return { id: input.id, deleted: true };
  }),

  secret: authedProcedure.input(byIdInput).query(async ({ ctx, input }) => {
    const webhook = await findWebhook(ctx.deps, input.projectId, input.id);
    return { secret: webhook.secret };
  }),

  rotateSecret: authedProcedure.input(byIdInput).mutation(async ({ ctx, input }) => {
    const webhook = await findWebhook(ctx.deps, input.projectId, input.id);
    const secret = generateSecret();
    await ctx.deps.db.models.Webhook.updateOne(
      { _id: webhook._id },
      {
        $set: {
          secret,
          previousSecret: webhook.secret,
          previousSecretExpiresAt: new Date(Date.now() + PREVIOUS_SECRET_TTL_MS),
        },
      },
    );
    return { secret };
  }),

  test: authedProcedure.input(byIdInput).mutation(async ({ ctx, input }) => {
    const webhook = await findWebhook(ctx.deps, input.projectId, input.id);
    const event = sampleEvent({ eventId: newId('evt'), occurredAt: new Date().toISOString() });
    const body = renderBody(webhook, event, ctx.deps.config.MAX_PAYLOAD_BYTES);
    return deliver(ctx.deps, webhook, event, newId('dlv'), body);
  }),

  trigger: authedProcedure.input(triggerWebhookInput).mutation(async ({ ctx, input }) => {
    const webhook = await findWebhook(ctx.deps, input.projectId, input.id);
    if (!webhook.triggers.some((t) => (t.actions as string[]).includes('custom'))) {
      throw badRequest(`id: webhook ${webhook._id} has no trigger with the 'custom' action`);
    }
    if (!webhook.enabled) throw badRequest(`id: webhook ${webhook._id} is disabled`);
    const event = {
      eventId: newId('evt'),
      entityType: input.entityType,
      action: 'custom',
      contentType: input.contentType,
      entity: input.entity,
      ref: input.ref,
      occurredAt: new Date().toISOString(),
    };
    const body = renderBody(webhook, event, ctx.deps.config.MAX_PAYLOAD_BYTES);
    const delivery = await deliver(
      ctx.deps,
      webhook,
      event,
      deliveryIdFor(input.projectId, event.eventId, webhook._id),
      body,
    );
    return { eventId: event.eventId, deliveries: [delivery] };
  }),
});
