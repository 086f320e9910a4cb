import { TRPCError } from '@trpc/server';
import type { DeliveryDoc } from '../../db/models';
import { findOwned } from '../../db/owned';
import { findPage } from '../../db/pagination';
import { deliver } from '../../events/deliver';
import { newId } from '../../ids';
import { presentDelivery } from '../present';
import { byIdInput, listDeliveriesInput } from '../schemas';
import { authedProcedure, router, type ApiDeps } from '../trpc';

const CLOSED_AS_ERROR = new Set(['FAILED', 'TERMINATED', 'TIMED_OUT', 'CANCELLED']);

/**
 * The record is written by the delivery's own activities; while it still says `pending`, the workflow is
 * asked, so that one ended from outside (terminated or timed out in the Web UI, say) shows as it ended.
 */
async function withWorkflowTruth(deps: ApiDeps, d: DeliveryDoc): Promise<DeliveryDoc> {
  if (d.status !== 'pending') return d;
  const description = await deps.temporal.workflow
    .getHandle(d.workflowId)
    .describe()
    .catch(() => undefined);
  const name = description?.status.name;
  if (name === 'COMPLETED') return { ...d, status: 'done', finishedAt: description!.closeTime ?? null };
  if (name && CLOSED_AS_ERROR.has(name)) {
    return {
      ...d,
      status: 'error',
      finishedAt: description!.closeTime ?? null,
      lastError: d.lastError ?? `workflow ${name.toLowerCase()}`,
    };
  }
  return d;
}

async function findDelivery(deps: ApiDeps, projectId: string, id: string): Promise<DeliveryDoc> {
  const delivery = await findOwned(deps.db.models.Delivery, projectId, id);
  if (!delivery) throw new TRPCError({ code: 'NOT_FOUND', message: `delivery ${id} not found` });
  return delivery;
}

export const deliveriesRouter = router({
  get: authedProcedure.input(byIdInput).query(async ({ ctx, input }) => {
    const delivery = await findDelivery(ctx.deps, input.projectId, input.id);
    return presentDelivery(await withWorkflowTruth(ctx.deps, delivery));
  }),

  list: authedProcedure.input(listDeliveriesInput).query(async ({ ctx, input }) => {
    const filter = {
      projectId: input.projectId,
      ...(input.webhookId ? { webhookId: input.webhookId } : {}),
      ...(input.status ? { status: input.status } : {}),
    };
    const page = await findPage(ctx.deps.db.models.Delivery, filter, input);
    return { items: page.items.map(presentDelivery), nextCursor: page.nextCursor };
  }),

  /** DatoCMS's "resend": the same body to the same webhook, as a new delivery with a new id. */
  resend: authedProcedure.input(byIdInput).mutation(async ({ ctx, input }) => {
    const original = await findDelivery(ctx.deps, input.projectId, input.id);
    const webhook = await findOwned(ctx.deps.db.models.Webhook, input.projectId, original.webhookId);
    if (!webhook) throw new TRPCError({ code: 'NOT_FOUND', message: `webhook ${original.webhookId} no longer exists` });
    const event = {
      eventId: original.eventId,
      entityType: original.entityType,
      action: original.action,
      contentType: original.contentType ?? undefined,
      entity: { id: original.entityId ?? '' },
      occurredAt: original.createdAt.toISOString(),
    };
    return deliver(ctx.deps, webhook, event, newId('dlv'), original.body, { resendOf: original._id });
  }),
});
