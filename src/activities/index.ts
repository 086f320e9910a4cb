import type { Dispatcher } from 'undici';
import type { Database } from '../db/mongo';
import { createDeliveryRecord } from '../delivery/delivery-record';
import {
  createEndpointGuard,
  type EndpointGuard,
  type EndpointGuardOptions,
  type Wake,
} from '../delivery/endpoint-guard';
import { createExecutionLog } from '../delivery/execution-log';
import type { OutboundPolicy } from '../delivery/http';
import { createWebhookCache } from '../delivery/webhook-cache';
import type { Logger } from '../logger';
import { createFinishDelivery } from './finish-delivery';
import { createSendWebhook } from './send-webhook';

export interface ActivityDeps {
  db: Database;
  dispatcher: Dispatcher;
  outbound: OutboundPolicy;
  logger: Logger;
  logCapPerWebhook: number;
  endpoints: EndpointGuardOptions;
  /** Signals a delivery waiting for its endpoint; without it, waiting deliveries check back on a timer. */
  wake?: Wake;
  /** Shared across workers of one process (and reachable from tests); one is made from `endpoints` if absent. */
  endpointGuard?: EndpointGuard;
  /** How long a worker may serve a first attempt from its copy of the webhook. */
  webhookCacheTtlMs: number;
  /** An attempt still running after this long shows `pending` in the log. */
  pendingAfterMs: number;
}

/** The worker's activities, built from their dependencies (as in samples-typescript's DI sample). */
export function createActivities(deps: ActivityDeps) {
  const { models } = deps.db;
  const executionLog = createExecutionLog(models.LogEntry, deps.logCapPerWebhook, deps.db);
  const deliveries = createDeliveryRecord(models);
  return {
    sendWebhook: createSendWebhook({
      ...deps,
      webhooks: createWebhookCache(models, deps.webhookCacheTtlMs),
      deliveries,
      executionLog,
      endpointGuard: deps.endpointGuard ?? createEndpointGuard({ ...deps.endpoints, wake: deps.wake }),
    }),
    finishDelivery: createFinishDelivery({ deliveries, executionLog }),
  };
}

export type Activities = ReturnType<typeof createActivities>;
