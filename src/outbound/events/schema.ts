import { z } from 'zod';
import { projectId, shortString } from '../../shared/schema';
import { actions, entityTypes } from '../store/records';

/** The input of `events.publish`. */

export const publishEventInput = z
  .object({
    projectId,
    eventId: z.string().min(1).max(200).optional(),
    entityType: z.enum(entityTypes),
    action: z.enum(actions).refine((a) => a !== 'custom', {
      message: "'custom' is fired by hand with webhooks.trigger, not published",
    }),
    contentType: shortString.optional(),
    entity: z.looseObject({ id: z.string().min(1).max(200) }),
    ref: z.string().max(2048).optional(),
    occurredAt: z.iso.datetime({ offset: true }).optional(),
  })
  .strict();
export type PublishEventInput = z.infer<typeof publishEventInput>;
