import type { SequenceRef } from '../../db/capped-sequence';
import { metrics } from '../../shared/metrics';
import type { RunLog } from '../store/runs';
import type { FlowRunInput, RunProgress } from '../workflow/types';

/** The run's entry in its flow's run log: written when the run starts, and as its steps end. */
export function createRunLogActivities(runs: RunLog) {
  return {
    async startRun(input: FlowRunInput, startedAt: number, progress: RunProgress): Promise<SequenceRef> {
      // A run with nothing to wait for (set steps only) is written once, ended.
      countRun(progress);
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
      countRun(progress);
    },
  };
}

/** A run that ended, in the metrics. */
function countRun(progress: RunProgress): void {
  if (progress.status === 'done' || progress.status === 'error') metrics.flowRuns.inc({ outcome: progress.status });
}

/** What the debugger keeps of a step's input or output, as the execution log keeps of a response body. */
export const STEP_TEXT_LIMIT = 64 * 1024;

/** JSON text kept whole, or its start as a JSON string: the debugger shows what it keeps as JSON either way. */
const clip = (json: string | undefined) =>
  json === undefined || json.length <= STEP_TEXT_LIMIT
    ? json
    : JSON.stringify(`${json.slice(0, STEP_TEXT_LIMIT)}… (truncated)`);

/**
 * Progress as the run log stores it: times as dates (activity arguments carry them as numbers), and each step's
 * input and output cut to their first 64 Ki characters, so that a run of many large steps still fits one record.
 */
function stored({ finishedAt, steps, ...rest }: RunProgress) {
  return {
    ...rest,
    steps: steps.map(({ startedAt, finishedAt: ended, input, output, ...step }) => ({
      ...step,
      ...(input !== undefined ? { input: clip(input) } : {}),
      ...(output !== undefined ? { output: clip(output) } : {}),
      startedAt: new Date(startedAt),
      ...(ended !== undefined ? { finishedAt: new Date(ended) } : {}),
    })),
    ...(finishedAt !== undefined ? { finishedAt: new Date(finishedAt) } : {}),
  };
}
