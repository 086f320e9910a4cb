import { z } from 'zod';
import { pageInput } from '../../db/pagination';
import { projectId, recordId, shortString } from '../../shared/schema';
import { actions } from '../store/records';

/** The input of `deliveries.recover`: which of a webhook's events of a window to deliver again. */
export const recoverInput = z
  .object({
    projectId,
    webhookId: recordId,
    since: z.iso.datetime({ offset: true }),
    until: z.iso.datetime({ offset: true }).optional(),
    contentTypes: z.array(shortString).max(100).optional(),
    actions: z.array(z.enum(actions)).max(10).optional(),
    statuses: z
      .array(z.enum(['error', 'done']))
      .min(1)
      .default(['error']),
    includeMissed: z.boolean().default(false),
    idempotencyKey: z.string().min(1).max(200),
    dryRun: z.boolean().default(false),
  })
  .strict()
  .refine((r) => r.until === undefined || new Date(r.until) > new Date(r.since), {
    message: 'must be after since',
    path: ['until'],
  });
export type RecoverInput = z.infer<typeof recoverInput>;

export const listRecoveriesInput = z.object({ projectId, webhookId: recordId.optional(), ...pageInput }).strict();
export type ListRecoveriesInput = z.infer<typeof listRecoveriesInput>;
