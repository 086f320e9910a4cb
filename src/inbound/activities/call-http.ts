import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Dispatcher } from 'undici';
import type { Database } from '../../db/mongo';
import { effectiveRetryPolicy } from '../../shared/workflow/retry-policy';
import { DomainError } from '../../shared/errors';
import { refusedTarget, sendRequest, USER_AGENT, type OutboundPolicy } from '../../shared/http/client';
import { targetUrlProblem } from '../../shared/http/target-policy';
import { redactHeadersExcept } from '../../shared/redaction';
import { parseRendered, type LiquidSandbox } from '../../shared/templates/liquid';
import type { InboundModels } from '../store/models';
import {
  STEP_FAILED,
  type FlowContext,
  type PlannedHttpStep,
  type StepFailureDetails,
  type StepOutcome,
} from '../workflow/types';

/** Header values the debugger may show; every other one (tokens, keys) is a secret. */
const VISIBLE_HEADERS = new Set(['content-type', 'accept', 'user-agent']);

export interface CallHttpDeps {
  db: Database<Pick<InboundModels, 'Flow'>>;
  liquid: LiquidSandbox;
  dispatcher: Dispatcher;
  outbound: OutboundPolicy;
}

/**
 * An `http` step's attempt: render its request from the run's data, send it through the same client and target
 * policy as webhook deliveries, and succeed on 2xx; anything else is retried under the step's policy.
 */
export function createCallHttp({ db, liquid, dispatcher, outbound }: CallHttpDeps) {
  const failed = (message: string, input: string | undefined, retryable: boolean) => {
    const details: StepFailureDetails = { input };
    return ApplicationFailure.create({ message, type: STEP_FAILED, nonRetryable: !retryable, details: [details] });
  };

  return async function callHttp(call: {
    flowId: string;
    step: PlannedHttpStep;
    context: FlowContext;
  }): Promise<StepOutcome> {
    const { step, context } = call;
    const retry = effectiveRetryPolicy(step.retryPolicy);
    // Header values are secrets and stay out of the workflow history: they are read from the flow as it is now.
    const flow = await db.models.Flow.findById(call.flowId, { steps: 1 }).lean();
    if (!flow) throw failed('the flow was deleted while this run was under way', undefined, false);
    const stored = flow.steps.find((s) => s.kind === 'http' && s.ref === step.ref);
    const headerTemplates = stored?.kind === 'http' ? (stored.headers ?? {}) : {};
    // Sent without a header it was started with (an auth header, say), the request would fail obscurely or,
    // worse, succeed as someone else: the step stops and says why.
    const gone = step.headerNames.filter((name) => !Object.hasOwn(headerTemplates, name));
    if (gone.length) {
      throw failed(
        `the flow changed while this run was under way: header ${gone.join(', ')} is gone`,
        undefined,
        false,
      );
    }

    let request: { method: string; url: string; headers: Record<string, string>; body?: string };
    try {
      const render = (template: string) => liquid.render(template, context);
      const names = step.headerNames;
      const [url, body, ...values] = await Promise.all([
        render(step.url),
        step.body === undefined ? undefined : render(step.body),
        ...names.map((name) => render(headerTemplates[name] ?? '')),
      ]);
      const headers: Record<string, string> = {
        'user-agent': USER_AGENT,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...Object.fromEntries(names.map((name, i) => [name.toLowerCase(), values[i]!])),
      };
      request = { method: step.method, url: url.trim(), headers, ...(body !== undefined ? { body } : {}) };
    } catch (err) {
      // The same data renders the same way: another attempt would not help.
      if (err instanceof DomainError) throw failed(err.message, undefined, false);
      throw err;
    }
    const input = JSON.stringify({ ...request, headers: redactHeadersExcept(request.headers, VISIBLE_HEADERS) });

    const refused = targetUrlProblem(request.url, outbound.allowPrivate) ?? refusedTarget(request.url, outbound);
    if (refused) throw failed(`url: ${refused}`, input, false);

    const result = await sendRequest(dispatcher, {
      ...request,
      timeoutMs: retry.timeoutMs,
      signal: Context.current().cancellationSignal,
    });
    if (result.kind === 'failure') throw failed(result.error, input, true);
    if (result.status < 200 || result.status >= 300) throw failed(`HTTP ${result.status}`, input, true);
    return {
      input,
      result: { status: result.status, headers: result.headers, body: parseRendered(result.body) },
    };
  };
}
