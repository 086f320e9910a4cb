import { TRPCError } from '@trpc/server';
import { findPage } from '../../db/pagination';
import { presentDelivery } from '../present';
import { byIdInput, listDeliveriesInput } from '../schemas';
import { authedProcedure, router } from '../trpc';

export const deliveriesRouter = router({
  get: authedProcedure.input(byIdInput).query(async ({ ctx, input }) => {
    const delivery = await ctx.deps.db.models.Delivery.findOne({ _id: input.id, projectId: input.projectId }).lean();
    if (!delivery) throw new TRPCError({ code: 'NOT_FOUND', message: `delivery ${input.id} not found` });
    return presentDelivery(delivery);
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
});
