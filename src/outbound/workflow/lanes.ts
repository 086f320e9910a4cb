/**
 * The rules of an entity's lane to one webhook (ordering and coalescing), as pure functions over plain data:
 * the entity workflow (entity.ts) keeps the state and the timers; what is sent, and when, is decided here.
 */

/** How a webhook asked its deliveries of one entity to go (`ordering`, `coalesce` on the webhook). */
export interface LaneSettings {
  ordering: 'none' | 'entity';
  coalesce: { quietMs: number; maxWaitMs: number } | null;
}

/** One published event of the entity, as its lane holds it: its delivery record is already stored. */
export interface LaneEvent {
  deliveryId: string;
  eventId: string;
  action: string;
}

/** Events waiting to go as one delivery. Times are workflow time (ms). */
export interface Batch {
  events: LaneEvent[];
  firstAtMs: number;
  lastAtMs: number;
  /** Full (MAX_BATCH_EVENTS): it goes as it is, and later events open the next batch. */
  sealed?: boolean;
}

/** The most events one delivery stands for, so that its `eventIds` keep its body small. */
export const MAX_BATCH_EVENTS = 500;

/** Adds an event to the lane's open batch (the last, unless sealed), or opens one; false if it waits already. */
export function addEvent(batches: Batch[], event: LaneEvent, nowMs: number): boolean {
  if (batches.some((b) => b.events.some((e) => e.deliveryId === event.deliveryId))) return false; // a repeat
  const open = batches[batches.length - 1];
  if (open && !open.sealed) {
    open.events.push(event);
    open.lastAtMs = nowMs;
    if (open.events.length >= MAX_BATCH_EVENTS) open.sealed = true;
    return true;
  }
  batches.push({ events: [event], firstAtMs: nowMs, lastAtMs: nowMs });
  return true;
}

/**
 * When the lane's first batch may go (workflow time, ms), or undefined while it must wait for a delivery in
 * flight (ordering) or there is none. Without `coalesce` it may go at once; with it, once the entity has been
 * quiet for `quietMs`, or `maxWaitMs` after its first event, whichever comes first.
 */
export function dueAtMs(settings: LaneSettings, batches: Batch[], inFlight: number): number | undefined {
  const batch = batches[0];
  if (!batch) return undefined;
  if (settings.ordering === 'entity' && inFlight > 0) return undefined;
  if (batch.sealed || batches.length > 1 || !settings.coalesce) return batch.firstAtMs;
  const { quietMs, maxWaitMs } = settings.coalesce;
  return Math.min(batch.lastAtMs + quietMs, batch.firstAtMs + maxWaitMs);
}

/** What one batch is sent as. */
export interface Folded {
  /** The delivery that is sent: the newest event that counts, whose state is the latest. */
  carrier: LaneEvent;
  /** The action it is sent with. */
  action: string;
  /** Every event it stands for, oldest first. */
  eventIds: string[];
  /** The other deliveries of the batch, folded into the carrier. */
  folded: string[];
}

/**
 * Folds a batch into one delivery of the latest state:
 * - after a delete, only a create counts again (never an update after a delete);
 * - a create and then updates, none sent yet, go as a create of the latest state;
 * - a create and then a delete, none sent yet, go as the delete alone.
 * Every event is listed in `eventIds`.
 */
export function fold(batch: Batch): Folded {
  const [first] = batch.events;
  if (!first) throw new Error('an empty batch');
  let carrier = first;
  // Whether the entity's life, as the receiver is to see it, begins in this batch (a create, none sent yet).
  let created = first.action === 'create';
  for (const e of batch.events.slice(1)) {
    if (carrier.action === 'delete' && e.action !== 'create') continue;
    if (e.action === 'create') created = true;
    carrier = e;
  }
  const action = created && carrier.action === 'update' ? 'create' : carrier.action;
  return {
    carrier,
    action,
    eventIds: batch.events.map((e) => e.eventId),
    folded: batch.events.filter((e) => e.deliveryId !== carrier.deliveryId).map((e) => e.deliveryId),
  };
}
