import type { Client } from '@temporalio/client';
import type { Config } from '../config';
import type { Database } from '../db/mongo';
import { createDeliveryStore, type DeliveryStore } from './store/deliveries';
import type { OutboundModels } from './store/models';

/**
 * What the outbound services need, built once per process (main.ts): the delivery store remembers where each
 * webhook's ring of kept deliveries is, and two stores in one process would each remember it differently.
 */
export interface OutboundDeps {
  config: Pick<
    Config,
    'TASK_QUEUE' | 'MAX_PAYLOAD_BYTES' | 'MAX_WEBHOOKS_PER_PROJECT' | 'LOG_CAP_PER_WEBHOOK' | 'ALLOW_PRIVATE_TARGETS'
  >;
  db: Database<OutboundModels>;
  temporal: Client;
  deliveries: DeliveryStore;
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
  };
}
