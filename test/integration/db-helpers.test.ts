import { createCappedSequence, type SequenceEntry } from '../../src/db/capped-sequence';
import { createRecordLocks, type LockEntry } from '../../src/db/record-lock';
import { insertInFreeSlot } from '../../src/db/slots';
import { insertOrFind } from '../../src/db/unique-insert';
import { BusyError } from '../../src/shared/errors';
import { openTestDatabase } from '../helpers/db';

/**
 * The db layer's helpers, where the rules for FerretDB and MongoDB are written once: one contract suite, run
 * on the database under test (FerretDB here; a real MongoDB or Atlas when MONGODB_URI is set for `npm test`).
 * Each runs on a collection of its own, apart from any domain model.
 */
let db: Awaited<ReturnType<typeof openTestDatabase>>;
beforeAll(async () => {
  db = await openTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('capped sequence (db/capped-sequence.ts)', () => {
  // Exact cap, newest kept, nothing overwritten by a writer whose memory is stale, found again by a new process.
  const collection = () => db.conn.collection<SequenceEntry>('helper_sequence');
  const entries = async (key: string) =>
    (await collection().find({ webhookId: key }).toArray()).map((d) => d.n).sort((a, b) => a - b);

  it('keeps exactly the newest `cap` entries of a key, numbered in order', async () => {
    const ring = createCappedSequence(collection(), 5, db);
    const ns = [];
    for (let i = 0; i < 12; i++) ns.push((await ring.append('k1', { webhookId: 'k1', i })).n);
    expect(ns).toEqual(range(1, 12));
    expect(await entries('k1')).toEqual(range(8, 12));
  });

  it('a process that has not seen a key finds where it got to, at any point of the ring', async () => {
    for (const written of [3, 5, 7, 10, 11, 23]) {
      const key = `k-fresh-${written}`;
      const first = createCappedSequence(collection(), 5, db);
      for (let i = 0; i < written; i++) await first.append(key, { webhookId: key });
      const second = createCappedSequence(collection(), 5, db);
      expect((await second.append(key, { webhookId: key })).n).toBe(written + 1);
      expect(await entries(key)).toEqual(range(Math.max(1, written - 3), written + 1));
    }
  });

  it('two writers taking turns on one key keep the cap; on MongoDB neither overwrites a newer entry', async () => {
    const a = createCappedSequence(collection(), 4, db);
    const b = createCappedSequence(collection(), 4, db);
    const ns: number[] = [];
    for (let i = 0; i < 10; i++) ns.push((await (i % 3 === 0 ? b : a).append('k2', { webhookId: 'k2' })).n);
    const kept = await entries('k2');
    expect(kept.length).toBeLessThanOrEqual(4);
    if (db.flavor === 'mongodb') {
      expect(new Set(ns).size).toBe(10);
      expect(kept).toEqual([...ns].sort((x, y) => x - y).slice(-4));
    }
  });

  it('concurrent appends in one process each get their own number', async () => {
    const ring = createCappedSequence(collection(), 50, db);
    const ns = await Promise.all(range(1, 40).map(() => ring.append('k3', { webhookId: 'k3' }).then((r) => r.n)));
    expect(ns.sort((x, y) => x - y)).toEqual(range(1, 40));
    expect(await entries('k3')).toEqual(range(1, 40));
  });

  it('updates an entry only while its slot still holds it', async () => {
    const ring = createCappedSequence(collection(), 2, db);
    const first = await ring.append('k4', { webhookId: 'k4', status: 'pending' });
    await ring.update(first.id, first.n, { status: 'done' });
    expect(await collection().findOne({ _id: first.id })).toMatchObject({ n: 1, status: 'done' });
    await ring.append('k4', { webhookId: 'k4' });
    await ring.append('k4', { webhookId: 'k4', status: 'newer' }); // n = 3 takes entry 1's slot
    await ring.update(first.id, first.n, { status: 'late' });
    expect(await collection().findOne({ _id: first.id })).toMatchObject({ n: 3, status: 'newer' });
  });

  it('removes an entry only while its slot still holds it and `where` holds', async () => {
    const ring = createCappedSequence(collection(), 2, db);
    const first = await ring.append('k7', { webhookId: 'k7', status: 'running' });
    await ring.remove(first.id, first.n, { status: 'done' });
    expect(await entries('k7')).toEqual([1]);
    await ring.append('k7', { webhookId: 'k7' });
    await ring.append('k7', { webhookId: 'k7', status: 'running' }); // n = 3 takes entry 1's slot
    await ring.remove(first.id, first.n, { status: 'running' });
    expect(await entries('k7')).toEqual([2, 3]);
    await ring.remove(first.id, 3, { status: 'running' });
    expect(await entries('k7')).toEqual([2]);
  });

  it('clears every entry of a key and none of another; the key then starts again at 1', async () => {
    const ring = createCappedSequence(collection(), 3, db);
    for (let i = 0; i < 5; i++) await ring.append('k5', { webhookId: 'k5' });
    await ring.append('k6', { webhookId: 'k6' });
    await ring.clear('k5');
    expect(await entries('k5')).toEqual([]);
    expect(await entries('k6')).toEqual([1]);
    expect((await ring.append('k5', { webhookId: 'k5' })).n).toBe(1);
  });
});

interface Keyed {
  _id: string;
  key: string;
  value: number;
}

describe('unique insert (db/unique-insert.ts)', () => {
  const collection = () => db.conn.collection<Keyed>('helper_unique');
  beforeAll(async () => {
    await collection().createIndex({ key: 1 }, { unique: true });
  });
  const put = (doc: Keyed) =>
    insertOrFind(
      () => collection().insertOne(doc),
      async () => (await collection().findOne({ _id: doc._id })) ?? collection().findOne({ key: doc.key }),
    );

  it('inserts a new record, and returns the stored one, unchanged, for the same _id', async () => {
    expect(await put({ _id: 'a1', key: 'a1', value: 1 })).toEqual({ inserted: true });
    expect(await put({ _id: 'a1', key: 'a1', value: 2 })).toEqual({
      inserted: false,
      existing: { _id: 'a1', key: 'a1', value: 1 },
    });
  });

  it('finds the record another unique index matched', async () => {
    await put({ _id: 'b1', key: 'b', value: 1 });
    expect(await put({ _id: 'b2', key: 'b', value: 2 })).toMatchObject({ inserted: false, existing: { _id: 'b1' } });
    expect(await collection().countDocuments({ key: 'b' })).toBe(1);
  });

  it('lets exactly one of many concurrent callers insert; the others get its record', async () => {
    const results = await Promise.all(range(1, 12).map((value) => put({ _id: 'c1', key: 'c', value })));
    const winners = results.filter((r) => r.inserted);
    expect(winners).toHaveLength(1);
    const stored = await collection().findOne({ _id: 'c1' });
    for (const r of results) if (!r.inserted) expect(r.existing).toEqual(stored);
  });

  it('inserts after all when the record it collided with is gone by the look-up', async () => {
    await put({ _id: 'd1', key: 'd', value: 1 });
    let looks = 0;
    const result = await insertOrFind(
      () => collection().insertOne({ _id: 'd1', key: 'd', value: 2 }),
      async () => {
        looks++;
        await collection().deleteOne({ _id: 'd1' }); // deleted between the refused insert and the look-up
        return collection().findOne({ _id: 'd1' });
      },
    );
    expect(result).toEqual({ inserted: true });
    expect(looks).toBe(1);
    expect(await collection().findOne({ _id: 'd1' })).toMatchObject({ value: 2 });
  });

  it('gives up, with the duplicate-key error, when the look-up never finds the holder', async () => {
    await put({ _id: 'e1', key: 'e', value: 1 });
    let looks = 0;
    const lost = insertOrFind(
      () => collection().insertOne({ _id: 'e2', key: 'e', value: 2 }),
      async () => {
        looks++;
        return collection().findOne({ _id: 'e2' }); // the wrong key: the holder is e1
      },
    );
    await expect(lost).rejects.toMatchObject({ code: 11000 });
    expect(looks).toBe(4);
  });

  it('passes on any other error', async () => {
    const broken = insertOrFind(
      () => Promise.reject(new Error('disk full')),
      async () => null,
    );
    await expect(broken).rejects.toThrow('disk full');
  });
});

interface Placed {
  _id: string;
  owner: string;
  slot: number;
}

describe('a slot out of N (db/slots.ts)', () => {
  const collection = () => db.conn.collection<Placed>('helper_slots');
  beforeAll(async () => {
    await collection().createIndex({ owner: 1, slot: 1 }, { unique: true });
  });
  const place = (owner: string, id: string, count: number) =>
    insertInFreeSlot({
      count,
      taken: async () => (await collection().find({ owner }).toArray()).map((d) => d.slot),
      insert: async (slot) => {
        await collection().insertOne({ _id: id, owner, slot });
        return slot;
      },
    });

  it('gives concurrent callers distinct places, exactly N of them, and null to the rest', async () => {
    const slots = await Promise.all(range(1, 15).map((i) => place('o1', `o1-${i}`, 5)));
    const given = slots.filter((s) => s !== null);
    expect(given.sort()).toEqual([0, 1, 2, 3, 4]);
    expect(await collection().countDocuments({ owner: 'o1' })).toBe(5);
  });

  it('gives a freed place again, and keeps owners apart', async () => {
    for (let i = 0; i < 3; i++) expect(await place('o2', `o2-${i}`, 3)).not.toBeNull();
    expect(await place('o2', 'o2-x', 3)).toBeNull();
    expect(await place('o3', 'o3-0', 3)).not.toBeNull();
    const freed = (await collection().findOne({ _id: 'o2-1' }))!.slot;
    await collection().deleteOne({ _id: 'o2-1' });
    expect(await place('o2', 'o2-y', 3)).toBe(freed);
  });

  it('passes on any error but a taken place', async () => {
    const broken = insertInFreeSlot({
      count: 3,
      taken: async () => [],
      insert: () => Promise.reject(new Error('disk full')),
    });
    await expect(broken).rejects.toThrow('disk full');
  });
});

describe('a record lock (db/record-lock.ts)', () => {
  const collection = () => db.conn.collection<LockEntry>('helper_locks');

  it('lets one change of a record run at a time, in turn, and frees the record after', async () => {
    const withLock = createRecordLocks(collection());
    const order: string[] = [];
    let inside = 0;
    let most = 0;
    await Promise.all(
      range(1, 6).map((i) =>
        withLock('rec-1', async () => {
          most = Math.max(most, ++inside);
          order.push(`in ${i}`);
          await new Promise((r) => setTimeout(r, 15));
          inside--;
        }),
      ),
    );
    expect(most).toBe(1);
    expect(order).toHaveLength(6);
    expect(await collection().countDocuments({ _id: 'rec-1' })).toBe(0);
  });

  it('frees the record when the change throws, and keeps other records apart', async () => {
    const withLock = createRecordLocks(collection());
    await expect(
      withLock('rec-2', async () => {
        await withLock('rec-3', async () => undefined); // another record: no wait
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    expect(await collection().countDocuments({ _id: { $in: ['rec-2', 'rec-3'] } })).toBe(0);
  });

  it('takes over a lock whose holder died (expired), and answers BusyError while a live one holds it', async () => {
    await collection().insertOne({ _id: 'rec-dead', expiresAt: new Date(Date.now() - 1_000) });
    expect(await createRecordLocks(collection())('rec-dead', async () => 'taken over')).toBe('taken over');

    await collection().insertOne({ _id: 'rec-held', expiresAt: new Date(Date.now() + 60_000) });
    const impatient = createRecordLocks(collection(), { waitMs: 100 });
    await expect(impatient('rec-held', async () => 'never')).rejects.toBeInstanceOf(BusyError);
    expect(await collection().countDocuments({ _id: 'rec-held' })).toBe(1); // not another's to free
  });
});
