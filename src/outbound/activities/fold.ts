import type { Database } from '../../db/mongo';
import { driverCollection } from '../../db/driver';
import { PayloadTooLargeError } from '../../shared/errors';
import { renderBody } from '../deliveries/body';
import { eventRecordIdFor } from '../ids';
import type { OutboundModels } from '../store/models';
import type { EventRecord } from '../store/records';
import type { Folded } from '../workflow/lanes';
import type { Recorder } from './recorder';

/**
 * Folds a batch of one entity's events into one delivery (the entity workflow decides which, lanes.ts): the
 * carrier's body is rendered again from its event as stored, with the folded action and every event id, by the
 * same renderer as a publish; the recorder writes it.
 */
export function createFoldDeliveries(deps: {
  db: Database<Pick<OutboundModels, 'Event' | 'Webhook'>>;
  recorder: Pick<Recorder, 'fold'>;
  maxPayloadBytes: number;
}) {
  const events = driverCollection<EventRecord>(deps.db.models.Event);
  return async function foldDeliveries(projectId: string, webhookId: string, folded: Folded): Promise<void> {
    const [stored, webhook] = await Promise.all([
      events.findOne({ _id: eventRecordIdFor(projectId, folded.carrier.eventId) }),
      deps.db.models.Webhook.findById(webhookId, { payloadTemplate: 1, contentType: 1 }).lean(),
    ]);
    // Without its event (published before events kept their payload) or its webhook (deleted: the delivery
    // stops at its first attempt), the carrier keeps the body it was stored with.
    let body: string | undefined;
    let eventIds = folded.eventIds;
    if (stored?.event && webhook) {
      const event = { ...stored.event, action: folded.action };
      try {
        body = renderBody(webhook, event, deps.maxPayloadBytes, eventIds);
      } catch (err) {
        if (!(err instanceof PayloadTooLargeError)) throw err;
        // Every event id listed made it too large: the latest state goes, listing its own event only (it was
        // stored within the size with that one).
        eventIds = [folded.carrier.eventId];
        body = renderBody(webhook, event, deps.maxPayloadBytes, eventIds);
      }
    }
    await deps.recorder.fold(
      folded.carrier.deliveryId,
      { ...(body !== undefined ? { body } : {}), action: folded.action, eventIds },
      folded.folded,
    );
  };
}
