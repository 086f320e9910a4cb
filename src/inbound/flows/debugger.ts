import { pageBySequence } from '../../db/pagination';
import { workflowEnd } from '../../shared/workflow-end';
import type { InboundDeps } from '../deps';
import { flowRunWorkflowId } from '../ids';
import type { RunRecord } from '../store/records';
import type { ListRunsInput } from './schema';
import { getFlow } from './service';

/** A run still `running` this long after it started is checked with its workflow as the debugger lists it. */
const QUIET_RUNNING_MS = 30_000;

/**
 * The flow debugger: a flow's runs, newest first (only its newest RUN_LOG_CAP_PER_FLOW are kept), each as it
 * stands. The run log is written by the run's own workflow, so an entry it can no longer reach says `running`
 * for ever: its workflow was ended from outside (terminated in the Web UI, say), or a worker stopped between
 * the entry's first write and the workflow task that would have kept it, and the run, retried, wrote another.
 * So an entry still running a while after it started is checked against its workflow (`reconciled`).
 */
export async function listRuns(deps: Pick<InboundDeps, 'db' | 'temporal' | 'config'>, input: ListRunsInput) {
  const flow = await getFlow(deps, input.projectId, input.id);
  const page = await pageBySequence(deps.db.models.FlowRun, { projectId: flow.projectId, flowId: flow._id }, input);
  const quietSince = Date.now() - QUIET_RUNNING_MS;
  const items = await Promise.all(
    page.items.map((run) =>
      run.status === 'running' && run.startedAt.getTime() < quietSince ? reconciled(deps, run) : run,
    ),
  );
  return { ...page, items: items.filter((run) => run !== null) };
}

/**
 * An entry that says `running`, as its workflow stands: still running, it is as it is. Completed, the workflow
 * recorded its end in its own entry (a workflow completes only after that write), so this one is a leftover and
 * is not shown. Ended otherwise, it is shown as it ended. Shown, not written: a reader never writes the run log;
 * the retention sweep (retention/activities.ts) records such an end, and drops such a leftover.
 */
async function reconciled(deps: Pick<InboundDeps, 'db' | 'temporal' | 'config'>, run: RunRecord) {
  const ended = await workflowEnd(deps.temporal, flowRunWorkflowId(run.runId));
  if (!ended) return run;
  // Read again after the workflow's answer: a run that completed has written its own entry by now.
  const current = await deps.db.models.FlowRun.findById(run._id).lean();
  // Gone (its flow deleted) or its slot taken by a newer run: the listed entry is no more.
  if (!current || current.n !== run.n) return null;
  if (current.status !== 'running') return current;
  if (ended.completed) return null;
  return { ...run, status: 'error' as const, error: runEndedFromOutside(ended.how), finishedAt: ended.at };
}

/** What a run ended from outside says (the debugger's view, and the sweep's record of it). */
export const runEndedFromOutside = (how: string) => `the run's workflow was ${how}`;
