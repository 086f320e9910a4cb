import { randomBytes } from 'node:crypto';
import { deleteOwned, findOwned } from '../../db/owned';
import { pageById } from '../../db/pagination';
import { InvalidInputError, InvalidTemplateError, NotFoundError } from '../../shared/errors';
import { targetUrlProblem } from '../../shared/http/target-policy';
import { newId } from '../../shared/ids';
import { keepRedactedHeaders } from '../../shared/redaction';
import type { ByIdInput } from '../../shared/schema';
import type { InboundDeps } from '../deps';
import type { FlowRecord, Step } from '../store/records';
import { createRunLog } from '../store/runs';
import { createTombstones } from '../../outbound/store/tombstones';
import type { CreateFlowInput, ListFlowsInput, UpdateFlowInput } from './schema';

/** A flow webhook's bearer token: 64 random URL-safe characters (Locoia's are "usually > 50"). */
const newToken = () => randomBytes(48).toString('base64url');

/** Liquid markup: a URL without any is fixed, and is checked against the target policy at create time. */
const LIQUID_MARKUP = /{{|{%/;

/** Every template of a flow, by the field that holds it. */
function templatesOf(flow: Pick<FlowRecord, 'steps' | 'response'>): [field: string, template: string][] {
  const found: [string, string][] = [['response.body', flow.response.body]];
  flow.steps.forEach((step, i) => {
    const at = `steps.${i}`;
    if (step.kind === 'set') found.push([`${at}.value`, step.value]);
    if (step.kind === 'publish') found.push([`${at}.entity`, step.entity]);
    if (step.kind === 'http') {
      found.push([`${at}.url`, step.url]);
      if (step.body !== undefined) found.push([`${at}.body`, step.body]);
      for (const [name, value] of Object.entries(step.headers ?? {})) found.push([`${at}.headers.${name}`, value]);
    }
  });
  return found;
}

/**
 * The checks zod cannot make alone: step refs are unique and are not the request's refId, every template
 * compiles (a problem names the field, the line and the column), and a fixed URL is a target this deployment
 * may reach.
 */
async function checkFlow(deps: InboundDeps, flow: Pick<FlowRecord, 'refId' | 'steps' | 'response'>) {
  const problems: string[] = [];
  const seen = new Set<string>();
  flow.steps.forEach((step, i) => {
    if (step.ref === flow.refId) problems.push(`steps.${i}.ref: '${step.ref}' is the request's refId`);
    else if (seen.has(step.ref)) problems.push(`steps.${i}.ref: '${step.ref}' names an earlier step too`);
    seen.add(step.ref);
    if (step.kind === 'http' && !LIQUID_MARKUP.test(step.url)) {
      const problem = targetUrlProblem(step.url, deps.config.ALLOW_PRIVATE_TARGETS);
      if (problem) problems.push(`steps.${i}.url: ${problem}`);
    }
  });
  const compiled = await Promise.all(
    templatesOf(flow).map(async ([field, template]) => {
      try {
        await deps.liquid.check(template);
        return undefined;
      } catch (err) {
        if (!(err instanceof InvalidTemplateError)) throw err;
        return `${field}: ${err.message}`;
      }
    }),
  );
  problems.push(...compiled.filter((p) => p !== undefined));
  if (problems.length) throw new InvalidInputError(problems);
}

export async function getFlow(deps: Pick<InboundDeps, 'db'>, projectId: string, id: string): Promise<FlowRecord> {
  const flow = await findOwned(deps.db.models.Flow, projectId, id);
  if (!flow) throw new NotFoundError('flow', id);
  return flow;
}

export const listFlows = (deps: Pick<InboundDeps, 'db'>, input: ListFlowsInput) =>
  pageById(deps.db.models.Flow, { projectId: input.projectId }, input);

export async function createFlow(deps: InboundDeps, input: CreateFlowInput): Promise<FlowRecord> {
  await checkFlow(deps, input);
  const created = await deps.db.models.Flow.create({ _id: newId('flow'), token: newToken(), ...input });
  return created.toObject();
}

/** An http step's header values sent back as `[redacted]` keep what the step of the same ref stored. */
function keepRedactedStepHeaders(sent: Step[], stored: Step[]): Step[] {
  return sent.map((step, i) => {
    if (step.kind !== 'http') return step;
    const before = stored.find((s) => s.kind === 'http' && s.ref === step.ref);
    const headers = keepRedactedHeaders(
      step.headers,
      before?.kind === 'http' ? before.headers : undefined,
      `steps.${i}.headers`,
    );
    return headers ? { ...step, headers } : step;
  });
}

export async function updateFlow(deps: InboundDeps, input: UpdateFlowInput): Promise<FlowRecord> {
  const { projectId, id, ...changes } = input;
  const stored = await getFlow(deps, projectId, id);
  const steps = changes.steps && keepRedactedStepHeaders(changes.steps, stored.steps);
  const next = {
    refId: changes.refId ?? stored.refId,
    steps: steps ?? stored.steps,
    response: changes.response ?? stored.response,
  };
  await checkFlow(deps, next);
  const $set = Object.fromEntries(Object.entries({ ...changes, steps }).filter(([, v]) => v !== undefined));
  const updated = await deps.db.models.Flow.findOneAndUpdate(
    { _id: stored._id },
    { $set },
    { returnDocument: 'after' },
  ).lean();
  if (!updated) throw new NotFoundError('flow', id);
  return updated;
}

/** A deleted flow's webhook URL answers 404 at once; its runs under way stop at their next http step. */
export async function deleteFlow(deps: InboundDeps, input: ByIdInput) {
  const flow = await getFlow(deps, input.projectId, input.id);
  // First the tombstone: should this stop half-way, or a run still write, the retention sweep removes the runs.
  await createTombstones(deps.db).mark('flow', flow._id, flow.projectId);
  if (!(await deleteOwned(deps.db.models.Flow, input.projectId, input.id))) throw new NotFoundError('flow', input.id);
  await createRunLog(deps.db, deps.config.RUN_LOG_CAP_PER_FLOW).clear(input.id);
  return { id: input.id, deleted: true };
}

/** A new token; the old one stops working at once (every call reads the flow afresh). */
export async function rotateToken(deps: InboundDeps, input: ByIdInput): Promise<{ token: string }> {
  const flow = await getFlow(deps, input.projectId, input.id);
  const token = newToken();
  await deps.db.models.Flow.updateOne({ _id: flow._id }, { $set: { token } });
  return { token };
}

/** Where the flow's webhook is called (Locoia's `…/v1/flow-webhook/<id>`). */
export const webhookUrlOf = (deps: Pick<InboundDeps, 'config'>, flowId: string) =>
  `${deps.config.PUBLIC_URL.replace(/\/+$/, '')}/v1/flow-webhook/${flowId}`;
