import type { SequenceRef } from '../../db/capped-sequence';
import type { RunLog } from '../store/runs';
import type { FlowRunInput, RunProgress } from '../workflow/types';

/** The run's entry in its flow's run log: written when the run starts, and as its steps end. */
export function createRunLogActivities(runs: RunLog) {
  return {
    async startRun(input: FlowRunInput, startedAt: number): Promise<SequenceRef> {
      return runs.start({
        projectId: input.projectId,
        flowId: input.flowId,
        runId: input.runId,
        status: 'running',
        request: { body: JSON.stringify(input.request.body) ?? 'null', headers: input.request.headers },
        steps: [],
        startedAt: new Date(startedAt),
      });
    },

    async recordRun(ref: SequenceRef, progress: RunProgress): Promise<void> {
      const { finishedAt, steps, ...rest } = progress;
      await runs.update(ref, {
        ...rest,
        steps: steps.map(({ startedAt, finishedAt: ended, ...step }) => ({
          ...step,
          startedAt: new Date(startedAt),
          ...(ended !== undefined ? { finishedAt: new Date(ended) } : {}),
        })),
        ...(finishedAt !== undefined ? { finishedAt: new Date(finishedAt) } : {}),
      });
    },
  };
}
