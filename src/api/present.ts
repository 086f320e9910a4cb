import type { Page } from '../db/pagination';
import { webhookUrlOf } from '../inbound/flows/service';
import type { InboundDeps } from '../inbound/deps';
import type { FlowRecord, RunRecord, Step } from '../inbound/store/records';
import type { DeliveryRecord, LogEntryRecord, RecoveryRecord, WebhookRecord } from '../outbound/store/records';
import { effectiveRetryPolicy } from '../shared/workflow/retry-policy';
import { redactAuth, redactValues } from '../shared/redaction';

// How stored records are shown: contract field names, ISO dates, secrets redacted.

export const presentPage = <T, R>(page: Page<T>, present: (item: T) => R) => ({
  items: page.items.map(present),
  nextCursor: page.nextCursor,
});

export function presentWebhook(w: WebhookRecord) {
  return {
    id: w._id,
    projectId: w.projectId,
    name: w.name,
    url: w.url,
    enabled: w.enabled,
    ...(w.disabledReason ? { disabledReason: w.disabledReason } : {}),
    triggers: w.triggers.map((t) => ({
      entityType: t.entityType,
      actions: t.actions,
      contentTypes: t.contentTypes,
      recordIds: t.recordIds,
    })),
    headers: redactValues(w.headers),
    auth: redactAuth(w.auth),
    contentType: w.contentType,
    payloadTemplate: w.payloadTemplate ?? null,
    retryPolicy: effectiveRetryPolicy(w.retryPolicy),
    ordering: w.ordering ?? 'none',
    coalesce: w.coalesce ?? null,
    digest: w.digest ?? false,
    traceparent: w.traceparent ?? false,
    createdAt: w.createdAt.toISOString(),
    updatedAt: w.updatedAt.toISOString(),
  };
}

export function presentDelivery(d: DeliveryRecord) {
  return {
    id: d._id,
    webhookId: d.webhookId,
    eventId: d.eventId,
    workflowId: d.workflowId,
    action: d.action,
    status: d.status,
    attempts: d.attempts,
    createdAt: d.createdAt.toISOString(),
    finishedAt: d.finishedAt?.toISOString() ?? null,
    lastStatusCode: d.lastStatusCode ?? null,
    lastError: d.lastError ?? null,
    ...(d.eventIds ? { eventIds: d.eventIds } : {}),
    ...(d.coalescedInto ? { coalescedInto: d.coalescedInto } : {}),
  };
}

export function presentRecovery(r: RecoveryRecord) {
  return {
    id: r._id,
    webhookId: r.webhookId,
    status: r.status,
    total: r.total,
    sent: r.sent,
    skipped: r.skipped,
    failed: r.failed,
    since: r.since.toISOString(),
    until: r.until.toISOString(),
    createdAt: r.createdAt.toISOString(),
    finishedAt: r.finishedAt?.toISOString() ?? null,
  };
}

export function presentLogEntry(e: LogEntryRecord) {
  return {
    id: e._id,
    deliveryId: e.deliveryId,
    webhookId: e.webhookId,
    attempt: e.attempt,
    status: e.status,
    request: e.request,
    response: e.response ?? null,
    error: e.error ?? null,
    durationMs: e.durationMs ?? null,
    startedAt: e.startedAt.toISOString(),
    finishedAt: e.finishedAt?.toISOString() ?? null,
  };
}

/** A flow as shown: its webhook URL, never its token, and its http steps' header values redacted. */
export function presentFlow(deps: Pick<InboundDeps, 'config'>, f: FlowRecord) {
  return {
    id: f._id,
    projectId: f.projectId,
    name: f.name,
    status: f.status,
    mode: f.mode,
    refId: f.refId,
    steps: f.steps.map(presentStep),
    response: f.response,
    webhookUrl: webhookUrlOf(deps, f._id),
    createdAt: f.createdAt.toISOString(),
    updatedAt: f.updatedAt.toISOString(),
  };
}

function presentStep(step: Step): Step {
  return step.kind === 'http' && step.headers ? { ...step, headers: redactValues(step.headers) } : step;
}

/** JSON the run log keeps as text, shown as the JSON it is. */
const parsed = (text: string | undefined): unknown => (text === undefined ? undefined : JSON.parse(text));

export function presentRun(r: RunRecord) {
  return {
    id: r.runId,
    flowId: r.flowId,
    status: r.status,
    request: { body: parsed(r.request.body), headers: r.request.headers },
    steps: r.steps.map((s) => ({
      ref: s.ref,
      kind: s.kind,
      status: s.status,
      input: parsed(s.input) ?? null,
      output: parsed(s.output) ?? null,
      error: s.error ?? null,
      startedAt: s.startedAt.toISOString(),
      finishedAt: s.finishedAt?.toISOString() ?? null,
    })),
    response: r.response ?? null,
    error: r.error ?? null,
    startedAt: r.startedAt.toISOString(),
    finishedAt: r.finishedAt?.toISOString() ?? null,
  };
}
