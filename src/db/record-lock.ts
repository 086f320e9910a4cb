import { setTimeout as sleep } from 'node:timers/promises';
import type { Collection } from 'mongodb';
import { BusyError } from '../shared/errors';
import { isDuplicateKey } from './errors';

/** A lock document: its `_id` is the record it guards; `expiresAt` frees it should its holder die. */
export interface LockEntry {
  _id: string;
  expiresAt: Date;
}

export interface RecordLockOptions {
  /** How long a holder may keep the lock before another may take it (its holder is taken to have died). */
  ttlMs?: number;
  /** How long a caller waits for the lock before it is refused (BusyError: 503, try again). */
  waitMs?: number;
}

/**
 * One writer at a time for a record whose change reads it first (a secret rotation keeps the current secret
 * as the previous one), or whose writes may land concurrently from the API and a worker. FerretDB applies an
 * update as a read and a write of the whole document, not atomically, so two concurrent updates of one record
 * can lose one another's fields there; an insert under a unique `_id` is atomic on every database, so taking
 * the lock is an insert that only one caller wins, and giving it back is a delete.
 */
export function createRecordLocks(collection: Collection<LockEntry>, defaults: RecordLockOptions = {}) {
  const ttlMs = defaults.ttlMs ?? 10_000;
  const waitMs = defaults.waitMs ?? 10_000;

  return async function withRecordLock<T>(key: string, work: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + waitMs;
    let mine: LockEntry;
    for (let round = 0; ; round++) {
      try {
        mine = { _id: key, expiresAt: new Date(Date.now() + ttlMs) };
        await collection.insertOne(mine);
        break;
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
      }
      const held = await collection.findOne({ _id: key });
      if (held && held.expiresAt.getTime() < Date.now()) {
        // Its holder died: free it, unless it was taken anew meanwhile (then `expiresAt` differs).
        await collection.deleteOne({ _id: key, expiresAt: held.expiresAt });
        continue;
      }
      if (Date.now() >= deadline) throw new BusyError(`another change of ${key} is under way; try again`);
      await sleep(Math.min(200, 5 * 2 ** Math.min(round, 5)) * (0.5 + Math.random() / 2));
    }
    try {
      return await work();
    } finally {
      // Only this holder's lock: had it expired and been taken by another, that one stays.
      await collection.deleteOne({ _id: key, expiresAt: mine.expiresAt }).catch(() => undefined);
    }
  };
}

export type WithRecordLock = ReturnType<typeof createRecordLocks>;
