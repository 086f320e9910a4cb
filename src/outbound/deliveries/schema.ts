import { z } from 'zod';
import { pageInput } from '../../db/pagination';
import { projectId } from '../../shared/schema';
import { deliveryStatus } from '../store/records';

/** The inputs of `deliveries.list` and `logs.list`. */

export const listDeliveriesInput = z
  .object({ projectId, webhookId: z.string().max(100).optional(), status: deliveryStatus.optional(), ...pageInput })
  .strict();
export type ListDeliveriesInput = z.infer<typeof listDeliveriesInput>;

export const listLogsInput = z
  .object({
    projectId,
    webhookId: z.string().min(1).max(100),
    deliveryId: z.string().max(100).optional(),
    status: deliveryStatus.optional(),
    ...pageInput,
  })
  .strict();
export type ListLogsInput = z.infer<typeof listLogsInput>;
