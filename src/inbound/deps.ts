import type { Client } from '@temporalio/client';
import type { Config } from '../config';
import type { Database } from '../db/mongo';
import type { LiquidSandbox } from '../shared/templates/liquid';
import type { OutboundModels } from '../outbound/store/models';
import type { InboundModels } from './store/models';

/** What the inbound services need: the flows, Temporal to start runs, and the sandbox templates render in. */
export interface InboundDeps {
  config: Pick<
    Config,
    'FLOW_TASK_QUEUE' | 'PUBLIC_URL' | 'ALLOW_PRIVATE_TARGETS' | 'FLOW_SYNC_TIMEOUT_MS' | 'RUN_LOG_CAP_PER_FLOW'
  >;
  /** The flows, and the tombstones a delete writes (kept with outbound's: one sweep removes both). */
  db: Database<InboundModels & Pick<OutboundModels, 'Tombstone'>>;
  temporal: Client;
  liquid: LiquidSandbox;
  /** Start runs eagerly on a worker of this process (ROLE=all): a sync call saves a round trip. */
  eagerStart?: boolean;
}
