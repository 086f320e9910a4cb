import type { SequenceRef } from '../../db/capped-sequence';
import type { HttpStep, PublishStep, RunRecord, Step, StepRun } from '../store/records';

/**
 * A step as its run is started with. It is recorded in the workflow history, so an http step carries its
 * header names only: their values are secrets, read from the flow by the activity that sends the request.
 */
export type PlannedHttpStep = Omit<HttpStep, 'headers'> & { headerNames: string[] };
export type PlannedStep = Exclude<Step, HttpStep> | PlannedHttpStep;

export interface FlowResponse {
  statusCode: number;
  body: string;
  contentType: string;
}

/** Everything a flow run is started with: one accepted call of a flow's webhook URL. */
export interface FlowRunInput {
  runId: string;
  projectId: string;
  flowId: string;
  mode: 'async' | 'sync';
  /** The request body's name in templates (`web1`). */
  refId: string;
  request: { body: unknown; headers: Record<string, string> };
  steps: PlannedStep[];
  /** The response template: rendered over the request alone (async) or over every step's result (sync). */
  response: FlowResponse;
  /** What an async caller was answered, rendered before the run started: the run records it as it is. */
  answered?: FlowResponse;
}

export interface FlowRunResult {
  runId: string;
  response: FlowResponse;
}

/** What a step made: what it was given, as shown in the debugger (JSON text), and its result for later steps. */
export interface StepOutcome {
  input: string;
  result: unknown;
}

/** Times as activity arguments carry them (JSON): ms since the epoch. */
type InMs<T> = Omit<T, 'startedAt' | 'finishedAt'> & { startedAt: number; finishedAt?: number };

/** A step of the run as the debugger shows it (the run log's record, times in ms). */
export type StepProgress = InMs<StepRun>;

/** What the run has got to, as the run log records it. */
export type RunProgress = Partial<Pick<RunRecord, 'status' | 'response' | 'error'>> & {
  steps: StepProgress[];
  finishedAt?: number;
};

/** The templates' data: the request body under its refId, and each step's result under its ref. */
export type FlowContext = Record<string, unknown>;

/** What the flow-run workflow asks of its activities (inbound/activities implements them). */
export interface FlowActivities {
  /** Writes the run's entry, as it stands: the first time a run is recorded. */
  startRun(input: FlowRunInput, startedAt: number, progress: RunProgress): Promise<SequenceRef>;
  recordRun(ref: SequenceRef, progress: RunProgress): Promise<void>;
  renderSet(template: string, context: FlowContext): Promise<StepOutcome>;
  renderResponse(response: FlowResponse, context: FlowContext): Promise<FlowResponse>;
  callHttp(call: { flowId: string; step: PlannedHttpStep; context: FlowContext }): Promise<StepOutcome>;
  publishEvent(call: {
    projectId: string;
    runId: string;
    step: PublishStep;
    context: FlowContext;
  }): Promise<StepOutcome>;
}

/** The failure a run ends with: which step failed, and why. */
export const FLOW_RUN_FAILED = 'FlowRunFailed';
export interface RunFailureDetails {
  runId: string;
  step: string;
  error: string;
}

/** What a failed step's activity carries: what it was given, for the debugger. */
export const STEP_FAILED = 'FlowStepFailed';
export interface StepFailureDetails {
  input?: string;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

export const isRunFailureDetails = (v: unknown): v is RunFailureDetails =>
  isObject(v) && typeof v.runId === 'string' && typeof v.step === 'string' && typeof v.error === 'string';

export const isStepFailureDetails = (v: unknown): v is StepFailureDetails =>
  isObject(v) && (v.input === undefined || typeof v.input === 'string');
