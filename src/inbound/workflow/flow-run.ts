import {
  ActivityFailure,
  ApplicationFailure,
  proxyActivities,
  proxyLocalActivities,
  TimeoutFailure,
} from '@temporalio/workflow';
import { effectiveRetryPolicy, toTemporalRetryPolicy } from '../../shared/workflow/retry-policy';
import {
  FLOW_RUN_FAILED,
  isStepFailureDetails,
  type FlowActivities,
  type FlowContext,
  type FlowResponse,
  type FlowRunInput,
  type FlowRunResult,
  type PlannedStep,
  type RunFailureDetails,
  type RunProgress,
  type StepOutcome,
  type StepProgress,
} from './types';
import type { SequenceRef } from '../../db/capped-sequence';

/** Room, on top of an http step's own request timeout, for rendering its templates and reading its flow. */
const ATTEMPT_OVERHEAD_MS = 5_000;

/**
 * What the run carries from step to step, measured as JSON: every activity gets it whole, and Temporal refuses
 * a payload over 2 MB (it would end the run without a word), so a step whose result would take it past this
 * fails, saying so.
 */
export const MAX_RUN_DATA_BYTES = 1_500_000;

// Rendering and recording run in the worker beside the workflow (local activities): no round trip through
// the server, so a flow of `set` steps answers in one workflow task. A template that fails is not retried
// (the activity says so); busy threads are, a few times.
const local = proxyLocalActivities<FlowActivities>({
  startToCloseTimeout: '15 seconds',
  retry: { maximumAttempts: 3 },
});
// The run log is retried for minutes: a database blip must not fail a run whose steps have had effects.
const logged = proxyLocalActivities<FlowActivities>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 20 },
});

const { publishEvent } = proxyActivities<FlowActivities>({ startToCloseTimeout: '30 seconds' });

/**
 * One accepted call of a flow's webhook: run its steps in order, each result available to the later ones under
 * its ref; a step that fails (an http step after its last attempt) fails the run. Every step is recorded in the
 * flow's run log, which the flow debugger reads. A sync call waits for the response rendered at the end.
 */
export async function flowRunWorkflow(input: FlowRunInput): Promise<FlowRunResult> {
  const startedAt = Date.now();
  // The run's entry is written when it is first recorded: a run of quick steps costs one write, at its end;
  // one with a step that waits on another system shows in the debugger as that step starts.
  let log: SequenceRef | undefined;
  const record = async (progress: RunProgress) => {
    if (log) await logged.recordRun(log, progress);
    else log = await logged.startRun(input, startedAt, progress);
  };
  const context: FlowContext = { [input.refId]: input.request.body };
  const steps: StepProgress[] = [];

  const fail = async (step: string, error: string): Promise<never> => {
    await record({ status: 'error', steps, error: `${step}: ${error}`, finishedAt: Date.now() });
    const details: RunFailureDetails = { runId: input.runId, step, error };
    throw ApplicationFailure.create({
      message: `${step}: ${error}`,
      type: FLOW_RUN_FAILED,
      nonRetryable: true,
      details: [details],
    });
  };

  for (const step of input.steps) {
    const stepStartedAt = Date.now();
    const running: StepProgress = { ref: step.ref, kind: step.kind, status: 'running', startedAt: stepStartedAt };
    // A step that waits on another system may take long: the debugger shows it running meanwhile.
    if (step.kind !== 'set') await record({ steps: [...steps, running] });
    try {
      const outcome = await runStep(input, step, context);
      context[step.ref] = outcome.result;
      const size = new TextEncoder().encode(json(context)).length;
      if (size > MAX_RUN_DATA_BYTES) {
        throw new Error(
          `its result takes the run's data to ${size} bytes, over ${MAX_RUN_DATA_BYTES} (MAX_RUN_DATA_BYTES)`,
        );
      }
      steps.push({
        ...running,
        status: 'done',
        input: outcome.input,
        output: json(outcome.result),
        finishedAt: Date.now(),
      });
    } catch (err) {
      const error = describeFailure(err);
      steps.push({ ...running, status: 'error', input: failedInput(err), error, finishedAt: Date.now() });
      await fail(step.ref, error);
    }
  }

  // An async caller was answered at once, over the request alone (runs started before `answered` existed render
  // that again); a sync one waits for this.
  let response: FlowResponse;
  try {
    response =
      input.answered ??
      (await local.renderResponse(
        input.response,
        input.mode === 'sync' ? context : { [input.refId]: input.request.body },
      ));
  } catch (err) {
    return fail('response', describeFailure(err));
  }
  await record({
    status: 'done',
    steps,
    response: { statusCode: response.statusCode, body: response.body },
    finishedAt: Date.now(),
  });
  return { runId: input.runId, response };
}

function runStep(input: FlowRunInput, step: PlannedStep, context: FlowContext): Promise<StepOutcome> {
  switch (step.kind) {
    case 'set':
      return local.renderSet(step.value, context);
    case 'publish':
      return publishEvent({ projectId: input.projectId, runId: input.runId, step, context });
    case 'http': {
      const retry = effectiveRetryPolicy(step.retryPolicy);
      const { callHttp } = proxyActivities<FlowActivities>({
        startToCloseTimeout: retry.timeoutMs + ATTEMPT_OVERHEAD_MS,
        retry: toTemporalRetryPolicy(retry),
      });
      return callHttp({ flowId: input.flowId, step, context });
    }
  }
}

const json = (value: unknown) => JSON.stringify(value) ?? 'null';

function failedInput(err: unknown): string | undefined {
  const cause = err instanceof ActivityFailure && err.cause instanceof ApplicationFailure ? err.cause : undefined;
  const details: unknown = cause?.details?.[0];
  return isStepFailureDetails(details) ? details.input : undefined;
}

function describeFailure(err: unknown): string {
  if (err instanceof ActivityFailure) {
    if (err.cause instanceof TimeoutFailure) return 'the step timed out';
    if (err.cause) return err.cause.message;
  }
  return err instanceof Error ? err.message : String(err);
}
