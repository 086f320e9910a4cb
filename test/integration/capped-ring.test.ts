import { createCappedRing, ringCollection } from '../../src/db/capped-ring';
import { openTestDatabase } from '../helpers/db';

/**
 * The capped ring's contract, on the database under test (FerretDB here; a real MongoDB with MONGODB_URI):
 * exact cap, newest kept, nothing overwritten by a writer whose memory is stale, found again by a new process.
 */
describe('capped ring (db/capped-ring.ts)', () => {
  let db: Awaited<ReturnType<typeof openTestDatabase>>;
  beforeAll(async () => {
    db = await openTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  const collection = () => ringCollection(db.models.LogEntry);
  const entries = async (key: string) =>
    (await collection().find({ webhookId: key }).toArray()).map((d) => d.n).sort((a, b) => a - b);
  const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

  it('keeps exactly the newest `cap` entries of a key, numbered in order', async () => {
    const ring = createCappedRing(collection(), 5, db);
    const ns = [];
    for (let i = 0; i < 12; i++) ns.push((await ring.append('k1', { webhookId: 'k1', i })).n);
    expect(ns).toEqual(range(1, 12));
    expect(await entries('k1')).toEqual(range(8, 12));
  });

  it('a process that has not seen a key finds where it got to, at any point of the ring', async () => {
    for (const written of [3, 5, 7, 10, 11, 23]) {
      const key = `k-fresh-${written}`;
      const first = createCappedRing(collection(), 5, db);
      for (let i = 0; i < written; i++) await first.append(key, { webhookId: key });
      const second = createCappedRing(collection(), 5, db);
      expect((await second.append(key, { webhookId: key })).n).toBe(written + 1);
      expect(await entries(key)).toEqual(range(Math.max(1, written - 3), written + 1));
    }
  });

  it('two writers taking turns on one key keep the cap; on MongoDB neither overwrites a newer entry', async () => {
    const a = createCappedRing(collection(), 4, db);
    const b = createCappedRing(collection(), 4, db);
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
    const ring = createCappedRing(collection(), 50, db);
    const ns = await Promise.all(range(1, 40).map(() => ring.append('k3', { webhookId: 'k3' }).then((r) => r.n)));
    expect(ns.sort((x, y) => x - y)).toEqual(range(1, 40));
    expect(await entries('k3')).toEqual(range(1, 40));
  });

  it('updates an entry only while its slot still holds it', async () => {
    const ring = createCappedRing(collection(), 2, db);
    const first = await ring.append('k4', { webhookId: 'k4', status: 'pending' });
    await ring.update(first.id, first.n, { status: 'done' });
    expect(await collection().findOne({ _id: first.id })).toMatchObject({ n: 1, status: 'done' });
    await ring.append('k4', { webhookId: 'k4' });
    await ring.append('k4', { webhookId: 'k4', status: 'newer' }); // n = 3 takes entry 1's slot
    await ring.update(first.id, first.n, { status: 'late' });
    expect(await collection().findOne({ _id: first.id })).toMatchObject({ n: 3, status: 'newer' });
  });
});
