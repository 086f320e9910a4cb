import { randomUUID } from 'node:crypto';

/**
 * The id an internal failure is answered with and logged under, so that a caller can quote it and on-call find
 * the log line, while the answer itself says nothing of what failed (no host, collection or stack).
 * One id per error object: tRPC hands the same error to its logger (`onError`) and to its formatter.
 */
const ids = new WeakMap<object, string>();

export function errorIdOf(error: object): string {
  let id = ids.get(error);
  if (!id) {
    id = `err_${randomUUID()}`;
    ids.set(error, id);
  }
  return id;
}

export const INTERNAL_MESSAGE = 'Internal error: the request could not be completed; quote the error id to support';
