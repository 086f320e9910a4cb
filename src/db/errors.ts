/** MongoDB's (and FerretDB's) duplicate key error: a unique index, `_id` included, refused an insert. */
export const isDuplicateKey = (err: unknown): boolean =>
  typeof err === 'object' && err !== null && 'code' in err && err.code === 11000;
