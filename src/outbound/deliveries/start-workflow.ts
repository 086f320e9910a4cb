import { WorkflowExecutionAlreadyStartedError, WorkflowIdReusePolicy, type Client } from '@temporalio/client';
import type { Priority } from '@temporalio/common';
import { deliveryWorkflowId } from '../ids';
import type { deliveryWorkflow } from '../workflow/delivery';
import type { DeliveryInput } from '../workflow/types';
import { deliverySearchAttributes, type DeliveryTags } from '../../shared/search-attributes';

/**
 * Starts the workflow of one delivery. Its id derives from the delivery id, and a duplicate start is
 * refused by Temporal, so starting the same delivery twice (a re-published event, a retried request)
 * is a no-op.
 */
export async function startDeliveryWorkflow(
  client: Client,
  taskQueue: string,
  input: DeliveryInput,
  meta: { tags: DeliveryTags; url: string; priority: Priority; entityType: string; eager?: boolean },
): Promise<string> {
  const workflowId = deliveryWorkflowId(input.deliveryId);
  try {
    await client.workflow.start<typeof deliveryWorkflow>('deliveryWorkflow', {
      taskQueue,
      workflowId,
      args: [input],
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      typedSearchAttributes: deliverySearchAttributes(meta.tags),
      staticSummary: `POST ${meta.url} · ${meta.tags.contentType ?? meta.entityType} ${meta.tags.action}`,
      // Task-queue fairness per webhook, weighted per project (endpoint.ts): a backlog to one webhook does
      // not hold up the others' tasks (its activities inherit the key).
      priority: meta.priority,
      requestEagerStart: meta.eager ?? false,
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
  return workflowId;
}
