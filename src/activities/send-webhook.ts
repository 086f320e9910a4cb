import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Dispatcher } from 'undici';
import type { Models } from '../db/models';
import { decideAttempt } from '../delivery/decide';
import { endpointOf, type EndpointGuard } from '../delivery/endpoint-guard';
import { redactHeaders, type ExecutionLog } from '../delivery/execution-log';
import { FailureType, type PauseDetails } from '../delivery/failure-types';
import { postWebhook, refusedTarget, type OutboundPolicy } from '../delivery/http';
import { requestHeaders } from '../delivery/request-headers';
import type { DeliveryInput } from '../delivery/types';
import type { Logger } from '../logger';

export interface SendWebhookDeps {
  models: Models;
  executionLog: ExecutionLog;
  endpointGuard: EndpointGuard;
  dispatcher: Dispatcher;
  outbound: OutboundPolicy;
  logger: Logger;
}

/** How long a request's lease outlives its timeout, should the worker holding it die. */
const LEASE_GRACE_MS = 5_000;

const stop = (reason: string, attemptsMade: number) =>
  ApplicationFailure.create({
    message: reason,
    type: FailureType.stopped,
    nonRetryable: true,
    details: [{ attempt: attemptsMade }],
  });

function pause(details: PauseDetails): ApplicationFailure {
  // Non-retryable for Temporal: the workflow waits on a timer (holding no worker slot) and then goes on.
  return ApplicationFailure.create({
    message: details.reason,
    type: FailureType.paused,
    nonRetryable: true,
    details: [details],
  });
}

/**
 * One attempt of one delivery; Temporal's retry policy calls it again on a retryable failure.
 *
 * It reads the webhook by id once per attempt, for what must be current or must stay out of the workflow
 * history that the Web UI shows: whether it still exists and is enabled, its URL (so that a fixed URL helps
 * retries under way), its headers, auth and signing secrets. Everything else comes with the input.
 */
export function createSendWebhook({
  models,
  executionLog,
  endpointGuard,
  dispatcher,
  outbound,
  logger,
}: SendWebhookDeps) {
  return async function sendWebhook(
    input: DeliveryInput,
    attemptsBefore = 0,
  ): Promise<{ statusCode: number; attempt: number }> {
    const ctx = Context.current();
    const attempt = attemptsBefore + ctx.info.attempt;
    // The Temporal server's clock, on which the workflow's pauses run (and which tests can skip ahead).
    const serverNow = ctx.info.currentAttemptScheduledTimestampMs;

    const webhook = await models.Webhook.findOne(
      { _id: input.webhookId, projectId: input.projectId },
      {
        enabled: 1,
        disabledReason: 1,
        url: 1,
        headers: 1,
        auth: 1,
        secret: 1,
        previousSecret: 1,
        previousSecretExpiresAt: 1,
      },
    ).lean();
    if (!webhook) throw stop('webhook was deleted', attempt - 1);
    if (!webhook.enabled) {
      throw stop(`webhook is disabled${webhook.disabledReason ? `: ${webhook.disabledReason}` : ''}`, attempt - 1);
    }
    const refused = refusedTarget(webhook.url, outbound);
    if (refused) throw stop(refused, attempt - 1);

    const endpoint = endpointOf(webhook.url);
    const openUntil = await endpointGuard.openUntil(endpoint, serverNow);
    if (openUntil !== undefined) {
      // Spread the resumption so that the paused deliveries do not all hit the endpoint at once.
      const resumeInMs = openUntil - serverNow + Math.floor(Math.random() * 1_000);
      throw pause({ resumeInMs, attemptsUsed: attempt - 1, reason: `endpoint ${endpoint} is paused (circuit open)` });
    }
    const lease = await endpointGuard.acquire(endpoint, input.retry.timeoutMs + LEASE_GRACE_MS);
    if (!lease) {
      // A place frees when any of the requests in flight ends: look again soon, spread out.
      const resumeInMs = 200 + Math.floor(Math.random() * 800);
      throw pause({
        resumeInMs,
        attemptsUsed: attempt - 1,
        reason: `endpoint ${endpoint} has too many requests in flight`,
      });
    }

    try {
      // An earlier attempt cut off by a crash left its entry pending: it failed, and says so.
      if (attempt > 1) await executionLog.closeInterrupted(input.deliveryId);
      const startedAt = new Date();
      const headers = requestHeaders(webhook, input.deliveryId, input.contentType, input.body, startedAt);
      const logId = await executionLog.start({
        projectId: input.projectId,
        webhookId: input.webhookId,
        deliveryId: input.deliveryId,
        attempt,
        request: { url: webhook.url, method: 'POST', headers: redactHeaders(headers), body: input.body },
        startedAt,
      });

      const result = await postWebhook(dispatcher, {
        url: webhook.url,
        headers,
        body: input.body,
        timeoutMs: input.retry.timeoutMs,
        signal: ctx.cancellationSignal,
      });
      const decision = decideAttempt(result, {
        minRetryDelayMs: 1_000,
        maxRetryDelayMs: input.retry.maximumIntervalMs,
      });

      const finishedAt = new Date();
      const statusCode = result.kind === 'response' ? result.status : undefined;
      const error = decision.outcome === 'success' ? undefined : decision.reason;
      await executionLog.finish(logId, {
        status: decision.outcome === 'success' ? 'done' : 'error',
        response:
          result.kind === 'response'
            ? { status: result.status, headers: result.headers, body: result.body }
            : undefined,
        error,
        finishedAt,
        durationMs: finishedAt.getTime() - startedAt.getTime(),
      });
      await models.Delivery.updateOne(
        { _id: input.deliveryId },
        { $set: { lastStatusCode: statusCode ?? null, lastError: error ?? null } },
      );
      if (decision.outcome === 'success') await endpointGuard.recordSuccess(endpoint);
      else if (decision.outcome === 'retry') await endpointGuard.recordFailure(endpoint, serverNow, decision.reason);
      logger.info(
        { deliveryId: input.deliveryId, webhookId: input.webhookId, attempt, statusCode, outcome: decision.outcome },
        'delivery attempt',
      );

      switch (decision.outcome) {
        case 'success':
          return { statusCode: statusCode!, attempt };
        case 'stop':
          if (decision.disableWebhook) {
            await models.Webhook.updateOne(
              { _id: input.webhookId },
              { $set: { enabled: false, disabledReason: decision.reason } },
            );
          }
          throw stop(decision.reason, attempt);
        case 'retry':
          throw ApplicationFailure.create({
            message: decision.reason,
            type: FailureType.attempt,
            nextRetryDelay: decision.nextRetryDelayMs,
            details: [{ statusCode, attempt }],
          });
      }
    } finally {
      await endpointGuard.release(lease);
    }
  };
}
