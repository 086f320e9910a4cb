import { TRPCError } from '@trpc/server';
import type { Models } from '../db/models';

const isDuplicateKey = (err: unknown) => (err as { code?: number }).code === 11000;

/**
 * MAX_WEBHOOKS_PER_PROJECT, exact under concurrent creates. A project has `limit` numbered places; a
 * webhook is inserted holding a free one, and a unique index on (projectId, slot) lets only one of two
 * concurrent creates have the same place: the other picks again. Deleting a webhook frees its place.
 * (An insert is atomic on FerretDB as on MongoDB; a counter's conditional update is not on FerretDB.)
 */
export async function insertWithinQuota<T>(
  models: Models,
  projectId: string,
  limit: number,
  insert: (slot: number) => Promise<T>,
): Promise<T> {
  // Each round at least one contender wins a place, so this ends.
  for (let round = 0; round <= limit; round++) {
    const taken = new Set((await models.Webhook.find({ projectId }, { slot: 1 }).lean()).map((w) => w.slot));
    const free = Array.from({ length: limit }, (_, i) => i).filter((i) => !taken.has(i));
    if (!free.length) break;
    const slot = free[Math.floor(Math.random() * free.length)]!;
    try {
      return await insert(slot);
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
  }
  throw new TRPCError({
    code: 'FORBIDDEN',
    message: `MAX_WEBHOOKS_PER_PROJECT: a project holds at most ${limit} webhooks`,
  });
}
