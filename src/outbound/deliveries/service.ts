import { findOwned } from '../../db/owned';
import { findPage, pageBySequence } from '../../db/pagination';
import { NotFoundError } from '../../shared/errors';
import type { ByIdInput } from '../../shared/schema';
import type { OutboundDeps } from '../deps';
import type { DeliveryRecord } from '../store/records';
import { createDelivery, type StartedDelivery } from './create';
import type { ListDeliveriesInput, ListLogsInput } from './schema';

const CLOSED_AS_ERROR = new Set(['FAILED', 'TERMINATED', 'TIMED_OUT', 'CANCELLED']);

async function findDelivery(deps: OutboundDeps, projectId: string, id: string): Promise<DeliveryRecord> {
  const delivery = await deps.deliveries.find(projectId, id);
  if (!delivery) throw new NotFoundError('delivery', id);
  return delivery;
}

/**
 * A delivery as it stands. The record is written by the delivery's own activities; while it still says
 * `pending`, the workflow is asked, so that one ended from outside (terminated or timed out in the Web UI,
 * say) shows as it ended.
 */
export async function getDelivery(deps: OutboundDeps, input: ByIdInput): Promise<DeliveryRecord> {
  const d = await findDelivery(deps, input.projectId, input.id);
  if (d.status !== 'pending') return d;
  const description = await deps.temporal.workflow
    .getHandle(d.workflowId)
    .describe()
    .catch(() => undefined);
  const name = description?.status.name;
  const finishedAt = description?.closeTime ?? null;
  if (name === 'COMPLETED') return { ...d, status: 'done', finishedAt };
  if (name && CLOSED_AS_ERROR.has(name)) {
    return { ...d, status: 'error', finishedAt, lastError: d.lastError ?? `workflow ${name.toLowerCase()}` };
  }
  return d;
}

/** DatoCMS's "resend": the same body to the same webhook, as a new delivery with a new id. */
export async function resendDelivery(deps: OutboundDeps, input: ByIdInput): Promise<StartedDelivery> {
  const original = await findDelivery(deps, input.projectId, input.id);
  const webhook = await findOwned(deps.db.models.Webhook, input.projectId, original.webhookId);
  if (!webhook) throw new NotFoundError('webhook', original.webhookId, 'no longer exists');
  const event = {
    eventId: original.eventId,
    entityType: original.entityType,
    action: original.action,
    contentType: original.contentType ?? undefined,
    entity: { id: original.entityId ?? '' },
    occurredAt: original.createdAt.toISOString(),
  };
  return createDelivery(deps, webhook, event, { kind: 'resend', of: original });
}

export function listDeliveries(deps: Pick<OutboundDeps, 'db'>, input: ListDeliveriesInput) {
  const filter = {
    projectId: input.projectId,
    ...(input.webhookId ? { webhookId: input.webhookId } : {}),
    ...(input.status ? { status: input.status } : {}),
  };
  return findPage(deps.db.models.Delivery, filter, input);
}

/** A webhook's execution log, newest attempt first (only its newest LOG_CAP_PER_WEBHOOK are kept). */
export function listLogs(deps: Pick<OutboundDeps, 'db'>, input: ListLogsInput) {
  const filter = {
    projectId: input.projectId,
    webhookId: input.webhookId,
    ...(input.deliveryId ? { deliveryId: input.deliveryId } : {}),
    ...(input.status ? { status: input.status } : {}),
  };
  return pageBySequence(deps.db.models.LogEntry, filter, input);
}
