/**
 * A CMS backend talking to Hookline, typed end to end. Copy it into your CMS:
 *   npm i @trpc/client   (and import the AppRouter type from Hookline's src/api/router)
 *
 * Run it against `npm run dev` (delivers to RECEIVER_URL, for instance a request bin you run locally):
 *   HOOKLINE_URL=http://127.0.0.1:3000 HOOKLINE_TOKEN=dev-token RECEIVER_URL=http://127.0.0.1:4000/hook \
 *     npx tsx examples/cms-backend.ts
 */
import { createTRPCClient, httpBatchLink, TRPCClientError } from '@trpc/client';
import type { AppRouter } from '../src/api/router';

export function hooklineClient(url: string, token: string) {
  return createTRPCClient<AppRouter>({
    links: [httpBatchLink({ url: `${url}/trpc`, headers: () => ({ authorization: `Bearer ${token}` }) })],
  });
}

export async function runExample(opts: { url: string; token: string; receiverUrl: string; projectId?: string }) {
  const hookline = hooklineClient(opts.url, opts.token);
  const projectId = opts.projectId ?? 'my-cms-space';

  // 1. Once, when a user configures an integration: a webhook for product changes.
  const webhook = await hookline.webhooks.create.mutate({
    projectId,
    name: 'Rebuild the shop',
    url: opts.receiverUrl,
    triggers: [{ entityType: 'record', actions: ['create', 'update', 'delete'], contentTypes: ['product'] }],
    headers: { 'x-shop-key': 'shop-secret' },
  });
  // The receiver verifies requests with this (any Standard Webhooks library).
  const { secret } = await hookline.webhooks.secret.query({ projectId, id: webhook.id });

  // 2. Whenever content changes: publish the event. Use your own change id as eventId so that a retry of
  //    this call after a timeout cannot deliver twice.
  const published = await hookline.events.publish.mutate({
    projectId,
    eventId: `product-399121-v2`,
    entityType: 'record',
    action: 'update',
    contentType: 'product',
    entity: { id: 'product-399121', name: 'Premium pack', price: 500 },
    ref: '/api/v1/content/product/product-399121/version/2',
  });

  // 3. Later, in an activity log screen: how did it go?
  const deliveries = await hookline.deliveries.list.query({ projectId, webhookId: webhook.id });
  const logs = await hookline.logs.list.query({ projectId, webhookId: webhook.id, limit: 10 });

  // Errors are typed: a bad input is BAD_REQUEST, naming the field.
  let badRequest = '';
  try {
    await hookline.webhooks.create.mutate({ projectId, name: '', url: 'not a url', triggers: [] });
  } catch (err) {
    if (err instanceof TRPCClientError) badRequest = `${err.data?.code}: ${err.message}`;
  }

  return { webhook, secret, published, deliveries, logs, badRequest };
}

if (require.main === module) {
  const env = process.env;
  runExample({
    url: env.HOOKLINE_URL ?? 'http://127.0.0.1:3000',
    token: env.HOOKLINE_TOKEN ?? 'dev-token',
    receiverUrl: env.RECEIVER_URL ?? 'http://127.0.0.1:4000/hook',
  })
    .then((r) =>
      console.log(JSON.stringify({ webhook: r.webhook.id, event: r.published, badRequest: r.badRequest }, null, 2)),
    )
    .catch((err) => {
      console.error(err);
      process.exit(1);
    });
}
