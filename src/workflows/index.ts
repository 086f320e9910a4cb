// Everything the worker's workflow bundle holds. Workflow code is deterministic and imports no Node built-ins.
export { deliveryWorkflow } from './delivery';
