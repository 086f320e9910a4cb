import {
  allHandlersFinished,
  condition,
  continueAsNew,
  defineSignal,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import { DELIVER_SIGNAL, DELIVERED_SIGNAL } from './failures';
import { addEvent, dueAtMs, fold, type Folded } from './lanes';
import { startDelivery } from './start-delivery';
import type { DeliveredSignal, DeliveryActivities, DeliveryInput, EntitySignal, EntityState, LaneState } from './types';

/** A publish hands its deliveries of this entity (signal-with-start, outbound/deliveries/route.ts). */
export const deliverSignal = defineSignal<[EntitySignal]>(DELIVER_SIGNAL);
/** One of this entity's deliveries has ended (its workflow says so): the next of its webhook may go. */
export const deliveredSignal = defineSignal<[DeliveredSignal]>(DELIVERED_SIGNAL);

const { keepDeliveries, foldDeliveries, endedDeliveries } = proxyActivities<DeliveryActivities>({
  startToCloseTimeout: '10 seconds',
  // Bookkeeping that must land: retried (Temporal's default policy) until it does.
});

/**
 * One entity (projectId, entityType, entity id) of webhooks with `ordering: 'entity'` or `coalesce`: a lane per
 * webhook, where the entity's events wait to go as one delivery of its latest state (lanes.ts):
 * - ordering: one delivery of the entity in flight per webhook; while it is, later events fold into one;
 * - coalescing: a batch goes once the entity is quiet for `quietMs`, or `maxWaitMs` after its first event.
 * Each delivery is its own workflow (`delivery-<id>`, started here), which signals its end back. This workflow
 * holds no body and no request: it decides when each delivery goes. It ends once no lane holds anything, and
 * continues as new when its history grows long (its deliveries go on meanwhile).
 */
export async function entityWorkflow(state: EntityState): Promise<void> {
  let changes = 0;
  setHandler(deliverSignal, (signal) => {
    accept(state, signal, Date.now());
    changes++;
  });
  setHandler(deliveredSignal, ({ webhookId, deliveryId }) => {
    const lane = state.lanes[webhookId];
    if (lane) lane.inFlight = lane.inFlight.filter((id) => id !== deliveryId);
    changes++;
  });

  for (;;) {
    // Taken before any await: a signal that lands while this pass awaits wakes the next wait at once.
    const seen = changes;
    const now = Date.now();
    // What is due goes first; the bookkeeping after.
    await Promise.all(Object.entries(state.lanes).map(([webhookId, lane]) => dispatch(state, webhookId, lane, now)));
    for (const { input, template } of state.plain.splice(0)) {
      await startDelivery(input, template, template.tags);
    }
    if (state.toKeep.length) await keepDeliveries(state.toKeep.splice(0));
    // A delivery ended from outside (terminated in the Web UI, say) never signals its end: its record says it.
    if (!hasInFlight(state)) state.checkInFlightAtMs = undefined;
    else if (Date.now() >= (state.checkInFlightAtMs ??= Date.now() + IN_FLIGHT_CHECK_MS)) {
      const ended = new Set(await endedDeliveries(Object.values(state.lanes).flatMap((l) => l.inFlight)));
      for (const lane of Object.values(state.lanes)) lane.inFlight = lane.inFlight.filter((id) => !ended.has(id));
      state.checkInFlightAtMs = Date.now() + IN_FLIGHT_CHECK_MS;
    }
    for (const [webhookId, lane] of Object.entries(state.lanes)) {
      if (!lane.batches.length && !lane.inFlight.length) delete state.lanes[webhookId];
    }
    const idle = !Object.keys(state.lanes).length && !state.plain.length && !state.toKeep.length;
    // Nothing waits: done. A signal that reaches Temporal meanwhile fails this completion, and the task is run
    // again with it; one after it starts a fresh run (signal-with-start).
    if (idle) return;
    if (workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      return continueAsNew<typeof entityWorkflow>(state);
    }
    const at = Date.now();
    const wakeAt = Math.min(
      nextDueMs(state) ?? Infinity,
      hasInFlight(state) ? (state.checkInFlightAtMs ?? at) : Infinity,
    );
    await condition(() => changes !== seen, wakeAt === Infinity ? undefined : Math.max(wakeAt - at, 1));
  }
}

/** How often a lane with a delivery in flight checks that it has not ended unseen. */
const IN_FLIGHT_CHECK_MS = 15 * 60_000;

const hasInFlight = (state: EntityState) => Object.values(state.lanes).some((l) => l.inFlight.length > 0);

/** What one publish hands over: plain deliveries start at once; the others join their lane's open batch. */
function accept(state: EntityState, signal: EntitySignal, nowMs: number): void {
  state.plain.push(...signal.plain);
  for (const { webhookId, settings, template, event } of signal.lanes) {
    const lane = (state.lanes[webhookId] ??= { settings, template, batches: [], inFlight: [] });
    // The newest publish says how the webhook is set now.
    lane.settings = settings;
    lane.template = template;
    // A repeated publish: in flight, sent or folded already, or waiting.
    if (lane.inFlight.includes(event.deliveryId) || state.recent?.includes(event.deliveryId)) continue;
    if (addEvent(lane.batches, event, nowMs)) state.toKeep.push({ webhookId, deliveryId: event.deliveryId });
  }
  for (const { input } of signal.plain) state.toKeep.push({ webhookId: input.webhookId, deliveryId: input.deliveryId });
}

/** How many of the entity's latest dispatched and folded deliveries a repeated publish is checked against. */
const RECENT = 1_000;

function remember(state: EntityState, ids: string[]) {
  state.recent = [...(state.recent ?? []), ...ids].slice(-RECENT);
}

/** Sends what is due in one lane: its first batch, folded into one delivery, when `dueAtMs` says so. */
async function dispatch(state: EntityState, webhookId: string, lane: LaneState, nowMs: number): Promise<void> {
  for (;;) {
    const due = dueAtMs(lane.settings, lane.batches, lane.inFlight.length);
    if (due === undefined || due > nowMs) return;
    const folded = fold(lane.batches.shift()!);
    remember(state, [folded.carrier.deliveryId, ...folded.folded]);
    // One event alone was stored as it goes; several are written as one (latest state, `eventIds`).
    if (folded.eventIds.length > 1) await foldDeliveries(state.projectId, webhookId, folded);
    const input = deliveryInput(state, webhookId, lane, folded);
    lane.inFlight.push(input.deliveryId);
    // Started already (by an earlier run), it stays in flight until it signals its end or its record shows it.
    await startDelivery(input, lane.template, { ...lane.template.tags, action: folded.action });
  }
}

function deliveryInput(state: EntityState, webhookId: string, lane: LaneState, folded: Folded): DeliveryInput {
  const { contentType, retry, webhookVersion } = lane.template;
  return {
    deliveryId: folded.carrier.deliveryId,
    projectId: state.projectId,
    webhookId,
    contentType,
    retry,
    ...(webhookVersion !== undefined ? { webhookVersion } : {}),
    notify: workflowInfo().workflowId,
    ...(lane.settings.ordering === 'entity' ? { ordered: true } : {}),
    ...(folded.folded.length ? { coalesced: folded.folded } : {}),
  };
}

/** When the next batch of any lane falls due (a coalescing window closing), if one is waiting on time. */
function nextDueMs(state: EntityState): number | undefined {
  let next: number | undefined;
  for (const lane of Object.values(state.lanes)) {
    const due = dueAtMs(lane.settings, lane.batches, lane.inFlight.length);
    if (due !== undefined && (next === undefined || due < next)) next = due;
  }
  return next;
}
