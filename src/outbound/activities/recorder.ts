import type { Logger } from '../../shared/logger';
import { metrics, projectLabel } from '../../shared/metrics';
import { INTERRUPTED, type ExecutionLog, type LogStart } from '../store/execution-log';
import type { DeliveryStore } from '../store/deliveries';
import type { EntryRef } from '../store/records';
import type { AttemptRecord, DeliveryInput, DeliveryResult } from '../workflow/types';
import type { WebhookCache } from './webhook-cache';

export interface RecorderDeps {
  deliveries: DeliveryStore;
  executionLog: ExecutionLog;
  webhooks: WebhookCache;
  logger: Logger;
  /** An attempt still running after this long is shown `pending` in the log until it ends. */
  pendingAfterMs: number;
}

/**
 * Where a delivery is logged, and the one writer of its record and log entries once it is stored (the API
 * inserts it; past its workflow's end the API may record an end seen from outside, once). Every write here is
 * made by the delivery's own workflow, through its activities, one at a time:
 * - `attempt`: the last stage of an attempt, what the request did: a webhook the receiver asked to stop (410
 *   Gone) disabled first, so that nothing recorded as ended can still be sent; then the attempt's log entry and
 *   the delivery's record, side by side. A write that fails here must never cause another request: the attempt
 *   hands what is left to its workflow (`AttemptUnrecorded`), which records it with this same function, as an
 *   activity of its own retried until it lands, instead of retrying the attempt;
 * - `showPendingIfSlow`: a `pending` entry for a request still running after a while;
 * - `stopped`: the end of a delivery that may not be sent any more (no request made);
 * - `tidyAfterCrash`: an attempt a crash cut off, closed as such by the next;
 * - `cutOff`: the end of a delivery whose last attempt could not record it.
 */
export function createRecorder(deps: RecorderDeps) {
  const { deliveries, executionLog, webhooks, logger } = deps;

  return {
    async attempt(rec: AttemptRecord, carried?: string): Promise<void> {
      const body = carried ?? (await deliveries.body(rec.deliveryId)) ?? '';
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
      if (rec.end && rec.coalesced?.length) {
        await deliveries.endedWith(rec.coalesced, { status: rec.end, error: rec.error, at: result.finishedAt });
      }
    },

    /**
     * Writes a `pending` entry (and where it is, for a crash to be tidied) only if the request is still running
     * after `pendingAfterMs`: a quick attempt is logged once, with its result.
     */
    showPendingIfSlow(start: LogStart) {
      let written: Promise<EntryRef | undefined> | undefined;
      const timer = setTimeout(() => {
        written = executionLog.pending(start).then(async (ref) => {
          await deliveries.pendingLogged(start.deliveryId, start.attempt, ref);
          return ref;
        });
        // Not awaited here: a failure to show `pending` must not fail the attempt; settle() tells.
        written.catch((err: unknown) => logger.warn({ err, deliveryId: start.deliveryId }, 'pending log entry'));
      }, deps.pendingAfterMs);
      return {
        async settle(): Promise<EntryRef | undefined> {
          clearTimeout(timer);
          return written?.catch(() => undefined);
        },
      };
    },

    /** The delivery may not be sent any more (webhook deleted or disabled, target refused): its end. */
    async stopped(
      input: Pick<DeliveryInput, 'deliveryId' | 'coalesced' | 'projectId'>,
      reason: string,
      attemptsMade: number,
    ) {
      await deliveries.ended(input.deliveryId, { status: 'error', error: reason, attempts: attemptsMade });
      metrics.deliveriesEnded.inc({ outcome: 'error', project: projectLabel(input.projectId) });
      await deliveries.endedWith(input.coalesced ?? [], { status: 'error', error: reason, at: new Date() });
    },

    /**
     * A batch of one entity's events folded into one delivery (outbound/workflow/lanes.ts): the carrier's body is
     * rendered again from its stored event, with the folded action and every event id; the others point at it.
     */
    async fold(carrierId: string, carrier: { body?: string; action: string; eventIds: string[] }, others: string[]) {
      await deliveries.folded(carrierId, carrier, others);
    },

    /**
     * A retry follows an attempt that may have been cut off by a crash: close its entry if it was left
     * `pending`, or log it as cut off if it had written nothing yet.
     */
    async tidyAfterCrash(input: DeliveryInput & { body: string }, previous: number, url: string): Promise<void> {
      const progress = await deliveries.progress(input.deliveryId);
      if (!progress) return;
      if (progress.pendingLog) {
        await executionLog.closeInterrupted(progress.pendingLog);
      } else if (progress.attempts < previous) {
        // Cut off before its delivery recorded it: it may have shown a pending entry (a crash between the two
        // writes), found by a query within the webhook's entries, on this after-a-crash path only; or nothing,
        // and then it is logged, so that every attempt has its entry.
        const shown = await executionLog.entryOf({
          projectId: input.projectId,
          webhookId: input.webhookId,
          deliveryId: input.deliveryId,
          attempt: previous,
        });
        if (shown) return executionLog.closeInterrupted(shown);
        const now = new Date();
        await executionLog.record(
          {
            projectId: input.projectId,
            webhookId: input.webhookId,
            deliveryId: input.deliveryId,
            attempt: previous,
            request: { url, method: 'POST', headers: {}, body: input.body },
            startedAt: now,
          },
          { status: 'error', error: INTERRUPTED, finishedAt: now, durationMs: 0 },
        );
      }
    },

    /**
     * The end of a delivery whose last attempt could not record it (it was cut off, so Temporal timed it out),
     * closing the log entry it left pending.
     */
    async cutOff(deliveryId: string, result: DeliveryResult, coalesced: string[] = []): Promise<void> {
      const progress = await deliveries.progress(deliveryId);
      if (progress?.pendingLog) await executionLog.closeInterrupted(progress.pendingLog);
      await deliveries.ended(deliveryId, { status: result.status, error: result.error, attempts: result.attempts });
      metrics.deliveriesEnded.inc({ outcome: result.status, project: '' });
      await deliveries.endedWith(coalesced, { status: result.status, error: result.error, at: new Date() });
    },
  };
}

export type Recorder = ReturnType<typeof createRecorder>;
