import { isDuplicateKey } from './errors';

/**
 * Inserts a record, or, when a unique index already holds its key, returns the record that holds it: what
 * makes a repeated or concurrent create find the first one's record instead of adding one. An insert, never
 * an upsert: an insert is atomic on FerretDB as on MongoDB, an update there is a read and a write.
 * `find` looks the holder up (by `_id`, which every database serves from its index); should it be gone by
 * then (deleted meanwhile), the insert is tried again, a few times: a `find` that never finds what the index
 * holds (it looks by the wrong key) fails rather than loops.
 */
export async function insertOrFind<T>(
  insert: () => Promise<unknown>,
  find: () => Promise<T | null>,
): Promise<{ inserted: true } | { inserted: false; existing: T }> {
  for (let tries = 1; ; tries++) {
    try {
      await insert();
      return { inserted: true };
    } catch (err) {
      if (!isDuplicateKey(err) || tries >= MAX_TRIES) throw err;
    }
    const existing = await find();
    if (existing !== null) return { inserted: false, existing };
  }
}

const MAX_TRIES = 5;
