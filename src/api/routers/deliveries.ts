import { listDeliveriesInput } from '../../outbound/deliveries/schema';
import { getDelivery, listDeliveries, resendDelivery } from '../../outbound/deliveries/service';
import { recoverInput } from '../../outbound/recoveries/schema';
import { recoverDeliveries } from '../../outbound/recoveries/service';
import { byIdInput } from '../../shared/schema';
import { presentDelivery, presentPage } from '../present';
import { authedProcedure, router } from '../trpc';

export const deliveriesRouter = router({
  get: authedProcedure
    .input(byIdInput)
    .query(async ({ ctx, input }) => presentDelivery(await getDelivery(ctx.outbound, input))),

  list: authedProcedure
    .input(listDeliveriesInput)
    .query(async ({ ctx, input }) => presentPage(await listDeliveries(ctx.outbound, input), presentDelivery)),

  resend: authedProcedure.input(byIdInput).mutation(({ ctx, input }) => resendDelivery(ctx.outbound, input)),

  recover: authedProcedure.input(recoverInput).mutation(({ ctx, input }) => recoverDeliveries(ctx.outbound, input)),
});
