import type { Client } from '@temporalio/client';
import type { Config } from '../config';
import type { Database } from '../db/mongo';
import { createDeliveryStore, type DeliveryStore } from './store/deliveries';
import { createExecutionLog, type ExecutionLog } from './store/execution-log';
import type { OutboundModels } from './store/models';

/** What the outbound services need, built once per process (the stores remember where their sequences are). */
export interface OutboundDeps {
  config: Pick<
    Config,
    'TASK_QUEUE' | 'MAX_PAYLOAD_BYTES' | 'MAX_WEBHOOKS_PER_PROJECT' | 'LOG_CAP_PER_WEBHOOK' | 'ALLOW_PRIVATE_TARGETS'
  >;
  db: Database<OutboundModels>;
  temporal: Client;
  deliveries: DeliveryStore;
  executionLog: ExecutionLog;
  /**
   * The client shares the NativeConnection of a worker in this process (ROLE=all): a workflow's first task
   * may then be handed to that worker in the start's answer (eager workflow start), skipping a round trip.
   */
  eagerStart?: boolean;
}

export function createOutboundDeps(
  base: Pick<OutboundDeps, 'config' | 'db' | 'temporal' | 'eagerStart'>,
): OutboundDeps {
  return {
    ...base,
    deliveries: createDeliveryStore(base.db, base.config.LOG_CAP_PER_WEBHOOK),
    executionLog: createExecutionLog(base.db, base.config.LOG_CAP_PER_WEBHOOK),
  };
}
