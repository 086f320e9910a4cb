/** A flow run's workflow id: part of the contract (`flow-run-<runId>`), and of every running workflow's history. */
export const flowRunWorkflowId = (runId: string): string => `flow-run-${runId}`;
