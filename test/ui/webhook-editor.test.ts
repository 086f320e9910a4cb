import type { Page } from 'playwright-core';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { openBrowser, type OpenBrowser } from '../helpers/browser';
import { startReceiver, type ReceivedRequest, type Receiver } from '../helpers/receiver';
import { startStack, type Stack } from '../helpers/stack';
import { waitForFound } from '../helpers/wait';

/**
 * A person managing webhooks on /ui alone, in a real headless Chromium against the real API and worker: create one
 * while watching its payload preview, see a refused save's errors at their fields with nothing stored, edit it
 * (secrets never shown, kept), rotate its secret, fire its custom action, delete it; recover what a receiver
 * outage missed and watch the recovery reach done.
 */
describe('the activity page: managing webhooks', () => {
  let stack: Stack;
  let browser: OpenBrowser;
  let page: Page;
  let receiver: Receiver;
  let failing = false;

  beforeAll(async () => {
    // A failed delivery ends after its first attempt here, and circuits never pause the outage test's endpoint.
    stack = await startStack({ CIRCUIT_FAILURE_THRESHOLD: '1000' });
    receiver = await startReceiver((_, req) =>
      req.path.startsWith('/slow') ? 'hang' : failing ? { status: 503, body: 'down for maintenance' } : { status: 200 },
    );
    browser = await openBrowser(stack.url);
    page = browser.page;
  });
  afterAll(async () => {
    await browser?.browser.close();
    await receiver?.close();
    await stack?.stop();
  });

  const bodyOf = (r: ReceivedRequest): Record<string, unknown> => JSON.parse(r.body) as Record<string, unknown>;
  const verifies = (secret: string, r: ReceivedRequest) => {
    try {
      new StandardWebhook(secret).verify(r.body, {
        'webhook-id': String(r.headers['webhook-id']),
        'webhook-timestamp': String(r.headers['webhook-timestamp']),
        'webhook-signature': String(r.headers['webhook-signature']),
      });
      return true;
    } catch {
      return false;
    }
  };
  /** The request that delivered `deliveryId` (its webhook-id), once it arrived. */
  const received = (deliveryId: string) =>
    waitForFound(
      `delivery ${deliveryId}`,
      () => receiver.requests.find((r) => r.headers['webhook-id'] === deliveryId),
      {
        timeoutMs: 30_000,
      },
    );
  const field = (id: string) => page.locator(`#${id}`);

  it('creates a webhook with a template while watching the preview, edits it, rotates its secret, fires its custom action and deletes it', async () => {
    const project = 'ui-editor';
    // A real event of the project, published before any webhook: the preview renders over it.
    const { eventId } = await stack.api.events.publish.mutate({
      projectId: project,
      entityType: 'record',
      action: 'publish',
      contentType: 'article',
      entity: { id: 'a-1', title: 'Hello "world"' },
    });
    await browser.signIn(project);
    await page.getByText('No webhooks in this project yet').waitFor();
    await page.getByRole('button', { name: 'New webhook' }).click();
    await page.getByRole('heading', { name: 'New webhook' }).waitFor();

    await page.getByLabel('Name', { exact: true }).fill('Blog');
    await page.getByLabel('URL').fill('ftp://example.com/hook');
    await page.getByLabel('Content types', { exact: true }).fill('article');
    await page.getByRole('checkbox', { name: 'custom' }).check();
    // The preview follows the template as it is typed, over the project's newest matching event.
    const template = page.getByLabel('Payload template (Mustache)');
    // A template that does not parse says where, in the preview, as it is typed.
    await template.fill('{\n  "title": "{{payload.title}}",\n  "action": "{{action}"\n}');
    await page
      .locator('#preview-problem')
      .filter({ hasText: /payloadTemplate: .* at line \d+, column \d+/ })
      .waitFor();
    await template.fill('{"title": "{{payload.title}}", "action": "{{action}}"}');
    const previewBody = page.getByLabel('Preview body');
    await previewBody.filter({ hasText: '"title": "Hello \\"world\\""' }).waitFor();
    expect(await page.locator('#preview-event').innerText()).toContain(eventId);
    await page.getByRole('button', { name: 'Add header' }).click();
    await page.getByLabel('Header 1 name').fill('x-blog-key');
    await page.getByLabel('Header 1 value').fill('blog-secret-1');
    await page.getByLabel('Authentication').selectOption('bearer');
    await page.getByLabel('Token', { exact: true }).fill('tok-123');
    await page.getByLabel('Maximum attempts').fill('99');
    // The preview shows the headers a delivery sends, every secret redacted.
    await page.locator('.preview').filter({ hasText: 'x-blog-key' }).waitFor();
    const preview = await page.locator('.preview').innerText();
    expect(preview).not.toContain('blog-secret-1');
    expect(preview).not.toContain('tok-123');
    await browser.shot('editor');

    // Refused: each problem beside its own field, the first one focused, nothing stored.
    await page.getByRole('button', { name: 'Create webhook' }).click();
    await page.getByRole('alert').filter({ hasText: 'Not saved' }).waitFor();
    expect(await field('wh-url').getAttribute('aria-invalid')).toBe('true');
    expect(await field('wh-url-error').innerText()).toMatch(/http/);
    expect(await field('wh-retryPolicy-maximumAttempts-error').innerText()).toMatch(/25/);
    expect(await page.evaluate('document.activeElement.id')).toBe('wh-url');
    expect(await stack.db.models.Webhook.countDocuments({ projectId: project })).toBe(0);

    await page.getByLabel('URL').fill(`${receiver.url}/blog`);
    await page.getByLabel('Maximum attempts').fill('3');
    await page.getByRole('button', { name: 'Create webhook' }).click();
    // The signing secret, shown once, with "Copy".
    const dialog = page.getByRole('dialog', { name: /Webhook Blog created/ });
    await dialog.waitFor();
    const secret = await dialog.getByLabel('Signing secret').innerText();
    const [created] = (await stack.api.webhooks.list.query({ projectId: project })).items;
    expect(created).toMatchObject({ name: 'Blog', url: `${receiver.url}/blog`, retryPolicy: { maximumAttempts: 3 } });
    expect(secret).toBe((await stack.api.webhooks.secret.query({ projectId: project, id: created!.id })).secret);
    await dialog.getByRole('button', { name: 'Copy secret' }).click();
    await dialog
      .getByRole('status')
      .filter({ hasText: /Copied|Selected/ })
      .waitFor();
    await dialog.getByRole('button', { name: 'Done' }).click();
    await page.getByRole('heading', { name: 'Blog', exact: true }).waitFor();
    await page.getByRole('status').filter({ hasText: 'Webhook Blog created' }).waitFor();

    // What the CMS publishes now arrives as previewed, signed with the secret the page showed.
    const first = await stack.api.events.publish.mutate({
      projectId: project,
      entityType: 'record',
      action: 'publish',
      contentType: 'article',
      entity: { id: 'a-2', title: 'Second' },
    });
    const req1 = await received(first.deliveries[0]!.id);
    expect(bodyOf(req1)).toEqual({ title: 'Second', action: 'publish' });
    expect(req1.headers).toMatchObject({ 'x-blog-key': 'blog-secret-1', authorization: 'Bearer tok-123' });
    expect(verifies(secret, req1)).toBe(true);

    // Edit: secrets are never prefilled, say "set", and are kept when left empty.
    await page.getByRole('button', { name: 'Edit' }).click();
    await page.getByRole('heading', { name: 'Edit Blog' }).waitFor();
    expect(await page.getByLabel('Header 1 value').inputValue()).toBe('');
    expect(await page.getByLabel('Header 1 value').getAttribute('placeholder')).toMatch(/set/);
    expect(await page.getByLabel('Token', { exact: true }).inputValue()).toBe('');
    expect(await page.locator('#wh-auth-token-hint').innerText()).toMatch(/^Set\./);
    expect(await page.locator('body').innerText()).not.toContain('blog-secret-1');
    await page.getByLabel('Name', { exact: true }).fill('Blog posts');
    await page.getByLabel('Payload template (Mustache)').fill('{"t": "{{payload.title}}"}');
    await previewBody.filter({ hasText: '"t": "Second"' }).waitFor();
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('status').filter({ hasText: 'Webhook Blog posts saved' }).waitFor();
    await page.getByRole('heading', { name: 'Blog posts', exact: true }).waitFor();
    expect(await stack.api.webhooks.get.query({ projectId: project, id: created!.id })).toMatchObject({
      name: 'Blog posts',
      payloadTemplate: '{"t": "{{payload.title}}"}',
      headers: { 'x-blog-key': '[redacted]' },
      auth: { type: 'bearer', token: '[redacted]' },
      retryPolicy: { maximumAttempts: 3 },
    });

    // Rotate, after a confirmation: the new secret is shown once and signs what follows.
    await page.getByRole('button', { name: 'Rotate signing secret…' }).click();
    await page.getByRole('dialog', { name: /Rotate the signing secret of Blog posts/ }).waitFor();
    await page.getByRole('button', { name: 'Rotate secret' }).click();
    const rotated = page.getByRole('dialog', { name: /New signing secret of Blog posts/ });
    await rotated.waitFor();
    const newSecret = await rotated.getByLabel('Signing secret').innerText();
    expect(newSecret).not.toBe(secret);
    expect(newSecret).toMatch(/^whsec_/);
    await rotated.getByRole('button', { name: 'Done' }).click();

    // The custom action, as Flotiq's button: entity id and fields.
    await page.getByRole('heading', { name: 'Run custom action' }).waitFor();
    await page.getByLabel('Entity id').fill('a-9');
    await page.getByLabel('Field 1 name').fill('title');
    await page.getByLabel('Field 1 value').fill('By hand');
    await page.getByRole('button', { name: 'Run custom action' }).click();
    const sent = page.getByRole('status').filter({ hasText: /Custom action sent as dlv_/ });
    await sent.waitFor();
    const customId = /sent as (dlv_\S+)/.exec(await sent.innerText())![1]!;
    const req2 = await received(customId);
    expect(bodyOf(req2)).toEqual({ t: 'By hand' });
    expect(req2.headers).toMatchObject({ 'x-blog-key': 'blog-secret-1', authorization: 'Bearer tok-123' });
    expect(verifies(newSecret, req2)).toBe(true);
    await page.locator('tr', { hasText: customId }).filter({ hasText: 'done' }).waitFor({ timeout: 30_000 });
    await browser.shot('webhook');

    // Delete, after a confirmation naming it; Cancel first changes nothing.
    await page.getByRole('button', { name: 'Delete…' }).click();
    const confirm = page.getByRole('dialog', { name: 'Delete webhook Blog posts?' });
    await confirm.waitFor();
    // A destructive dialog opens on Cancel: Enter does not delete.
    expect(await page.evaluate('document.activeElement.textContent')).toBe('Cancel');
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await confirm.waitFor({ state: 'detached' });
    expect(await stack.db.models.Webhook.countDocuments({ projectId: project })).toBe(1);
    await page.getByRole('button', { name: 'Delete…' }).click();
    await confirm.getByRole('button', { name: 'Delete Blog posts' }).click();
    await page.getByRole('status').filter({ hasText: 'Webhook Blog posts deleted' }).waitFor();
    await page.getByText('No webhooks in this project yet').waitFor();
    expect(await stack.db.models.Webhook.countDocuments({ projectId: project })).toBe(0);
  });

  it('recovers what a receiver outage missed: estimate, confirm, progress to done, each missed event once', async () => {
    const project = 'ui-recover';
    const webhook = await stack.api.webhooks.create.mutate({
      projectId: project,
      name: 'Search index',
      url: `${receiver.url}/index`,
      triggers: [{ entityType: 'record', actions: ['publish'] }],
      retryPolicy: { maximumAttempts: 1 },
    });
    const publish = (id: string) =>
      stack.api.events.publish.mutate({ projectId: project, entityType: 'record', action: 'publish', entity: { id } });
    // The outage: three deliveries fail for good; one more event is published while the webhook is off.
    failing = true;
    const failed = [await publish('p-1'), await publish('p-2'), await publish('p-3')];
    for (const f of failed) {
      // The delivery's workflow fails as the delivery does (HTTP 503).
      await expect(stack.temporal.workflow.getHandle(f.deliveries[0]!.workflowId).result()).rejects.toThrow();
    }
    await stack.api.webhooks.update.mutate({ projectId: project, id: webhook.id, enabled: false });
    const missed = await publish('p-4');
    expect(missed.deliveries).toEqual([]);
    await stack.api.webhooks.update.mutate({ projectId: project, id: webhook.id, enabled: true });
    failing = false;
    const before = receiver.requests.length;

    await browser.signIn(project);
    await page.getByRole('button', { name: 'Search index' }).click();
    await page.getByRole('button', { name: 'Recover…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Recover deliveries of Search index' });
    await dialog.getByRole('checkbox', { name: /never got/ }).check();
    await dialog.getByRole('button', { name: 'Estimate' }).click();
    await dialog
      .getByRole('status')
      .filter({ hasText: /^4 events/ })
      .waitFor();
    await dialog.getByRole('button', { name: 'Start recovery' }).click();
    await dialog.getByText(/^done: 4 sent, 0 skipped, 0 failed of 4/).waitFor({ timeout: 60_000 });
    await browser.shot('recover');
    await dialog.getByRole('button', { name: 'Close' }).click();
    await page.getByRole('heading', { name: 'Recoveries' }).waitFor();
    await page.locator('tr').filter({ hasText: 'done: 4 sent' }).waitFor();

    // Each failed event once more under its original webhook-id, the missed one once; nothing else.
    const after = receiver.requests.slice(before);
    expect(after.map((r) => bodyOf(r).eventId).sort()).toEqual([...failed, missed].map((p) => p.eventId).sort());
    const ids = new Set(after.map((r) => r.headers['webhook-id']));
    for (const f of failed) expect(ids.has(f.deliveries[0]!.id)).toBe(true);
  });

  it('cancels a running recovery from its dialog', async () => {
    const project = 'ui-cancel';
    const webhook = await stack.api.webhooks.create.mutate({
      projectId: project,
      name: 'Slow',
      url: `${receiver.url}/slow`,
      enabled: false,
      triggers: [{ entityType: 'record', actions: ['publish'] }],
      retryPolicy: { maximumAttempts: 1, timeoutMs: 60_000 },
    });
    await stack.api.events.publish.mutate({
      projectId: project,
      entityType: 'record',
      action: 'publish',
      entity: { id: 'x' },
    });
    await stack.api.webhooks.update.mutate({ projectId: project, id: webhook.id, enabled: true });

    await browser.signIn(project);
    await page.getByRole('button', { name: 'Slow' }).click();
    await page.getByRole('button', { name: 'Recover…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Recover deliveries of Slow' });
    await dialog.getByRole('checkbox', { name: /never got/ }).check();
    await dialog.getByRole('button', { name: 'Estimate' }).click();
    await dialog.getByRole('button', { name: 'Start recovery' }).click();
    // Its one delivery hangs at the receiver, so the recovery runs until cancelled.
    await dialog.getByText(/^running:/).waitFor();
    await dialog.getByRole('button', { name: 'Cancel recovery' }).click();
    await dialog.getByText(/^cancelled:/).waitFor({ timeout: 30_000 });
    const [recovery] = (await stack.api.recoveries.list.query({ projectId: project })).items;
    expect(recovery).toMatchObject({ status: 'cancelled', webhookId: webhook.id });
  });

  it('made no request off this machine, and met no script error or refused asset', () => {
    expect(browser.offMachine).toEqual([]);
    expect(browser.pageProblems).toEqual([]);
  });
});
