import type { SequenceRef } from '../../db/capped-sequence';
import type { RunLog } from '../store/runs';
import type { FlowRunInput, RunProgress } from '../workflow/types';

/** The run's entry in its flow's run log: written when the run starts, and as its steps end. */
export function createRunLogActivities(runs: RunLog) {
  return {
    async startRun(input: FlowRunInput, startedAt: number, progress: RunProgress): Promise<SequenceRef> {
      return runs.start({
        projectId: input.projectId,
        flowId: input.flowId,
        runId: input.runId,
        status: 'running',
        request: { body: JSON.stringify(input.request.body) ?? 'null', headers: input.request.headers },
        startedAt: new Date(startedAt),
        ...stored(progress),
      });
    },

    async recordRun(ref: SequenceRef, progress: RunProgress): Promise<void> {
      await runs.update(ref, stored(progress));
    },
  };
}

/** Progress as the run log stores it: times as dates (activity arguments carry them as numbers). */
function stored({ finishedAt, steps, ...rest }: RunProgress) {
  return {
    ...rest,
    steps: steps.map(({ startedAt, finishedAt: ended, ...step }) => ({
      ...step,
      startedAt: new Date(startedAt),
      ...(ended !== undefined ? { finishedAt: new Date(ended) } : {}),
    })),
    ...(finishedAt !== undefined ? { finishedAt: new Date(finishedAt) } : {}),
  };
}
