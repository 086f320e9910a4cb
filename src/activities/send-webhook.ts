import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Dispatcher } from 'undici';
import type { Models } from '../db/models';
import { decideAttempt } from '../delivery/decide';
import type { ExecutionLog } from '../delivery/execution-log';
import { redactHeaders } from '../delivery/execution-log';
import { FailureType } from '../delivery/failure-types';
import { postWebhook } from '../delivery/http';
import { requestHeaders } from '../delivery/request-headers';
import type { DeliveryInput } from '../delivery/types';
import type { Logger } from '../logger';

export interface SendWebhookDeps {
  models: Models;
  executionLog: ExecutionLog;
  dispatcher: Dispatcher;
  logger: Logger;
}

/**
 * One attempt of one delivery. Temporal's retry policy calls it again on a retryable failure; it reads
 * the webhook afresh each time so that a webhook deleted or disabled meanwhile stops the delivery.
 */
export function createSendWebhook({ models, executionLog, dispatcher, logger }: SendWebhookDeps) {
  return async function sendWebhook(input: DeliveryInput): Promise<{ statusCode: number; attempt: number }> {
    const ctx = Context.current();
    const attempt = ctx.info.attempt;
    const webhook = await models.Webhook.findOne({ _id: input.webhookId, projectId: input.projectId }).lean();
    if (!webhook) throw ApplicationFailure.nonRetryable('webhook was deleted', FailureType.stopped);
    if (!webhook.enabled) {
      throw ApplicationFailure.nonRetryable(
        `webhook is disabled${webhook.disabledReason ? `: ${webhook.disabledReason}` : ''}`,
        FailureType.stopped,
      );
    }

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
      response: result.kind === 'response' ? { status: result.status, headers: result.headers, body: result.body } : undefined,
      error,
      finishedAt,
      durationMs: finishedAt.getTime() - startedAt.getTime(),
    });
    await models.Delivery.updateOne(
      { _id: input.deliveryId },
      { $set: { attempts: attempt, lastStatusCode: statusCode, lastError: error ?? null } },
    );
    logger.info({ deliveryId: input.deliveryId, webhookId: input.webhookId, attempt, statusCode, outcome: decision.outcome }, 'delivery attempt');

    switch (decision.outcome) {
      case 'success':
        return { statusCode: statusCode!, attempt };
      case 'stop':
        if (decision.disableWebhook) {
          await models.Webhook.updateOne({ _id: webhook._id }, { $set: { enabled: false, disabledReason: decision.reason } });
        }
        throw ApplicationFailure.nonRetryable(decision.reason, FailureType.stopped);
      case 'retry':
        throw ApplicationFailure.create({
          message: decision.reason,
          type: FailureType.attempt,
          nextRetryDelay: decision.nextRetryDelayMs,
          details: [{ statusCode, attempt }],
        });
    }
  };
}
