import type { Collection, Filter } from 'mongodb';
import { driverCollection, type BoundModel } from './driver';
import { isDuplicateKey } from './errors';
import type { Database } from './mongo';

/**
 * A capped sequence per key (the newest `cap` attempts of a webhook, runs of a flow), written by id only, so that it never scans and never needs a delete: entry n
 * of key k lives at `_id` `<k>~<n mod cap>`, so a key holds at most `cap` entries and writing entry n
 * replaces entry n - cap in the same operation.
 *
 * The next n of a key comes from this process's memory. The first write of a key this process has not seen
 * is an insert of n = 1: a new key costs nothing more, and a key with entries meets a duplicate `_id`; then
 * the head is found by id look-ups (slot 0 holds the newest multiple of `cap`; the head lies in the `cap`
 * numbers after it, found by galloping and bisecting on "does slot p hold entry p").
 * On MongoDB a write replaces only an older lap of its slot (`n < mine`), so a writer whose memory is stale
 * (another process wrote meanwhile) meets a duplicate `_id` instead of overwriting a newer entry, and finds
 * the head again. FerretDB would not apply that condition atomically (it reads, then writes): there a write
 * replaces its slot, which is exact for one writer per key (a worker process), and last-writer-wins for several.
 */
export interface SequenceEntry {
  _id: string;
  /** The entry's number in its key's sequence: newest is highest. */
  n: number;
  [field: string]: unknown;
}

/** Where an entry is: its `_id` and its number, so that its writer (or, after a crash, the next) can complete it. */
export interface SequenceRef {
  id: string;
  n: number;
}

const MAX_REMEMBERED_KEYS = 10_000;
const MAX_COLLISIONS = 50;

export function createCappedSequence(collection: Collection<SequenceEntry>, cap: number, db: Pick<Database, 'flavor'>) {
  const conditional = db.flavor === 'mongodb';
  const next = new Map<string, number>();
  // While the first write of a key this process has not seen finds out where the key is, the others wait.
  const learning = new Map<string, Promise<unknown>>();
  const slotId = (key: string, n: number) => `${key}~${n % cap}`;
  const byId = (id: string) => collection.findOne({ _id: id }, { projection: { n: 1 } });

  async function holds(key: string, p: number): Promise<boolean> {
    const doc = await byId(slotId(key, p));
    return doc !== null && doc.n >= p;
  }

  /** The highest n written for `key` (0 when none). */
  async function head(key: string): Promise<number> {
    const anchor = await byId(slotId(key, 0));
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

  function remember(key: string, n: number) {
    const known = next.get(key) ?? 0;
    next.delete(key); // re-inserted last: the map's order is least recently used first
    next.set(key, Math.max(n, known));
    if (next.size > MAX_REMEMBERED_KEYS) next.delete(next.keys().next().value!);
  }

  /**
   * Writes the next entry of `key`: `insert` when nothing is known of the key (so an occupied slot is
   * refused), else `replace` with `filter` (which, on MongoDB, lets only an older lap be replaced).
   */
  async function write<R>(
    key: string,
    fields: Record<string, unknown>,
    put: (how: { insert: boolean; filter: Filter<SequenceEntry>; doc: SequenceEntry }) => Promise<R>,
  ): Promise<{ id: string; n: number; replaced: R }> {
    for (let collisions = 0; ; collisions++) {
      while (learning.has(key)) await learning.get(key)!.catch(() => undefined);
      const known = next.get(key);
      const n = known ?? 1;
      remember(key, n + 1);
      const id = slotId(key, n);
      const filter: Filter<SequenceEntry> = conditional ? { _id: id, n: { $lt: n } } : { _id: id };
      const writing = put({ insert: known === undefined, filter, doc: { ...fields, _id: id, n } });
      try {
        const replaced = await (known === undefined ? learnWhile(key, writing) : writing);
        return { id, n, replaced };
      } catch (err) {
        if (!isDuplicateKey(err) || collisions >= MAX_COLLISIONS) {
          // Where the key is is unknown now (the write may or may not have landed): find out next time.
          next.delete(key);
          throw err;
        }
        // The slot holds n or later: this key has entries this process did not know of. Go on after them.
        const h = await learnWhile(key, head(key));
        remember(key, Math.max(n, h) + 1);
      }
    }
  }

  async function learnWhile<T>(key: string, work: Promise<T>): Promise<T> {
    learning.set(key, work);
    try {
      return await work;
    } finally {
      if (learning.get(key) === work) learning.delete(key);
    }
  }

  return {
    /** Appends an entry to `key`'s sequence; returns its id and number. */
    async append(key: string, fields: Record<string, unknown>): Promise<SequenceRef> {
      const { id, n } = await write(key, fields, async ({ insert, filter, doc }) => {
        if (insert) await collection.insertOne(doc);
        else await collection.replaceOne(filter, doc, { upsert: true });
      });
      return { id, n };
    },

    /**
     * Appends, and returns the entry it replaced (the key's oldest, once the sequence is full), if any: only
     * an older lap (with several writers on FerretDB the slot may have held a newer entry).
     */
    async appendEvicting(key: string, fields: Record<string, unknown>) {
      const { id, n, replaced } = await write(key, fields, async ({ insert, filter, doc }) => {
        if (!insert) return collection.findOneAndReplace(filter, doc, { upsert: true, returnDocument: 'before' });
        await collection.insertOne(doc);
        return null;
      });
      return { id, n, evicted: replaced && replaced.n < n ? replaced : null };
    },

    /** Deletes every entry of `key` (at most `cap`, each at a known `_id`), and forgets where the key was. */
    async clear(key: string): Promise<void> {
      next.delete(key);
      await collection.deleteMany({ _id: { $in: Array.from({ length: cap }, (_, n) => slotId(key, n)) } });
    },

    /**
     * Deletes entry `n` unless a later lap has taken its slot, or `where` no longer holds: the condition goes to
     * the database on every database (a check then a delete by `_id` could delete the later lap's entry).
     */
    async remove(id: string, n: number, where: Record<string, unknown> = {}) {
      await collection.deleteOne({ ...where, _id: id, n });
    },

    /** Sets fields of entry `n` unless a later lap has taken its slot, or `where` no longer holds. */
    async update(id: string, n: number, set: Record<string, unknown>, where: Record<string, unknown> = {}) {
      if (conditional) {
        await collection.updateOne({ ...where, _id: id, n }, { $set: set });
        return;
      }
      const current = await collection.findOne({ _id: id });
      if (!current || current.n !== n || Object.entries(where).some(([k, v]) => current[k] !== v)) return;
      await collection.updateOne({ _id: id }, { $set: set });
    },
  };
}

/** The driver's collection behind a model, typed for the sequence: its writes skip mongoose's casting. */
export const sequenceCollection = (model: BoundModel): Collection<SequenceEntry> =>
  driverCollection<SequenceEntry>(model);

export type CappedSequence = ReturnType<typeof createCappedSequence>;
