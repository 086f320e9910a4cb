import { z } from 'zod';
import { pageInput } from '../../db/pagination';
import { projectId, recordId } from '../../shared/schema';
import { flowFields, flowModes, flowStatuses, refName, responseSchema } from '../store/records';

/** The inputs of `flows.*`; the TypeScript types are inferred from them. */

export const createFlowInput = flowFields.extend({ projectId }).strict();
export type CreateFlowInput = z.infer<typeof createFlowInput>;

/** Any create field; what is given replaces what was stored (`steps` and `response` as a whole). */
export const updateFlowInput = flowFields
  .extend({
    // No defaults here: a field left out keeps its stored value.
    status: z.enum(flowStatuses),
    mode: z.enum(flowModes),
    refId: refName,
    response: responseSchema,
  })
  .partial()
  .extend({ projectId, id: recordId })
  .strict();
export type UpdateFlowInput = z.infer<typeof updateFlowInput>;

export const listFlowsInput = z.object({ projectId, ...pageInput }).strict();
export type ListFlowsInput = z.infer<typeof listFlowsInput>;

export const listRunsInput = z.object({ projectId, id: recordId, ...pageInput }).strict();
export type ListRunsInput = z.infer<typeof listRunsInput>;
