import { findOwned } from '../../db/owned';
import { pageBySeq, pageBySequence } from '../../db/pagination';
import { NotFoundError } from '../../shared/errors';
import type { ByIdInput } from '../../shared/schema';
import { workflowEnd } from '../../shared/workflow-end';
import type { OutboundDeps } from '../deps';
import type { DeliveryRecord } from '../store/records';
import { createDelivery, type StartedDelivery } from './create';
import { deliveryEndSeenFromOutside } from './ended-outside';
import type { ListDeliveriesInput, ListLogsInput } from './schema';

async function findDelivery(deps: OutboundDeps, projectId: string, id: string): Promise<DeliveryRecord> {
  const delivery = await deps.deliveries.find(projectId, id);
  if (!delivery) throw new NotFoundError('delivery', id);
  return delivery;
}

/** A list re-asks Temporal about a pending delivery whose record has not moved for this long. */
const QUIET_PENDING_MS = 30_000;

/**
 * A `pending` record as its workflow stands. The record is written by the delivery's own workflow, so one
 * ended from outside (terminated or timed out in the Web UI, say) would say `pending` for ever: the workflow is
 * asked, and the delivery is shown as it ended. Shown, not written: a reader never writes a delivery; the
 * retention sweep (retention/activities.ts) records such an end.
 */
async function reconciled(deps: OutboundDeps, d: DeliveryRecord): Promise<DeliveryRecord> {
  const ended = await workflowEnd(deps.temporal, d.workflowId);
  if (!ended) return d;
  const end = deliveryEndSeenFromOutside(d, ended);
  return { ...d, status: end.status, finishedAt: end.finishedAt, lastError: end.error ?? d.lastError };
}

/** A delivery as it stands (see `reconciled`). */
export async function getDelivery(deps: OutboundDeps, input: ByIdInput): Promise<DeliveryRecord> {
  const d = await findDelivery(deps, input.projectId, input.id);
  return d.status === 'pending' ? reconciled(deps, d) : d;
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

/** Newest first; a pending delivery that has been quiet a while is checked with its workflow (`reconciled`). */
export async function listDeliveries(deps: OutboundDeps, input: ListDeliveriesInput) {
  const filter = {
    projectId: input.projectId,
    ...(input.webhookId ? { webhookId: input.webhookId } : {}),
    ...(input.status ? { status: input.status } : {}),
  };
  const page = await pageBySeq(deps.db.models.Delivery, filter, input);
  const quietSince = Date.now() - QUIET_PENDING_MS;
  const items = await Promise.all(
    page.items.map((d) => (d.status === 'pending' && d.updatedAt.getTime() < quietSince ? reconciled(deps, d) : d)),
  );
  return { ...page, items };
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
