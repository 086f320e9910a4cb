import type { DeliveryDoc, LogEntryDoc, WebhookDoc } from '../db/models';
import { effectiveRetryPolicy } from '../delivery/retry-policy';
import { REDACTED } from '../logger';

// How stored records are shown: contract field names, ISO dates, secrets redacted.

export function presentWebhook(w: WebhookDoc) {
  const auth = w.auth as { type: 'basic'; username: string } | { type: 'bearer' } | undefined;
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
    headers: Object.fromEntries(Object.keys((w.headers ?? {}) as object).map((k) => [k, REDACTED])),
    auth: !auth
      ? null
      : auth.type === 'basic'
        ? { type: 'basic' as const, username: auth.username, password: REDACTED }
        : { type: 'bearer' as const, token: REDACTED },
    contentType: w.contentType,
    payloadTemplate: w.payloadTemplate ?? null,
    retryPolicy: effectiveRetryPolicy(w.retryPolicy as object | undefined),
    createdAt: w.createdAt.toISOString(),
    updatedAt: w.updatedAt.toISOString(),
  };
}

export function presentDelivery(d: DeliveryDoc) {
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
  };
}

export function presentLogEntry(e: LogEntryDoc) {
  return {
    id: e._id,
    deliveryId: e.deliveryId,
    webhookId: e.webhookId,
    attempt: e.attempt,
    status: e.status,
    request: e.request as { url: string; method: string; headers: Record<string, string>; body: string },
    response: (e.response ?? null) as { status: number; headers: Record<string, string>; body: string } | null,
    error: e.error ?? null,
    durationMs: e.durationMs ?? null,
    startedAt: e.startedAt.toISOString(),
    finishedAt: e.finishedAt?.toISOString() ?? null,
  };
}
