import type { Collection, Document } from 'mongodb';
import type { Connection } from 'mongoose';

export interface BoundModel {
  db: Connection;
  collection: { collectionName: string };
}

/**
 * The driver's collection behind a model, typed with the model's record: for the hot path's writes, whose
 * fields are complete and checked already, so that mongoose's document machinery adds no CPU to them.
 */
export function driverCollection<T extends Document>(model: BoundModel): Collection<T> {
  return model.db.collection<T>(model.collection.collectionName);
}
