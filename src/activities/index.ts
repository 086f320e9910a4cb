import type { Dispatcher } from 'undici';
import type { Models } from '../db/models';
import { createEndpointGuard, type EndpointGuardOptions } from '../delivery/endpoint-guard';
import { createExecutionLog } from '../delivery/execution-log';
import type { OutboundPolicy } from '../delivery/http';
import type { Logger } from '../logger';
import { createFinishDelivery } from './finish-delivery';
import { createSendWebhook } from './send-webhook';

export interface ActivityDeps {
  models: Models;
  dispatcher: Dispatcher;
  outbound: OutboundPolicy;
  logger: Logger;
  logCapPerWebhook: number;
  endpoints: EndpointGuardOptions;
}

/** The worker's activities, built from their dependencies (as in samples-typescript's DI sample). */
export function createActivities(deps: ActivityDeps) {
  const executionLog = createExecutionLog(deps.models, deps.logCapPerWebhook);
  const endpointGuard = createEndpointGuard(deps.models, deps.endpoints);
  return {
    sendWebhook: createSendWebhook({ ...deps, executionLog, endpointGuard }),
    finishDelivery: createFinishDelivery({ ...deps, executionLog }),
  };
}

export type Activities = ReturnType<typeof createActivities>;
