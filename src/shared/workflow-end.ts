import type { Client } from '@temporalio/client';

/** How a workflow ended, as a record that its workflow could not update (ended from outside, say) should say. */
export interface WorkflowEnd {
  completed: boolean;
  /** `terminated`, `timed out`, `failed`, `cancelled`: for a message such as "the workflow was terminated". */
  how: string;
  at: Date;
}

/** The closed states (a continued-as-new workflow goes on in its next run; a paused one is not over). */
const ENDED = new Set(['COMPLETED', 'FAILED', 'CANCELLED', 'TERMINATED', 'TIMED_OUT']);

/**
 * The end of workflow `workflowId`, or undefined while it runs (or when Temporal does not answer, or does not
 * know it): what the API asks when a record still says a workflow is under way after a while.
 */
export async function workflowEnd(temporal: Client, workflowId: string): Promise<WorkflowEnd | undefined> {
  const description = await temporal.workflow
    .getHandle(workflowId)
    .describe()
    .catch(() => undefined);
  const name = description?.status.name;
  if (!name || !ENDED.has(name)) return undefined;
  return {
    completed: name === 'COMPLETED',
    how: name.toLowerCase().replace('_', ' '),
    at: description?.closeTime ?? new Date(),
  };
}
