import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { InvalidInputError, NotFoundError, TemplateRenderError, UnauthorizedError } from '../../shared/errors';
import { newId } from '../../shared/ids';
import { redactHeadersExcept } from '../../shared/redaction';
import { bearerToken, sameSecret } from '../../shared/secrets';
import type { InboundDeps } from '../deps';
import { isRunFailureDetails, type FlowRunInput } from '../workflow/types';
import { plannedSteps, startRun } from './start-run';

/** One call of a flow's webhook URL, as the HTTP route received it. */
export interface FlowCall {
  flowId: string;
  authorization?: string;
  /** The raw request body: JSON, or nothing. */
  body: string;
  headers: Record<string, string>;
}

/** What the caller is answered. */
export interface CallAnswer {
  statusCode: number;
  body: string;
  contentType: string;
  /** Set when a run was started: sent as `x-hookline-run-id`. */
  runId?: string;
}

/** Locoia's answer to a call of a paused flow, word for word; nothing is stored. */
export const PAUSED_ANSWER = {
  status: 200,
  error: 'biz_logic',
  message: 'Flow status is `paused`. Unpause to run this flow using a webhook',
  data: null,
};

/** The largest async answer a run is started with (see acceptCall). */
const ANSWER_IN_INPUT_MAX_CHARS = 64 * 1024;

/** Request headers the debugger shows as sent; every other value (tokens, cookies, keys) is redacted. */
const VISIBLE_HEADERS = new Set(['host', 'content-type', 'content-length', 'user-agent', 'accept']);

const json = (statusCode: number, body: unknown, runId?: string): CallAnswer => ({
  statusCode,
  body: JSON.stringify(body),
  contentType: 'application/json',
  ...(runId ? { runId } : {}),
});

/**
 * A call of a flow's webhook: check its token, then run the flow as a workflow. An async flow answers at once
 * with its response rendered over the request; a sync one waits for the run (at most FLOW_SYNC_TIMEOUT_MS) and
 * answers with the response rendered over every step's result, 504 if the run is still going, or 502 naming the
 * step that failed.
 */
export async function acceptCall(deps: InboundDeps, call: FlowCall): Promise<CallAnswer> {
  const presented = bearerToken(call.authorization);
  if (!presented) throw new UnauthorizedError('a valid Authorization: Bearer <token> is required');
  const flow = await deps.db.models.Flow.findById(call.flowId).lean();
  if (!flow) throw new NotFoundError('flow', call.flowId);
  if (!sameSecret(presented, flow.token)) throw new UnauthorizedError("the bearer token is not this flow's token");
  // Paused says so whatever was sent: the caller's problem then is the status, not the body.
  if (flow.status === 'paused') return json(200, PAUSED_ANSWER);
  const body = parseBody(call.body);

  const input: FlowRunInput = {
    runId: newId('run'),
    projectId: flow.projectId,
    flowId: flow._id,
    mode: flow.mode,
    refId: flow.refId,
    request: { body, headers: redactHeadersExcept(call.headers, VISIBLE_HEADERS) },
    steps: plannedSteps(flow),
    response: flow.response,
  };
  const { runId } = input;

  if (flow.mode === 'async') {
    // The answer needs the request alone. It is rendered first: a call whose answer cannot render starts nothing.
    let rendered: string;
    try {
      rendered = await deps.liquid.render(flow.response.body, { [flow.refId]: body });
    } catch (err) {
      if (err instanceof TemplateRenderError) return json(502, { runId: null, step: 'response', error: err.message });
      throw err;
    }
    const answered = { ...flow.response, body: rendered };
    // The run records the answer as it was sent, unless that would make its input large (the request body is
    // there already, and Temporal refuses a payload over 2 MB): then it renders the answer again.
    await startRun(deps, flow, rendered.length <= ANSWER_IN_INPUT_MAX_CHARS ? { ...input, answered } : input);
    return { ...answered, runId };
  }

  const run = await startRun(deps, flow, input);
  const timeoutMs = deps.config.FLOW_SYNC_TIMEOUT_MS;
  const limit = AbortSignal.timeout(timeoutMs);
  try {
    const { response } = await deps.temporal.withAbortSignal(limit, () => run.result());
    return { ...response, runId };
  } catch (err) {
    if (err instanceof WorkflowFailedError) {
      const details: unknown = err.cause instanceof ApplicationFailure ? err.cause.details?.[0] : undefined;
      if (isRunFailureDetails(details)) return json(502, details, runId);
      return json(502, { runId, step: null, error: err.cause?.message ?? err.message }, runId);
    }
    // Still going at the limit: the run goes on, and the debugger shows how it ends.
    if (limit.aborted) return json(504, { runId, error: `the run did not end within ${timeoutMs} ms` }, runId);
    throw err;
  }
}

function parseBody(raw: string): unknown {
  // A call without a body is a bare trigger.
  if (!raw.trim()) return {};
  try {
    return JSON.parse(raw);
  } catch (err) {
    throw InvalidInputError.field('body', `is not JSON (${err instanceof Error ? err.message : String(err)})`);
  }
}
