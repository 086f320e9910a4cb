import { Schema, type Connection } from 'mongoose';
import { flowModes, flowStatuses, runStatus, type FlowRecord, type RunRecord } from './records';

/** How inbound flows are stored; the record types come from the zod schemas (records.ts). */

const flowSchema = new Schema<FlowRecord>(
  {
    _id: { type: String, required: true },
    projectId: { type: String, required: true },
    name: { type: String, required: true },
    status: { type: String, enum: flowStatuses, required: true },
    mode: { type: String, enum: flowModes, required: true },
    refId: { type: String, required: true },
    steps: { type: Schema.Types.Mixed, required: true },
    response: { type: Schema.Types.Mixed, required: true },
    token: { type: String, required: true },
  },
  { timestamps: true, versionKey: false, minimize: false },
);
// flows.list: a project's flows, newest first (ids start with the time).
flowSchema.index({ projectId: 1, _id: 1 });

const runSchema = new Schema<RunRecord>(
  {
    _id: { type: String, required: true },
    n: { type: Number, required: true },
    projectId: { type: String, required: true },
    flowId: { type: String, required: true },
    runId: { type: String, required: true },
    status: { type: String, enum: runStatus.options, required: true },
    request: { type: Schema.Types.Mixed, required: true },
    steps: { type: Schema.Types.Mixed, required: true },
    response: { type: Schema.Types.Mixed },
    error: { type: String },
    startedAt: { type: Date, required: true },
    finishedAt: { type: Date },
  },
  { versionKey: false, minimize: false },
);
// flows.runs: a flow's runs, newest first.
runSchema.index({ projectId: 1, flowId: 1, n: 1 });
// The retention sweep: running entries whose workflow may have been ended from outside, in turn.
runSchema.index({ status: 1, _id: 1 });

export function createInboundModels(conn: Connection) {
  return {
    Flow: conn.model<FlowRecord>('Flow', flowSchema, 'flows'),
    FlowRun: conn.model<RunRecord>('FlowRun', runSchema, 'flow_runs'),
  };
}

export type InboundModels = ReturnType<typeof createInboundModels>;
