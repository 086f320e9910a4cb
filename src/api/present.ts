import type { Page } from '../db/pagination';
import type { DeliveryRecord, LogEntryRecord, WebhookRecord } from '../outbound/store/records';
import { effectiveRetryPolicy } from '../outbound/workflow/retry-policy';
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
