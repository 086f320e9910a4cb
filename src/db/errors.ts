/** MongoDB's (and FerretDB's) duplicate key error: a unique index, `_id` included, refused an insert. */
export const isDuplicateKey = (err: unknown): boolean =>
  typeof err === 'object' && err !== null && 'code' in err && err.code === 11000;

/** A bulk insert refused only for keys already stored (each write error a duplicate key). */
export function onlyDuplicateKeys(err: unknown): boolean {
  if (typeof err !== 'object' || err === null || !('writeErrors' in err)) return isDuplicateKey(err);
  const errors: unknown = err.writeErrors;
  const list: unknown[] = Array.isArray(errors) ? errors : [errors];
  return list.length > 0 && list.every(isDuplicateKey);
}
