import { isDuplicateKey } from './errors';

/**
 * Takes one of `count` numbered places and inserts a record holding it, exact under concurrent callers:
 * a unique index on (owner, slot) lets only one of two inserts hold the same place, and the other picks
 * again. Freeing a place is deleting its record. Returns null when every place is taken.
 * (A counter would need a conditional update, which FerretDB does not apply atomically; an insert it does.)
 */
export async function insertInFreeSlot<T>(opts: {
  count: number;
  /** The places held now. */
  taken: () => Promise<Iterable<number>>;
  insert: (slot: number) => Promise<T>;
}): Promise<T | null> {
  // Each round at least one contender wins a place, so this ends.
  for (let round = 0; round <= opts.count; round++) {
    const taken = new Set(await opts.taken());
    const free = Array.from({ length: opts.count }, (_, i) => i).filter((i) => !taken.has(i));
    if (!free.length) return null;
    const slot = free[Math.floor(Math.random() * free.length)]!;
    try {
      return await opts.insert(slot);
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
  }
  return null;
}
