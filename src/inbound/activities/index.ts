import type { Dispatcher } from 'undici';
import type { Database } from '../../db/mongo';
import type { OutboundDeps } from '../../outbound/deps';
import type { OutboundPolicy } from '../../shared/http/client';
import type { LiquidSandbox } from '../../shared/templates/liquid';
import type { InboundModels } from '../store/models';
import { createRunLog } from '../store/runs';
import type { FlowActivities } from '../workflow/types';
import { createCallHttp } from './call-http';
import { createPublishEvent } from './publish-event';
import { createRenderActivities } from './render';
import { createRunLogActivities } from './run-log';

export interface InboundActivityDeps {
  db: Database<InboundModels>;
  liquid: LiquidSandbox;
  dispatcher: Dispatcher;
  outbound: OutboundPolicy;
  runLogCap: number;
  /** What a `publish` step needs to publish an event of the flow's project. */
  publish: OutboundDeps;
}

/** The flow-run workflow's activities, built from their dependencies. */
export function createInboundActivities(deps: InboundActivityDeps) {
  return {
    ...createRunLogActivities(createRunLog(deps.db, deps.runLogCap)),
    ...createRenderActivities(deps.liquid),
    callHttp: createCallHttp(deps),
    publishEvent: createPublishEvent({ outbound: deps.publish, liquid: deps.liquid }),
  } satisfies FlowActivities;
}
