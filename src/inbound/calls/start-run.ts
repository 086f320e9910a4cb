import { WorkflowIdReusePolicy, type WorkflowHandle } from '@temporalio/client';
import { SearchAttributes } from '../../shared/search-attributes';
import type { InboundDeps } from '../deps';
import { flowRunWorkflowId } from '../ids';
import type { FlowRecord } from '../store/records';
import type { flowRunWorkflow } from '../workflow/flow-run';
import type { FlowRunInput, PlannedStep } from '../workflow/types';

/** A flow's steps as a run is started with them: an http step's header values stay out of the history. */
export const plannedSteps = (flow: Pick<FlowRecord, 'steps'>): PlannedStep[] =>
  flow.steps.map((step) => {
    if (step.kind !== 'http') return step;
    const { headers, ...rest } = step;
    return { ...rest, headerNames: Object.keys(headers ?? {}) };
  });

/** Starts the run's workflow (`flow-run-<runId>`), findable in the Web UI by project, flow and flow status. */
export function startRun(
  deps: InboundDeps,
  flow: FlowRecord,
  input: FlowRunInput,
): Promise<WorkflowHandle<typeof flowRunWorkflow>> {
  return deps.temporal.workflow.start<typeof flowRunWorkflow>('flowRunWorkflow', {
    taskQueue: deps.config.FLOW_TASK_QUEUE,
    workflowId: flowRunWorkflowId(input.runId),
    args: [input],
    workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    typedSearchAttributes: [
      { key: SearchAttributes.projectId, value: flow.projectId },
      { key: SearchAttributes.flowId, value: flow._id },
      { key: SearchAttributes.flowStatus, value: flow.status },
    ],
    staticSummary: `flow ${flow.name} · ${flow.status} · ${flow.mode} · ${flow.steps.length} steps`,
    requestEagerStart: deps.eagerStart ?? false,
  });
}
