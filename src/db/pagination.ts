import { TRPCError } from '@trpc/server';
import type { QueryFilter, Model } from 'mongoose';
import { z } from 'zod';

/**
 * The one way every `*.list` pages: newest first by (createdAt, _id), an opaque cursor that holds the last
 * item's pair, and `nextCursor: null` on the last page.
 */
export const pageInput = {
  limit: z.number().int().min(1).max(100).default(50),
  cursor: z.string().max(200).nullish(),
};

interface CursorKey {
  t: string;
  i: string;
}

const cursorSchema = z.object({ t: z.iso.datetime(), i: z.string() });

export function encodeCursor(key: CursorKey): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export function decodeCursor(cursor: string): CursorKey {
  try {
    return cursorSchema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
  } catch {
    throw new TRPCError({ code: 'BAD_REQUEST', message: 'cursor: is not a cursor this API handed out' });
  }
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export async function findPage<D extends { _id: string; createdAt: Date }>(
  model: Model<D>,
  filter: QueryFilter<D>,
  page: { limit: number; cursor?: string | null },
): Promise<Page<D>> {
  const query: QueryFilter<D> = { ...filter };
  if (page.cursor) {
    const { t, i } = decodeCursor(page.cursor);
    const at = new Date(t);
    Object.assign(query, { $or: [{ createdAt: { $lt: at } }, { createdAt: at, _id: { $lt: i } }] });
  }
  const docs = (await model
    .find(query)
    .sort({ createdAt: -1, _id: -1 })
    .limit(page.limit + 1)
    .lean()) as unknown as D[];
  const items = docs.slice(0, page.limit);
  const last = items[items.length - 1];
  const nextCursor =
    docs.length > page.limit && last ? encodeCursor({ t: last.createdAt.toISOString(), i: last._id }) : null;
  return { items, nextCursor };
}

const seqCursorSchema = z.object({ n: z.number().int() });

/**
 * Pages a capped ring (capped-ring.ts) newest first by its sequence number `n`, which orders one key's
 * entries exactly where times can tie; the cursor holds the last item's `n`.
 */
export async function pageBySequence<D extends { _id: string; n: number }>(
  model: Model<D>,
  filter: QueryFilter<D>,
  page: { limit: number; cursor?: string | null },
): Promise<Page<D>> {
  const query: QueryFilter<D> = { ...filter };
  if (page.cursor) {
    let n: number;
    try {
      n = seqCursorSchema.parse(JSON.parse(Buffer.from(page.cursor, 'base64url').toString('utf8'))).n;
    } catch {
      throw new TRPCError({ code: 'BAD_REQUEST', message: 'cursor: is not a cursor this API handed out' });
    }
    Object.assign(query, { n: { $lt: n } });
  }
  const docs = (await model
    .find(query)
    .sort({ n: -1 })
    .limit(page.limit + 1)
    .lean()) as unknown as D[];
  const items = docs.slice(0, page.limit);
  const last = items[items.length - 1];
  const nextCursor =
    docs.length > page.limit && last ? Buffer.from(JSON.stringify({ n: last.n })).toString('base64url') : null;
  return { items, nextCursor };
}
