import type { Dispatcher } from 'undici';
import type { Database } from '../../db/mongo';
import type { OutboundPolicy } from '../../shared/http/client';
import type { Logger } from '../../shared/logger';
import { registerGauge } from '../../shared/metrics';
import { createExecutionLog, type ExecutionLog } from '../store/execution-log';
import { createDeliveryStore, type DeliveryStore } from '../store/deliveries';
import type { OutboundModels } from '../store/models';
import type { DeliveryActivities } from '../workflow/types';
import { createEndpointGuard, type EndpointGuard, type EndpointGuardOptions, type Wake } from './endpoint-guard';
import { createRecorder } from './recorder';
import { createSendWebhook } from './send-webhook';
import { createWebhookCache, type WebhookCache } from './webhook-cache';
import { ApplicationFailure } from '@temporalio/activity';
import type { OutboundDeps } from '../deps';
import { publishBatchPage } from '../events/batch';
import { finishRecovery, planRecoveryPage } from '../recoveries/plan';
import { createFoldDeliveries } from './fold';

export interface OutboundActivityDeps {
  db: Database<OutboundModels>;
  dispatcher: Dispatcher;
  outbound: OutboundPolicy;
  logger: Logger;
  logCapPerWebhook: number;
  /** MAX_PAYLOAD_BYTES: a folded delivery's body is rendered again, and checked. */
  maxPayloadBytes: number;
  endpoints: EndpointGuardOptions;
  /** Signals a delivery waiting for its endpoint; without it, waiting deliveries check back on a timer. */
  wake?: Wake;
  /** Shared across workers of one process (and reachable from tests); one is made from `endpoints` if absent. */
  endpointGuard?: EndpointGuard;
  /** How long a worker may serve a first attempt from its copy of the webhook. */
  webhookCacheTtlMs: number;
  /** An attempt still running after this long shows `pending` in the log. */
  pendingAfterMs: number;
  /** What a batch's activities deliver its events through: the process's publish services (absent: no batches here). */
  publish?: OutboundDeps;
  /** The stores, when the caller has its own (a test wraps the real ones to make a write fail); else made from `db`. */
  stores?: Partial<OutboundActivityStores>;
}

export interface OutboundActivityStores {
  deliveries: DeliveryStore;
  executionLog: ExecutionLog;
  webhooks: WebhookCache;
}

/** The stores an attempt reads and writes, over `db`. */
export function createOutboundActivityStores(deps: OutboundActivityDeps): OutboundActivityStores {
  return {
    deliveries: createDeliveryStore(deps.db, deps.logCapPerWebhook),
    executionLog: createExecutionLog(deps.db, deps.logCapPerWebhook),
    webhooks: createWebhookCache(deps.db.models, deps.webhookCacheTtlMs),
  };
}

/** The delivery workflow's activities, built from their dependencies (as in samples-typescript's DI sample). */
export function createOutboundActivities(deps: OutboundActivityDeps) {
  const { deliveries, executionLog, webhooks } = { ...createOutboundActivityStores(deps), ...deps.stores };
  const recorder = createRecorder({ ...deps, deliveries, executionLog, webhooks });
  const publish = () => {
    if (!deps.publish) throw ApplicationFailure.nonRetryable('this worker has no publish services', 'NoPublish');
    return deps.publish;
  };
  const endpointGuard = deps.endpointGuard ?? createEndpointGuard({ ...deps.endpoints, wake: deps.wake });
  countWaiting(endpointGuard);
  return {
    sendWebhook: createSendWebhook({ ...deps, webhooks, recorder, bodyOf: deliveries.body, endpointGuard }),
    finishDelivery: recorder.cutOff,
    recordAttempt: recorder.attempt,
    keepDeliveries: deliveries.keep,
    endedDeliveries: deliveries.endedOf,
    foldDeliveries: createFoldDeliveries({ db: deps.db, recorder, maxPayloadBytes: deps.maxPayloadBytes }),
    publishBatchPage: (input, from) => publishBatchPage(publish(), input, from),
    planRecoveryPage: (input, after) => planRecoveryPage(publish(), input, after),
    finishRecovery: (id, status, counts) => finishRecovery(deps, id, status, counts),
  } satisfies DeliveryActivities;
}

/** What the guard holds, as gauges read at scrape time (the worker's memory: no database call). */
function countWaiting(guard: EndpointGuard): void {
  registerGauge(
    'hookline_deliveries_waiting',
    'Deliveries waiting before any request: in an endpoint line (endpoint_line) or paused by an open circuit (circuit_open)',
    ['reason'],
    () => {
      const { inLine, paused } = guard.stats();
      return [
        [{ reason: 'endpoint_line' }, inLine],
        [{ reason: 'circuit_open' }, paused],
      ];
    },
  );
  registerGauge('hookline_circuits_open', 'Endpoints whose circuit is open or half-open, in this worker', [], () => [
    [{}, guard.stats().open],
  ]);
}
