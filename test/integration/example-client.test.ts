import { Webhook as StandardWebhook } from 'standardwebhooks';
import { runExample } from '../../examples/cms-backend';
import { startReceiver, type Receiver } from '../helpers/receiver';
import { startStack, TEST_TOKEN, type Stack } from '../helpers/stack';

/** The example a CMS team copies runs, as written, against the real stack. */
describe('examples/cms-backend.ts', () => {
  let stack: Stack;
  let receiver: Receiver;
  beforeAll(async () => {
    [stack, receiver] = await Promise.all([startStack(), startReceiver()]);
  });
  afterAll(async () => {
    await receiver?.close();
    await stack?.stop();
  });

  it('creates a webhook, publishes an event, and the receiver verifies what arrives', async () => {
    const result = await runExample({ url: stack.url, token: TEST_TOKEN, receiverUrl: `${receiver.url}/shop` });
    expect(result.published.deliveries).toHaveLength(1);
    expect(result.badRequest).toMatch(/^BAD_REQUEST: .*name:.*url:/);

    await receiver.waitFor(1);
    const req = receiver.requests[0]!;
    expect(req.headers['x-shop-key']).toBe('shop-secret');
    const body = new StandardWebhook(result.secret).verify(req.body, {
      'webhook-id': String(req.headers['webhook-id']),
      'webhook-timestamp': String(req.headers['webhook-timestamp']),
      'webhook-signature': String(req.headers['webhook-signature']),
    });
    expect(body).toMatchObject({
      eventId: 'product-399121-v2',
      action: 'update',
      contentTypeName: 'product',
      payload: { id: 'product-399121' },
    });

    // Publishing the same change again (same eventId, say after a timeout) delivers nothing twice.
    await stack.temporal.workflow.getHandle(result.published.deliveries[0]!.workflowId).result();
    const again = await stack.api.events.publish.mutate({
      projectId: 'my-cms-space',
      eventId: 'product-399121-v2',
      entityType: 'record',
      action: 'update',
      contentType: 'product',
      entity: { id: 'product-399121' },
    });
    expect(again).toEqual(result.published);
    expect(receiver.requests).toHaveLength(1);
  });
});
