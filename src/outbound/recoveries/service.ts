import { WorkflowExecutionAlreadyStartedError, WorkflowIdReusePolicy } from '@temporalio/client';
import { driverCollection } from '../../db/driver';
import { findOwned } from '../../db/owned';
import { pageById } from '../../db/pagination';
import { insertOrFind } from '../../db/unique-insert';
import { NotFoundError } from '../../shared/errors';
import { derivedId, newId } from '../../shared/ids';
import type { ByIdInput } from '../../shared/schema';
import type { OutboundDeps } from '../deps';
import type { EventRecord, RecoveryRecord } from '../store/records';
import { getWebhook } from '../webhooks/service';
import { PROGRESS_QUERY } from '../workflow/failures';
import type { recoveryWorkflow } from '../workflow/recovery';
import type { RecoveryCounts } from '../workflow/types';
import { seqAt } from './plan';
import type { ListRecoveriesInput, RecoverInput } from './schema';

/** An estimate counts the window's events up to this many. */
const ESTIMATE_CAP = 10_000;
/** Deliveries of one recovery in flight at once (1 for a webhook with ordering, so an entity's stay in order). */
const WINDOW = 20;

export const recoveryWorkflowId = (id: string) => `recovery-${id}`;

/**
 * `deliveries.recover`: stores the recovery (once per idempotency key) and starts its workflow, which delivers again
 * what the webhook failed, or missed, among the project's events kept of the window. `estimate`: the window's events
 * (up to 10,000), before the filters; a dry run answers it and starts nothing.
 */
export async function recoverDeliveries(deps: OutboundDeps, input: RecoverInput) {
  const webhook = await getWebhook(deps, input.projectId, input.webhookId);
  const since = new Date(input.since);
  const until = input.until ? new Date(input.until) : new Date();
  const window = await driverCollection<EventRecord>(deps.db.models.Event)
    .find({ projectId: input.projectId, seq: { $gte: seqAt(since), $lt: seqAt(until) } }, { projection: { _id: 1 } })
    .sort({ seq: 1 })
    .limit(ESTIMATE_CAP)
    .toArray();
  const estimate = window.length;
  const recoveries = driverCollection<RecoveryRecord>(deps.db.models.Recovery);
  const key = derivedId('rck', input.projectId, input.idempotencyKey);
  if (input.dryRun) {
    const existing = await recoveries.findOne({ key });
    return { id: existing?._id ?? null, estimate };
  }
  const fresh: RecoveryRecord = {
    _id: newId('rcv'),
    key,
    projectId: input.projectId,
    webhookId: webhook._id,
    since,
    until,
    ...(input.contentTypes ? { contentTypes: input.contentTypes } : {}),
    ...(input.actions ? { actions: input.actions } : {}),
    statuses: input.statuses,
    includeMissed: input.includeMissed,
    status: 'running',
    total: 0,
    sent: 0,
    skipped: 0,
    failed: 0,
    createdAt: new Date(),
  };
  const stored = await insertOrFind(
    () => recoveries.insertOne(fresh),
    () => recoveries.findOne({ key }),
  );
  const recovery = stored.inserted ? fresh : stored.existing;
  try {
    await deps.temporal.workflow.start<typeof recoveryWorkflow>('recoveryWorkflow', {
      taskQueue: deps.config.TASK_QUEUE,
      workflowId: recoveryWorkflowId(recovery._id),
      args: [
        {
          recoveryId: recovery._id,
          projectId: recovery.projectId,
          webhookId: recovery.webhookId,
          window: webhook.ordering === 'entity' ? 1 : WINDOW,
        },
      ],
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      staticSummary: `recover ${webhook.url} · ${input.statuses.join(', ')}${input.includeMissed ? ', missed' : ''}`,
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
  return { id: recovery._id, estimate };
}

/** A recovery as it stands: while it runs, its counts are asked of its workflow (a query); then its record says. */
export async function getRecovery(deps: OutboundDeps, input: ByIdInput): Promise<RecoveryRecord> {
  const recovery = await findOwned(deps.db.models.Recovery, input.projectId, input.id);
  if (!recovery) throw new NotFoundError('recovery', input.id);
  if (recovery.status !== 'running') return recovery;
  const live = await deps.temporal.workflow
    .getHandle(recoveryWorkflowId(recovery._id))
    .query<RecoveryCounts>(PROGRESS_QUERY)
    .catch(() => undefined);
  return live ? { ...recovery, ...live } : recovery;
}

export const listRecoveries = (deps: Pick<OutboundDeps, 'db'>, input: ListRecoveriesInput) =>
  pageById(
    deps.db.models.Recovery,
    { projectId: input.projectId, ...(input.webhookId ? { webhookId: input.webhookId } : {}) },
    input,
  );

/** Stops a recovery: its workflow records it `cancelled` (the deliveries already started go on). */
export async function cancelRecovery(deps: OutboundDeps, input: ByIdInput) {
  const recovery = await findOwned(deps.db.models.Recovery, input.projectId, input.id);
  if (!recovery) throw new NotFoundError('recovery', input.id);
  if (recovery.status === 'running') {
    await deps.temporal.workflow
      .getHandle(recoveryWorkflowId(recovery._id))
      .cancel()
      .catch(() => undefined);
  }
  return { id: recovery._id, cancelled: recovery.status === 'running' };
}
