import { TRPCError } from '@trpc/server';
import { generateSecret } from '../../delivery/signature';
import { findPage } from '../../db/pagination';
import { newId } from '../../ids';
import { presentWebhook } from '../present';
import { byIdInput, createWebhookInput, listWebhooksInput } from '../schemas';
import { authedProcedure, router } from '../trpc';

export const webhooksRouter = router({
  create: authedProcedure.input(createWebhookInput).mutation(async ({ ctx, input }) => {
    const { Webhook } = ctx.deps.db.models;
    const limit = ctx.deps.config.MAX_WEBHOOKS_PER_PROJECT;
    if ((await Webhook.countDocuments({ projectId: input.projectId })) >= limit) {
      throw new TRPCError({ code: 'FORBIDDEN', message: `MAX_WEBHOOKS_PER_PROJECT: a project holds at most ${limit} webhooks` });
    }
    const doc = await Webhook.create({ _id: newId('wh'), secret: generateSecret(), ...input });
    return presentWebhook(doc.toObject());
  }),

  get: authedProcedure.input(byIdInput).query(async ({ ctx, input }) => {
    const webhook = await ctx.deps.db.models.Webhook.findOne({ _id: input.id, projectId: input.projectId }).lean();
    if (!webhook) throw new TRPCError({ code: 'NOT_FOUND', message: `webhook ${input.id} not found` });
    return presentWebhook(webhook);
  }),

  list: authedProcedure.input(listWebhooksInput).query(async ({ ctx, input }) => {
    const page = await findPage(ctx.deps.db.models.Webhook, { projectId: input.projectId }, input);
    return { items: page.items.map(presentWebhook), nextCursor: page.nextCursor };
  }),
});
