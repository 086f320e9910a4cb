import { deleteOwned, findOwned } from '../../db/owned';
import { pageById } from '../../db/pagination';
import { driverCollection } from '../../db/driver';
import { createRecordLocks, type LockEntry } from '../../db/record-lock';
import { insertInFreeSlot } from '../../db/slots';
import { InvalidInputError, InvalidTemplateError, NotFoundError, QuotaExceededError } from '../../shared/errors';
import { targetUrlProblem } from '../../shared/http/target-policy';
import { newId } from '../../shared/ids';
import { keepRedactedAuth, keepRedactedHeaders } from '../../shared/redaction';
import type { ByIdInput } from '../../shared/schema';
import { generateSecret } from '../../shared/signature';
import { checkPayloadTemplate } from '../../shared/templates/mustache';
import { createDelivery, type StartedDelivery } from '../deliveries/create';
import type { OutboundDeps } from '../deps';
import { defaultBody, sampleEvent } from '../deliveries/body';
import type { WebhookRecord } from '../store/records';
import { createTombstones } from '../store/tombstones';
import type { CreateWebhookInput, ListWebhooksInput, TriggerWebhookInput, UpdateWebhookInput } from './schema';

/** After a rotation the previous secret still signs (beside the new one) for this long. */
const PREVIOUS_SECRET_TTL_MS = 24 * 60 * 60 * 1000;

/** The checks zod cannot make alone: the target policy of this deployment, and the template's output. */
function checkWebhook(
  deps: Pick<OutboundDeps, 'config'>,
  w: Pick<WebhookRecord, 'url' | 'payloadTemplate' | 'contentType'>,
): void {
  const problems: string[] = [];
  const urlProblem = targetUrlProblem(w.url, deps.config.ALLOW_PRIVATE_TARGETS);
  if (urlProblem) problems.push(`url: ${urlProblem}`);
  if (w.payloadTemplate) {
    try {
      checkPayloadTemplate(w.payloadTemplate, w.contentType, defaultBody('wh_sample', sampleEvent()));
    } catch (err) {
      if (!(err instanceof InvalidTemplateError)) throw err;
      problems.push(`payloadTemplate: ${err.message}`);
    }
  }
  if (problems.length) throw new InvalidInputError(problems);
}

export async function getWebhook(
  deps: Pick<OutboundDeps, 'db'>,
  projectId: string,
  id: string,
): Promise<WebhookRecord> {
  const webhook = await findOwned(deps.db.models.Webhook, projectId, id);
  if (!webhook) throw new NotFoundError('webhook', id);
  return webhook;
}

export const listWebhooks = (deps: Pick<OutboundDeps, 'db'>, input: ListWebhooksInput) =>
  pageById(deps.db.models.Webhook, { projectId: input.projectId }, input);

/** A new webhook with a fresh secret, holding one of its project's MAX_WEBHOOKS_PER_PROJECT places. */
export async function createWebhook(deps: OutboundDeps, input: CreateWebhookInput): Promise<WebhookRecord> {
  checkWebhook(deps, input);
  const { Webhook } = deps.db.models;
  const limit = deps.config.MAX_WEBHOOKS_PER_PROJECT;
  const created = await insertInFreeSlot({
    count: limit,
    taken: async () => (await Webhook.find({ projectId: input.projectId }, { slot: 1 }).lean()).map((w) => w.slot),
    insert: async (slot) =>
      (await Webhook.create({ _id: newId('wh'), secret: generateSecret(), slot, ...input })).toObject(),
  });
  if (!created) throw new QuotaExceededError(`MAX_WEBHOOKS_PER_PROJECT: a project holds at most ${limit} webhooks`);
  return created;
}

/**
 * Replaces the fields given (null clears an optional one). Secrets sent back as `[redacted]` keep their
 * stored values, and re-enabling clears the reason the webhook was disabled for (a 410 Gone, say).
 */
export async function updateWebhook(deps: OutboundDeps, input: UpdateWebhookInput): Promise<WebhookRecord> {
  const { projectId, id, ...changes } = input;
  const stored = await getWebhook(deps, projectId, id);
  const headers = keepRedactedHeaders(changes.headers, stored.headers, 'headers');
  const auth = keepRedactedAuth(changes.auth, stored.auth);
  checkWebhook(deps, {
    url: changes.url ?? stored.url,
    contentType: changes.contentType ?? stored.contentType,
    payloadTemplate:
      (changes.payloadTemplate === undefined ? stored.payloadTemplate : changes.payloadTemplate) ?? undefined,
  });

  const $set: Record<string, unknown> = {};
  const $unset: Record<string, 1> = {};
  for (const [key, value] of Object.entries({ ...changes, headers, auth })) {
    if (value === undefined) continue;
    if (value === null) $unset[key] = 1;
    else $set[key] = value;
  }
  if (changes.enabled === true) $unset.disabledReason = 1;
  const updated = await webhookLock(deps)(stored._id, () =>
    deps.db.models.Webhook.findOneAndUpdate(
      { _id: stored._id },
      { $set, ...(Object.keys($unset).length ? { $unset } : {}) },
      { returnDocument: 'after' },
    ).lean(),
  );
  if (!updated) throw new NotFoundError('webhook', id);
  return updated;
}

/**
 * Deletes a webhook; its deliveries, log and delivery ring are removed by the retention sweep (retention/),
 * which finds them by the tombstone written first.
 */
export async function deleteWebhook(deps: OutboundDeps, input: ByIdInput) {
  const webhook = await getWebhook(deps, input.projectId, input.id);
  await createTombstones(deps.db).mark('webhook', webhook._id, webhook.projectId);
  if (!(await deleteOwned(deps.db.models.Webhook, input.projectId, input.id))) {
    throw new NotFoundError('webhook', input.id);
  }
  return { id: input.id, deleted: true };
}

/** A new signing secret; the previous one keeps signing beside it for a day, so receivers can switch over. */
export async function rotateSecret(deps: OutboundDeps, input: ByIdInput): Promise<{ secret: string }> {
  const { _id } = await getWebhook(deps, input.projectId, input.id);
  const secret = generateSecret();
  // Read and written under the webhook's lock: of two concurrent rotations, the second keeps the first's
  // secret as the previous one (it still signs), instead of both keeping the secret they read.
  await webhookLock(deps)(_id, async () => {
    const webhook = await getWebhook(deps, input.projectId, input.id);
    await deps.db.models.Webhook.updateOne(
      { _id },
      {
        $set: {
          secret,
          previousSecret: webhook.secret,
          previousSecretExpiresAt: new Date(Date.now() + PREVIOUS_SECRET_TTL_MS),
        },
      },
    );
  });
  return { secret };
}

/** One change of a webhook at a time (db/record-lock.ts): its updates, rotations and a 410's disable. */
export const webhookLock = (deps: Pick<OutboundDeps, 'db'>) =>
  createRecordLocks(driverCollection<LockEntry>(deps.db.models.RecordLock));

/** A sample event, sent at once outside the triggers, so that a user can check an endpoint. */
export async function testWebhook(deps: OutboundDeps, input: ByIdInput): Promise<StartedDelivery> {
  const webhook = await getWebhook(deps, input.projectId, input.id);
  const event = sampleEvent({ eventId: newId('evt'), occurredAt: new Date().toISOString() });
  return createDelivery(deps, webhook, event, { kind: 'test' });
}

/** Fires, by hand, a webhook that has a trigger with the `custom` action. */
export async function triggerWebhook(
  deps: OutboundDeps,
  input: TriggerWebhookInput,
): Promise<{ eventId: string; deliveries: StartedDelivery[] }> {
  const webhook = await getWebhook(deps, input.projectId, input.id);
  if (!webhook.triggers.some((t) => t.actions.includes('custom'))) {
    throw InvalidInputError.field('id', `webhook ${webhook._id} has no trigger with the 'custom' action`);
  }
  if (!webhook.enabled) throw InvalidInputError.field('id', `webhook ${webhook._id} is disabled`);
  const event = {
    eventId: newId('evt'),
    entityType: input.entityType,
    action: 'custom',
    contentType: input.contentType,
    entity: input.entity,
    ref: input.ref,
    occurredAt: new Date().toISOString(),
  };
  const delivery = await createDelivery(deps, webhook, event, { kind: 'event' });
  return { eventId: event.eventId, deliveries: [delivery] };
}
