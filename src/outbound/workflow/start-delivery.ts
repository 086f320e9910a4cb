import { ParentClosePolicy, startChild, WorkflowIdReusePolicy } from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { deliverySearchAttributes, type DeliveryTags } from '../../shared/search-attributes';
import type { deliveryWorkflow } from './delivery';
import type { DeliveryInput, DeliveryTemplate } from './types';

/**
 * Starts one delivery's own workflow (`delivery-<deliveryId>`) from a workflow: an ordered or coalesced delivery,
 * a plain delivery of an entity's publish, a batch's digest. It outlives the workflow that started it
 * (ABANDON): an entity's workflow continues as new while its deliveries go on.
 * Answers whether it was started now (false: it had been already, by an earlier run).
 */
export async function startDelivery(
  input: DeliveryInput,
  template: DeliveryTemplate,
  tags: DeliveryTags,
  workflowId = `delivery-${input.deliveryId}`,
) {
  try {
    await startChild<typeof deliveryWorkflow>('deliveryWorkflow', {
      workflowId,
      args: [input],
      parentClosePolicy: ParentClosePolicy.ABANDON,
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      typedSearchAttributes: deliverySearchAttributes(tags),
      staticSummary: `${template.summary} · ${tags.contentType ?? ''} ${tags.action}`.replace('  ', ' '),
      priority: { fairnessKey: template.fairnessKey, fairnessWeight: template.fairnessWeight },
    });
    return true;
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return false;
    throw err;
  }
}
