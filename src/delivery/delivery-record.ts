import { driverCollection } from '../db/driver';
import type { DeliveryDoc, Models } from '../db/models';
import type { LogRef } from './execution-log';

/**
 * Every write the worker makes to a delivery's record. One attempt runs at a time per delivery (Temporal's
 * doing), so these single-document updates never race each other.
 */
export function createDeliveryRecord(models: Models) {
  const { Delivery } = models;
  const records = driverCollection<DeliveryDoc>(Delivery);
  return {
    /** What a retry needs to tidy up after an attempt a crash cut off. */
    async progress(deliveryId: string) {
      return Delivery.findById(deliveryId, { attempts: 1, pendingLog: 1 }).lean();
    },

    /** A slow attempt is under way: it counts, and its pending entry is where a crash can be tidied. */
    async pendingLogged(deliveryId: string, attempt: number, ref: LogRef): Promise<void> {
      await Delivery.updateOne({ _id: deliveryId }, { $set: { attempts: attempt, pendingLog: ref } });
    },

    /** One attempt's outcome; with `end`, the delivery's final status too. */
    async attempted(
      deliveryId: string,
      a: { attempt: number; statusCode?: number; error?: string; end?: 'done' | 'error'; at: Date },
    ): Promise<void> {
      // Through the driver: the hot path's one write of the record, without mongoose's casting.
      await records.updateOne(
        { _id: deliveryId },
        {
          $set: {
            updatedAt: a.at,
            attempts: a.attempt,
            lastStatusCode: a.statusCode ?? null,
            lastError: a.error ?? null,
            ...(a.end ? { status: a.end, finishedAt: a.at } : {}),
          },
          $unset: { pendingLog: 1 },
        },
      );
    },

    /** The end of a delivery whose last attempt could not record it (stopped before a request, or cut off). */
    async ended(deliveryId: string, end: { status: 'done' | 'error'; error?: string; attempts?: number }) {
      await Delivery.updateOne(
        { _id: deliveryId },
        {
          $set: {
            status: end.status,
            finishedAt: new Date(),
            ...(end.error ? { lastError: end.error } : {}),
            ...(end.attempts !== undefined ? { attempts: end.attempts } : {}),
          },
          $unset: { pendingLog: 1 },
        },
      );
    },
  };
}

export type DeliveryRecord = ReturnType<typeof createDeliveryRecord>;
