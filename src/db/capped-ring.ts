import type { Collection } from 'mongodb';
import type { Connection } from 'mongoose';
import { isDuplicateKey } from './errors';

/**
 * A capped sequence per key, written by id only, so that it never scans (FerretDB uses no secondary index
 * for a query) and never needs a delete: entry n of key k lives at `_id` `<k>~<n mod cap>`, so a key holds at
 * most `cap` entries and writing entry n replaces entry n - cap in the same operation.
 *
 * The next n of a key comes from this process's memory; a key it has not seen is taken to be new (n = 1).
 * A write only replaces an older lap (`n < mine`), so a writer whose guess or memory is stale meets a
 * duplicate `_id` instead of overwriting a newer entry. It then finds the head by id look-ups (slot 0 holds
 * the newest multiple of `cap`; the head lies in the `cap` numbers after it, found by galloping and
 * bisecting on "does slot p hold entry p") and goes on after it. A new key costs one write per entry.
 */
export interface RingEntry {
  _id: string;
  /** The entry's number in its key's sequence: newest is highest. */
  n: number;
  [field: string]: unknown;
}

const MAX_REMEMBERED_KEYS = 10_000;
const MAX_COLLISIONS = 50;

export function createCappedRing(collection: Collection<RingEntry>, cap: number) {
  const next = new Map<string, number>();
  const slotId = (key: string, n: number) => `${key}~${n % cap}`;

  async function holds(key: string, p: number): Promise<boolean> {
    const doc = await collection.findOne({ _id: slotId(key, p) }, { projection: { n: 1 } });
    return doc !== null && doc.n >= p;
  }

  /** The highest n written for `key` (0 when none). */
  async function head(key: string): Promise<number> {
    const anchor = await collection.findOne({ _id: slotId(key, 0) }, { projection: { n: 1 } });
    let lo = anchor?.n ?? 0; // holds(lo), or nothing was ever written
    let hi = lo + cap; // !holds(hi): its slot is the anchor's, which holds lo
    for (let step = 1; lo + step < hi; step *= 2) {
      if (!(await holds(key, lo + step))) {
        hi = lo + step;
        break;
      }
      lo += step;
    }
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (await holds(key, mid)) lo = mid;
      else hi = mid;
    }
    return lo;
  }

  /** The next n for `key` from memory; a key not in memory is guessed new (a wrong guess collides). */
  function take(key: string): number {
    const n = next.get(key) ?? 1;
    remember(key, n + 1);
    return n;
  }

  function remember(key: string, n: number) {
    const known = next.get(key) ?? 0;
    next.delete(key); // re-inserted last: the map's order is least recently used first
    next.set(key, Math.max(n, known));
    if (next.size > MAX_REMEMBERED_KEYS) next.delete(next.keys().next().value!);
  }

  /** Writes the next entry of `key` with `replace`, which may replace only an older lap of its slot. */
  async function write<R>(
    key: string,
    fields: Record<string, unknown>,
    replace: (filter: { _id: string; n: { $lt: number } }, doc: RingEntry) => Promise<R>,
  ): Promise<{ id: string; n: number; replaced: R }> {
    for (let collisions = 0; ; collisions++) {
      const n = take(key);
      const id = slotId(key, n);
      try {
        const replaced = await replace({ _id: id, n: { $lt: n } }, { ...fields, _id: id, n });
        return { id, n, replaced };
      } catch (err) {
        if (!isDuplicateKey(err) || collisions >= MAX_COLLISIONS) throw err;
        // This slot holds n or later: memory was stale (another writer, or a key this process had not
        // seen). Find the head, and go on after it.
        remember(key, Math.max(n, await head(key)) + 1);
      }
    }
  }

  return {
    cap,
    slotId,

    /** Appends an entry to `key`'s sequence; returns its id and number. */
    async append(key: string, fields: Record<string, unknown>): Promise<{ id: string; n: number }> {
      const { id, n } = await write(key, fields, (filter, doc) => collection.replaceOne(filter, doc, { upsert: true }));
      return { id, n };
    },

    /** Appends, and returns the entry it replaced (the key's oldest, once the ring is full), if any. */
    async appendEvicting(key: string, fields: Record<string, unknown>) {
      const { id, n, replaced } = await write(key, fields, (filter, doc) =>
        collection.findOneAndReplace(filter, doc, { upsert: true, returnDocument: 'before' }),
      );
      return { id, n, evicted: replaced };
    },

    /** Sets fields of entry `n` unless a later lap has taken its slot (or `where` no longer holds). */
    async update(id: string, n: number, set: Record<string, unknown>, where: Record<string, unknown> = {}) {
      await collection.updateOne({ ...where, _id: id, n }, { $set: set });
    },
  };
}

/** The driver's collection behind a model, typed for the ring: its writes skip mongoose's casting. */
export function ringCollection(model: {
  db: Connection;
  collection: { collectionName: string };
}): Collection<RingEntry> {
  return model.db.collection<RingEntry>(model.collection.collectionName);
}

export type CappedRing = ReturnType<typeof createCappedRing>;
