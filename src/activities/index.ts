import type { Dispatcher } from 'undici';
import type { Models } from '../db/models';
import { createExecutionLog } from '../delivery/execution-log';
import type { Logger } from '../logger';
import { createFinishDelivery } from './finish-delivery';
import { createSendWebhook } from './send-webhook';

export interface ActivityDeps {
  models: Models;
  dispatcher: Dispatcher;
  logger: Logger;
  logCapPerWebhook: number;
}

/** The worker's activities, built from their dependencies (as in samples-typescript's DI sample). */
export function createActivities(deps: ActivityDeps) {
  const executionLog = createExecutionLog(deps.models, deps.logCapPerWebhook);
  return {
    sendWebhook: createSendWebhook({ ...deps, executionLog }),
    finishDelivery: createFinishDelivery(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
