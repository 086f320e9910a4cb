import type { QueryFilter, Model, SortOrder } from 'mongoose';
import { z } from 'zod';
import { InvalidCursorError } from '../shared/errors';

/**
 * The one way every `*.list` pages: newest first, an opaque cursor that holds the last item's place, and
 * `nextCursor: null` on the last page. Each list sorts on one key, so that the cursor is one range condition
 * and every database serves the page from an index (a compound index of the list's filter fields, then the
 * key), reading the page and no more: records whose `_id` is time-ordered (ids.ts) page by `_id`; records with
 * derived ids by their `seq` (a time-ordered key set at insert); a capped sequence (capped-sequence.ts) by its
 * sequence number `n`, which orders one key's entries exactly where times can tie.
 */
export const pageInput = {
  limit: z.number().int().min(1).max(100).default(50),
  cursor: z.string().max(200).nullish(),
};

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

interface Ordering<D, K> {
  sort: Record<string, SortOrder>;
  cursor: z.ZodType<K>;
  placeOf(doc: D): K;
  /** The filter for what comes after `place`, newest first. */
  after(place: K): object;
}

const byId: Ordering<{ _id: string }, { i: string }> = {
  sort: { _id: -1 },
  cursor: z.object({ i: z.string() }),
  placeOf: (d) => ({ i: d._id }),
  after: ({ i }) => ({ _id: { $lt: i } }),
};

const bySeq: Ordering<{ seq: string }, { s: string }> = {
  sort: { seq: -1 },
  cursor: z.object({ s: z.string() }),
  placeOf: (d) => ({ s: d.seq }),
  after: ({ s }) => ({ seq: { $lt: s } }),
};

const bySequence: Ordering<{ n: number }, { n: number }> = {
  sort: { n: -1 },
  cursor: z.object({ n: z.number().int() }),
  placeOf: (d) => ({ n: d.n }),
  after: ({ n }) => ({ n: { $lt: n } }),
};

async function pageBy<D, K>(
  model: Model<D>,
  filter: QueryFilter<D>,
  page: { limit: number; cursor?: string | null },
  order: Ordering<D, K>,
): Promise<Page<D>> {
  const query: QueryFilter<D> = { ...filter };
  if (page.cursor) {
    let place: K;
    try {
      place = order.cursor.parse(JSON.parse(Buffer.from(page.cursor, 'base64url').toString('utf8')));
    } catch {
      throw new InvalidCursorError();
    }
    Object.assign(query, order.after(place));
  }
  const docs = await model
    .find(query)
    .sort(order.sort)
    .limit(page.limit + 1)
    .lean();
  const items = docs.slice(0, page.limit);
  const last = items[items.length - 1];
  const nextCursor =
    docs.length > page.limit && last ? Buffer.from(JSON.stringify(order.placeOf(last))).toString('base64url') : null;
  return { items, nextCursor };
}

/** Records whose `_id` starts with their creation time (shared/ids.ts newId): webhooks, flows. */
export const pageById = <D extends { _id: string }>(
  model: Model<D>,
  filter: QueryFilter<D>,
  page: { limit: number; cursor?: string | null },
) => pageBy(model, filter, page, byId);

/** Records with a derived `_id` and a time-ordered `seq` (shared/ids.ts seqKey): deliveries. */
export const pageBySeq = <D extends { seq: string }>(
  model: Model<D>,
  filter: QueryFilter<D>,
  page: { limit: number; cursor?: string | null },
) => pageBy(model, filter, page, bySeq);

export const pageBySequence = <D extends { _id: string; n: number }>(
  model: Model<D>,
  filter: QueryFilter<D>,
  page: { limit: number; cursor?: string | null },
) => pageBy(model, filter, page, bySequence);
