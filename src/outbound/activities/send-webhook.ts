import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Dispatcher } from 'undici';
import { refusedTarget, sendRequest, type OutboundPolicy, type OutboundResult } from '../../shared/http/client';
import type { Logger } from '../../shared/logger';
import { metrics, projectLabel } from '../../shared/metrics';
import { endpointOf } from '../deliveries/endpoint';
import { loggedHeaders, type LogStart } from '../store/execution-log';
import { FailureType, type AttemptDetails, type PauseDetails, type UnrecordedDetails } from '../workflow/failures';
import type { AttemptRecord, DeliveryInput } from '../workflow/types';
import { decideAttempt, type Decision } from './decide';
import { isRefusal, type EndpointGuard } from './endpoint-guard';
import type { Recorder } from './recorder';
import { requestHeaders } from '../deliveries/request-headers';
import type { AttemptWebhook, WebhookCache } from './webhook-cache';

export interface SendWebhookDeps {
  webhooks: WebhookCache;
  endpointGuard: EndpointGuard;
  /** Every write of the delivery's record and log (recorder.ts). */
  recorder: Recorder;
  /** The body a delivery's record holds, when its workflow does not carry it. */
  bodyOf: (deliveryId: string) => Promise<string | undefined>;
  dispatcher: Dispatcher;
  outbound: OutboundPolicy;
  logger: Logger;
}

/**
 * One attempt of one delivery; Temporal's retry policy calls it again on a retryable failure.
 * In stages: prepare (the webhook, may it be sent, may its endpoint take it now) → call (one POST, through a
 * client that touches no database) → record (decide, then the recorder logs the attempt and records the
 * delivery, the end included when this was the last).
 * A first attempt that succeeds costs two database writes, plus a read when the worker's webhook copy is
 * stale (see webhook-cache.ts).
 */
export function createSendWebhook(deps: SendWebhookDeps) {
  const { webhooks, endpointGuard, recorder, dispatcher, outbound, logger, bodyOf } = deps;

  return async function sendWebhook(
    carried: DeliveryInput,
    attemptsBefore = 0,
  ): Promise<{ statusCode: number; attempt: number }> {
    const ctx = Context.current();
    const attempt = attemptsBefore + ctx.info.attempt;
    const last = attempt >= carried.retry.maximumAttempts;
    // The Temporal server's clock, on which the workflow's pauses run: now, or the attempt's scheduled time
    // when that is later (the time-skipping test server runs ahead of this machine's clock).
    const serverNow = () => Math.max(ctx.info.currentAttemptScheduledTimestampMs, Date.now());

    // Prepare.
    const [webhook, body] = await Promise.all([
      webhooks.get(carried.webhookId, { fresh: attempt > 1, atLeastVersion: carried.webhookVersion }),
      carried.body ?? bodyOf(carried.deliveryId),
    ]);
    const input = { ...carried, body: body ?? '' };
    if (attempt > 1) await recorder.tidyAfterCrash(input, attempt - 1, webhook?.url ?? '');
    const refused = body === undefined ? 'the delivery was removed' : whyNotSend(webhook, input, outbound);
    if (refused !== undefined || !webhook) {
      const reason = refused ?? 'webhook was deleted';
      await recorder.stopped(input, reason, attempt - 1);
      throw stop(reason, attempt - 1);
    }
    const { url } = webhook;
    const endpoint = endpointOf(input.webhookId);
    const startedAt = new Date();
    const headers = requestHeaders(webhook, input.deliveryId, input.contentType, input.body, startedAt);
    const start: LogStart = {
      projectId: input.projectId,
      webhookId: input.webhookId,
      deliveryId: input.deliveryId,
      attempt,
      request: { url, method: 'POST', headers: loggedHeaders(headers), body: input.body },
      startedAt,
    };
    const now = serverNow();
    const permit = await endpointGuard.enter(endpoint, now, ctx.info.workflowExecution?.workflowId, input.projectId);
    if (isRefusal(permit)) {
      metrics.pauses.inc({ reason: permit.circuit ? 'circuit_open' : 'endpoint_full' });
      throw pause({
        attemptsUsed: attempt - 1,
        reason: permit.reason,
        ...(permit.untilMs !== undefined ? { resumeInMs: permit.untilMs - now } : {}),
        ...(permit.queued ? { queued: true } : {}),
      });
    }

    // Call. The place at the endpoint is the request's alone, not the writes' that follow it.
    const pending = recorder.showPendingIfSlow(start);
    let outcome: 'success' | 'failure' | 'none' = 'none';
    let result: OutboundResult;
    let decision: Decision;
    const sentAtMs = Date.now();
    try {
      result = await sendRequest(dispatcher, {
        url,
        headers,
        body: input.body,
        timeoutMs: input.retry.timeoutMs,
        signal: ctx.cancellationSignal,
        traceContext: webhook.traceparent === true,
      });
      decision = decideAttempt(result, { minRetryDelayMs: 1_000, maxRetryDelayMs: input.retry.maximumIntervalMs });
      outcome = decision.outcome === 'retry' ? 'failure' : 'success';
    } finally {
      permit.release(outcome, serverNow());
    }

    // Record: the webhook disabled if the receiver said stop, then the log entry and the delivery's record.
    const statusCode = result.kind === 'response' ? result.status : undefined;
    const end = decision.outcome === 'success' ? 'done' : decision.outcome === 'stop' || last ? 'error' : undefined;
    const error =
      decision.outcome === 'success'
        ? undefined
        : `${decision.reason}${end === 'error' && input.ordered ? NEXT_GOES_AHEAD : ''}`;
    const finishedAt = Date.now();
    const record: AttemptRecord = {
      deliveryId: input.deliveryId,
      projectId: input.projectId,
      webhookId: input.webhookId,
      attempt,
      request: { url: start.request.url, method: start.request.method, headers: start.request.headers },
      startedAtMs: startedAt.getTime(),
      finishedAtMs: finishedAt,
      status: decision.outcome === 'success' ? 'done' : 'error',
      response: responseOf(result),
      error,
      statusCode,
      end,
      ...(input.coalesced?.length ? { coalesced: input.coalesced } : {}),
      ...(decision.outcome === 'stop' && decision.disableWebhook ? { disableReason: decision.reason } : {}),
      pendingRef: await pending.settle(),
    };
    countAttempt(input, record, result, sentAtMs);
    try {
      await recorder.attempt(record, input.body);
    } catch (err) {
      logger.warn({ err, deliveryId: input.deliveryId, attempt }, 'recording an attempt failed');
      // Another request is due anyway (a failed attempt, not the last): Temporal's retry goes on, and the
      // next attempt logs this one as cut off if its entry is missing. Otherwise the workflow records it.
      if (decision.outcome === 'retry' && !last) throw retry(decision, { attempt, statusCode, recorded: false });
      const details: UnrecordedDetails = { record, outcome: decision.outcome, reason: error };
      throw ApplicationFailure.create({
        message: `recording the attempt failed: ${err instanceof Error ? err.message : String(err)}`,
        type: FailureType.unrecorded,
        nonRetryable: true,
        details: [details],
      });
    }
    logger.debug(
      { deliveryId: input.deliveryId, webhookId: input.webhookId, attempt, statusCode, outcome: decision.outcome },
      'delivery attempt',
    );

    switch (decision.outcome) {
      case 'success':
        return { statusCode: statusCode!, attempt };
      case 'stop':
        throw stop(decision.reason, attempt);
      case 'retry':
        throw retry(decision, { attempt, statusCode, recorded: last });
    }
  };
}

/** An attempt that made a request, in the metrics (memory only: no database call, no request). */
function countAttempt(input: DeliveryInput, record: AttemptRecord, result: OutboundResult, sentAtMs: number): void {
  const project = projectLabel(input.projectId);
  const outcome = record.status === 'done' ? 'success' : record.end ? 'failed' : 'retry';
  metrics.attempts.inc({ outcome, project });
  if (record.end) metrics.deliveriesEnded.inc({ outcome: record.end, project });
  // From the request's start: not the moment it may have waited for a place at its endpoint.
  metrics.attemptDuration.observe({ outcome }, (record.finishedAtMs - sentAtMs) / 1000);
  if (record.status === 'done' && result.kind === 'response' && input.publishedAtMs !== undefined) {
    metrics.deliveryLatency.observe({ project }, Math.max(0, result.firstByteAtMs - input.publishedAtMs) / 1000);
  }
}

/** What the last failed attempt of an ordered delivery says: its entity's next delivery is not held back. */
export const NEXT_GOES_AHEAD = ' (failed for good: the next delivery of this entity goes ahead)';

function whyNotSend(webhook: AttemptWebhook | null, input: Pick<DeliveryInput, 'projectId'>, outbound: OutboundPolicy) {
  if (!webhook || webhook.projectId !== input.projectId) return 'webhook was deleted';
  if (!webhook.enabled) return `webhook is disabled${webhook.disabledReason ? `: ${webhook.disabledReason}` : ''}`;
  return refusedTarget(webhook.url, outbound);
}

function responseOf(result: OutboundResult) {
  return result.kind === 'response' ? { status: result.status, headers: result.headers, body: result.body } : undefined;
}

function stop(reason: string, attemptsMade: number): ApplicationFailure {
  const details: AttemptDetails = { attempt: attemptsMade, recorded: true };
  return ApplicationFailure.create({
    message: reason,
    type: FailureType.stopped,
    nonRetryable: true,
    details: [details],
  });
}

function retry(decision: { reason: string; nextRetryDelayMs?: number }, details: AttemptDetails): ApplicationFailure {
  return ApplicationFailure.create({
    message: decision.reason,
    type: FailureType.attempt,
    nextRetryDelay: decision.nextRetryDelayMs,
    details: [details],
  });
}

function pause(details: PauseDetails): ApplicationFailure {
  // Non-retryable for Temporal: the workflow waits (signalled, or on a timer), holding no worker slot, then goes on.
  return ApplicationFailure.create({
    message: details.reason,
    type: FailureType.paused,
    nonRetryable: true,
    details: [details],
  });
}
