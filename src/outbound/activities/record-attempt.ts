import type { ExecutionLog } from '../store/execution-log';
import type { DeliveryStore } from '../store/deliveries';
import type { AttemptRecord } from '../workflow/types';
import type { WebhookCache } from './webhook-cache';

/**
 * The last stage of an attempt: what the request did, written down. In order: a webhook the receiver asked to
 * stop (410 Gone) is disabled first, so that nothing recorded as ended can still be sent; then the attempt's
 * log entry and the delivery's record, side by side.
 * A write that fails here must never cause another request: the attempt hands what is left to record to its
 * workflow (an `AttemptUnrecorded` failure), which records it with this same function as an activity of its
 * own, retried until it lands, instead of retrying the attempt.
 */
export function createRecordAttempt(deps: {
  deliveries: DeliveryStore;
  executionLog: ExecutionLog;
  webhooks: WebhookCache;
}) {
  const { deliveries, executionLog, webhooks } = deps;

  return async function recordAttempt(rec: AttemptRecord, body: string): Promise<void> {
    if (rec.disableReason !== undefined && !rec.disabled) {
      await webhooks.disable(rec.webhookId, rec.disableReason);
      rec.disabled = true;
    }
    const result = {
      status: rec.status,
      response: rec.response,
      error: rec.error,
      finishedAt: new Date(rec.finishedAtMs),
      durationMs: rec.finishedAtMs - rec.startedAtMs,
    };
    const [logged, attempted] = await Promise.allSettled([
      rec.logged
        ? undefined
        : rec.pendingRef
          ? executionLog.complete(rec.pendingRef, result)
          : executionLog.record(
              {
                projectId: rec.projectId,
                webhookId: rec.webhookId,
                deliveryId: rec.deliveryId,
                attempt: rec.attempt,
                request: { ...rec.request, body },
                startedAt: new Date(rec.startedAtMs),
              },
              result,
            ),
      deliveries.attempted(rec.deliveryId, {
        attempt: rec.attempt,
        statusCode: rec.statusCode,
        error: rec.error,
        end: rec.end,
        at: result.finishedAt,
      }),
    ]);
    // An entry is appended once: what landed is not written again when the rest is retried.
    if (logged.status === 'fulfilled') rec.logged = true;
    if (logged.status === 'rejected') throw logged.reason;
    if (attempted.status === 'rejected') throw attempted.reason;
  };
}

export type RecordAttempt = ReturnType<typeof createRecordAttempt>;
