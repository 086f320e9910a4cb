import { proxyActivities } from '@temporalio/workflow';
import type { FloorActivities, FloorInput } from './floors';

// The engine floor: what Temporal alone costs for a workflow of ONE activity that returns at once.
// Bundled on its own (workflowsPath), run on a worker with the same tuning as Hookline's.

const { floorNoop } = proxyActivities<FloorActivities>({ startToCloseTimeout: '20 seconds' });

export async function benchFloorWorkflow(input: FloorInput): Promise<void> {
  await floorNoop(input);
}
