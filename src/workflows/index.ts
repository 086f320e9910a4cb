// Every workflow the workers run, one bundle for all capabilities (as samples-typescript's monorepo-folders
// does): the worker's entry point for workflow code. Workflow code is deterministic and imports no Node
// built-ins (test/unit/layout.test.ts checks what this folder reaches); the types of the names here are part
// of the contract with running workflows (test/replay).
export { deliveryWorkflow } from '../outbound/workflow/delivery';
export { entityWorkflow } from '../outbound/workflow/entity';
export { fanOutWorkflow } from '../outbound/workflow/fan-out';
export { batchWorkflow } from '../outbound/workflow/batch';
export { recoveryWorkflow } from '../outbound/workflow/recovery';
export { flowRunWorkflow } from '../inbound/workflow/flow-run';
export { retentionSweepWorkflow } from '../retention/workflow';
