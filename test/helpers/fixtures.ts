import net from 'node:net';
import type { AddressInfo } from 'node:net';
import type { AppDatabase } from '../../src/database';
import { newId, seqKey } from '../../src/shared/ids';
import { effectiveRetryPolicy, type RetrySettings } from '../../src/shared/workflow/retry-policy';
import { generateSecret } from '../../src/shared/signature';
import type { DeliveryInput } from '../../src/outbound/workflow/types';

/**
 * A webhook and a pending delivery to it, stored as the API stores them, for workflow tests; with `webhookId`,
 * another delivery to that webhook (its endpoint).
 */
export async function storeDelivery(
  db: AppDatabase,
  url: string,
  retry: Partial<RetrySettings> = {},
  opts: { webhookId?: string } = {},
) {
  const webhookId = opts.webhookId ?? newId('wh');
  if (!opts.webhookId)
    await db.models.Webhook.create({
      _id: webhookId,
      projectId: 'proj',
      name: 'under test',
      url,
      triggers: [{ entityType: 'record', actions: ['create'] }],
      secret: generateSecret(),
      slot: Math.floor(Math.random() * 1e9),
    });
  const deliveryId = newId('dlv');
  const body = JSON.stringify({ webhookId, eventId: 'evt', action: 'create', payload: { id: 'r1' } });
  await db.models.Delivery.create({
    _id: deliveryId,
    projectId: 'proj',
    webhookId,
    eventId: 'evt',
    workflowId: `delivery-${deliveryId}`,
    action: 'create',
    entityType: 'record',
    body,
    seq: seqKey(new Date(), deliveryId),
  });
  const input: DeliveryInput & { body: string } = {
    deliveryId,
    projectId: 'proj',
    webhookId,
    body,
    contentType: 'application/json',
    retry: effectiveRetryPolicy(retry),
  };
  return { webhookId, deliveryId, input };
}

/** A TCP server on 127.0.0.1 that answers every connection with bytes that are not HTTP. */
export async function startGarbageServer() {
  let connections = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.end('SSH-2.0-OpenSSH_9.6\r\n\r\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Locoia's response template from the seed (a Jinja-like `if` over a step's result), as flows use it. */
export const SEED_RESPONSE_TEMPLATE = `{
"valid":
{% if res1.value == "myResult" %}
"{{ res1.value }}"
{% else %}
false
{% endif %}
}`;
