// Every workflow the workers run, one bundle for both capabilities (as samples-typescript's monorepo-folders
// does). Workflow code is deterministic and imports no Node built-ins; the types of the names here are part
// of the contract with running workflows (test/replay).
export { deliveryWorkflow } from './outbound/workflow/delivery';
export { flowRunWorkflow } from './inbound/workflow/flow-run';
