import type { Collection, Db, ObjectId } from 'mongodb';
import mongoose from 'mongoose';
import { openTestDatabase } from '../helpers/db';

/**
 * Look-ups by `_id` must use the `_id` index, whatever the collection's size: the delivery path is built on them.
 * FerretDB v1.24.2 on SQLite never did (it queried another spelling of the index's expression, so every find,
 * update and delete by `_id` scanned the table); temporal/ferretdb-v1.24.2-pushdown.patch fixes that (its first part), and this
 * test fails on a FerretDB built without it (rebuild with `temporal/provision.sh ferretdb`). It reads the query
 * plan, never a timing.
 * FerretDB's `explain` returns SQLite's EXPLAIN QUERY PLAN of the statement it sends. Updates and deletes by
 * `_id` find the document with that same statement, then write `WHERE <the same _id expression> = ?`.
 */
const DOCS = 3000;

interface Probe {
  _id: string | ObjectId;
  n: number;
  pad: string;
  touched?: boolean;
}

describe('look-ups by _id use the _id index', () => {
  let database: Awaited<ReturnType<typeof openTestDatabase>>;
  let db: Db;
  let ferretdb: boolean;
  beforeAll(async () => {
    database = await openTestDatabase();
    db = database.conn.db!;
    const info = await db.admin().command({ buildInfo: 1 });
    ferretdb = typeof info.ferretdbVersion === 'string';
  });
  afterAll(async () => {
    await database?.drop();
  });

  /** The plan of `find({_id})` and an opinion on whether it reads the `_id` index rather than every document. */
  async function planOf(coll: Collection<Probe>, id: Probe['_id']): Promise<{ plan: string[]; usesIdIndex: boolean }> {
    const explained = await db.command({ explain: { find: coll.collectionName, filter: { _id: id } } });
    if (ferretdb) {
      // e.g. ["id=3 parent=0 notused=0 detail=SEARCH docs_28eb34d2 USING INDEX docs_28eb34d2__id_ (<expr>=?)"]
      const plan = (explained.queryPlanner?.Plan ?? []) as string[];
      return {
        plan,
        usesIdIndex:
          explained.filterPushdown === true &&
          plan.length > 0 &&
          plan.every((step) => /detail=SEARCH \S+ USING INDEX \S+__id_ \(<expr>=\?\)$/.test(step)),
      };
    }
    // MongoDB: IDHACK (up to 7.x) or EXPRESS_IXSCAN (8.x), or an IXSCAN of { _id: 1 }; never a COLLSCAN.
    const winning = JSON.stringify(explained.queryPlanner?.winningPlan ?? {});
    return {
      plan: [winning],
      usesIdIndex:
        !winning.includes('COLLSCAN') &&
        /IDHACK|EXPRESS_IXSCAN|"indexName":"_id_"|"keyPattern":\{"_id":1\}/.test(winning),
    };
  }

  it.each([
    ['string', (i: number) => `doc-${i}`],
    ['ObjectId', () => new mongoose.mongo.ObjectId()],
  ] as const)(
    'with %s ids: find, update and delete by _id read the index, and still hit only that document',
    async (kind, makeId) => {
      const coll = db.collection<Probe>(`by_${kind.toLowerCase()}_id`);
      const ids = Array.from({ length: DOCS }, (_, i) => makeId(i));
      await coll.insertMany(ids.map((_id, n) => ({ _id, n, pad: 'x'.repeat(100) })));

      const target = ids[DOCS / 2]!;
      const { plan, usesIdIndex } = await planOf(coll, target);
      // On failure the diff shows the plan; an unpatched FerretDB says `SCAN <table>`.
      expect({ plan, usesIdIndex }).toEqual({ plan, usesIdIndex: true });

      // Rewriting the _id expression must not change what it matches.
      expect(await coll.findOne({ _id: target })).toMatchObject({ n: DOCS / 2 });
      expect(await coll.updateOne({ _id: target }, { $set: { touched: true } })).toMatchObject({
        matchedCount: 1,
        modifiedCount: 1,
      });
      expect(await coll.countDocuments({ touched: true })).toBe(1);
      expect(await coll.deleteOne({ _id: target })).toMatchObject({ deletedCount: 1 });
      expect(await coll.findOne({ _id: target })).toBeNull();
      expect(await coll.countDocuments({})).toBe(DOCS - 1);
    },
  );
});
