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

/** The input of `events.publishBatch`: a release's events, each as for `events.publish`. */
export const publishBatchInput = z
  .object({
    projectId,
    ref: z.string().min(1).max(2048),
    events: z
      .array(publishEventInput.omit({ projectId: true }))
      .min(1)
      .max(10_000),
  })
  .strict()
  .superRefine((batch, ctx) => {
    const seen = new Map<string, number>();
    batch.events.forEach((e, i) => {
      if (e.eventId === undefined) return;
      const first = seen.get(e.eventId);
      if (first !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['events', i, 'eventId'], message: `repeats events.${first}.eventId` });
      } else seen.set(e.eventId, i);
    });
  });
export type PublishBatchInput = z.infer<typeof publishBatchInput>;
