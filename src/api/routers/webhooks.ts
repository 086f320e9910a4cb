import {
  createWebhook,
  deleteWebhook,
  getWebhook,
  listWebhooks,
  rotateSecret,
  testWebhook,
  triggerWebhook,
  updateWebhook,
} from '../../outbound/webhooks/service';
import { previewWebhook } from '../../outbound/webhooks/preview';
import {
  createWebhookInput,
  listWebhooksInput,
  previewWebhookInput,
  triggerWebhookInput,
  updateWebhookInput,
} from '../../outbound/webhooks/schema';
import { byIdInput } from '../../shared/schema';
import { presentPage, presentWebhook } from '../present';
import { authedProcedure, router } from '../trpc';

export const webhooksRouter = router({
  create: authedProcedure
    .input(createWebhookInput)
    .mutation(async ({ ctx, input }) => presentWebhook(await createWebhook(ctx.outbound, input))),

  get: authedProcedure
    .input(byIdInput)
    .query(async ({ ctx, input }) => presentWebhook(await getWebhook(ctx.outbound, input.projectId, input.id))),

  list: authedProcedure
    .input(listWebhooksInput)
    .query(async ({ ctx, input }) => presentPage(await listWebhooks(ctx.outbound, input), presentWebhook)),

  update: authedProcedure
    .input(updateWebhookInput)
    .mutation(async ({ ctx, input }) => presentWebhook(await updateWebhook(ctx.outbound, input))),

  delete: authedProcedure.input(byIdInput).mutation(({ ctx, input }) => deleteWebhook(ctx.outbound, input)),

  secret: authedProcedure.input(byIdInput).query(async ({ ctx, input }) => {
    const { secret } = await getWebhook(ctx.outbound, input.projectId, input.id);
    return { secret };
  }),

  rotateSecret: authedProcedure.input(byIdInput).mutation(({ ctx, input }) => rotateSecret(ctx.outbound, input)),

  test: authedProcedure.input(byIdInput).mutation(({ ctx, input }) => testWebhook(ctx.outbound, input)),

  // A mutation although it changes nothing: a draft's template (up to 100 kB) travels in a POST body, not a URL.
  preview: authedProcedure.input(previewWebhookInput).mutation(({ ctx, input }) => previewWebhook(ctx.outbound, input)),

  trigger: authedProcedure.input(triggerWebhookInput).mutation(({ ctx, input }) => triggerWebhook(ctx.outbound, input)),
});
