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
import {
  createWebhookInput,
  listWebhooksInput,
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

  trigger: authedProcedure.input(triggerWebhookInput).mutation(({ ctx, input }) => triggerWebhook(ctx.outbound, input)),
});
