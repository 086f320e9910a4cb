import { createCappedSequence, sequenceCollection, type SequenceRef } from '../../db/capped-sequence';
import type { Database } from '../../db/mongo';
import type { InboundModels } from './models';
import type { RunRecord } from './records';

export type RunStart = Omit<RunRecord, '_id' | 'n'>;
export type RunUpdate = Partial<Pick<RunRecord, 'status' | 'steps' | 'response' | 'error' | 'finishedAt'>>;

/**
 * The flow debugger's log: one entry per accepted call, in its flow's capped sequence, so that only the newest
 * RUN_LOG_CAP_PER_FLOW runs of a flow remain. Written only by the run's own workflow (its local activities).
 */
export function createRunLog(db: Database<Pick<InboundModels, 'FlowRun'>>, cap: number) {
  const sequence = createCappedSequence(sequenceCollection(db.models.FlowRun), cap, db);
  return {
    start: (run: RunStart): Promise<SequenceRef> => sequence.append(run.flowId, run),
    /** Sets what changed: the steps so far, and at the end the status, response and finish time. */
    update: (ref: SequenceRef, progress: RunUpdate) => sequence.update(ref.id, ref.n, progress),
    /** Ends an entry that still says `running` (its workflow ended without recording it there). */
    closeRunning: (ref: SequenceRef, end: Pick<RunRecord, 'error' | 'finishedAt'>) =>
      sequence.update(ref.id, ref.n, { status: 'error', ...end }, { status: 'running' }),
    /** Deletes an entry that still says `running`: a leftover of an attempt whose run recorded itself elsewhere. */
    dropRunning: (ref: SequenceRef) => sequence.remove(ref.id, ref.n, { status: 'running' }),
    /** A deleted flow's runs go with it: nothing could read them any more. */
    clear: (flowId: string) => sequence.clear(flowId),
  };
}

export type RunLog = ReturnType<typeof createRunLog>;
