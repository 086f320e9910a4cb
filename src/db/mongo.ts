import mongoose, { type Connection, type Model } from 'mongoose';

/**
 * Which server answers: FerretDB (the local stack) or MongoDB (production). FerretDB looks a document up
 * by its index only when the filter is `{ _id }` alone (any other key reads the whole collection), uses no
 * secondary index for a query, and applies a conditional update as a read and a write (not atomically); so
 * the db layer sends it `{ _id }` filters only and builds only the unique indexes it enforces.
 */
export type DatabaseFlavor = 'mongodb' | 'ferretdb';

/** The models of a connection, by name: each capability declares its own (outbound/store/models.ts, …). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any record type: models differ in their documents
export type ModelSet = Record<string, Model<any>>;

export interface Database<M extends ModelSet = ModelSet> {
  conn: Connection;
  models: M;
  flavor: DatabaseFlavor;
}

/**
 * Connects, binds the models `define` makes to this connection (not the global mongoose one, so that a
 * process, or a test file, can own its database) and builds their indexes (idempotent), so list queries
 * never scan on MongoDB.
 */
export async function connectDatabase<M extends ModelSet>(
  uri: string,
  define: (conn: Connection) => M,
  opts: { dbName?: string; monitorCommands?: boolean } = {},
): Promise<Database<M>> {
  const conn = mongoose.createConnection(uri, {
    dbName: opts.dbName,
    // Tests and the bench count the commands a delivery costs (the driver's command monitoring).
    monitorCommands: opts.monitorCommands ?? false,
    serverSelectionTimeoutMS: 10_000,
    // Indexes are built below, once, instead of on first use of each model.
    autoIndex: false,
    autoCreate: false,
  });
  await conn.asPromise();
  const models = define(conn);
  const buildInfo = await conn.db!.admin().command({ buildInfo: 1 });
  const flavor: DatabaseFlavor = 'ferretdbVersion' in buildInfo ? 'ferretdb' : 'mongodb';
  const existing = new Set((await conn.db!.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name));
  for (const model of Object.values(models)) {
    if (!existing.has(model.collection.collectionName)) await model.createCollection();
    if (flavor === 'mongodb') {
      await model.createIndexes();
      continue;
    }
    // FerretDB maintains every index on each write but reads none but `_id`'s: only the unique ones earn that.
    for (const [fields, options] of model.schema.indexes()) {
      if (!options.unique) continue;
      const keys = Object.fromEntries(Object.entries(fields).map(([field, dir]) => [field, dir === -1 ? -1 : 1]));
      await model.collection.createIndex(keys, { unique: true });
    }
  }
  await dropPreRingLeftovers(conn, existing);
  return { conn, models, flavor };
}

/**
 * Before the capped sequences, log entries were `<webhookId>~<seq>` with a head per webhook, and endpoint
 * limits lived in the database: those entries would sit in the sequences' slots, so they go, once (cheap
 * when none).
 */
async function dropPreRingLeftovers(conn: Connection, existing: Set<string>): Promise<void> {
  for (const name of ['log_heads', 'endpoint_leases', 'endpoint_circuits']) {
    if (existing.has(name)) await conn.db!.dropCollection(name);
  }
  if (existing.has('log_heads')) await conn.db!.collection('log_entries').deleteMany({ n: { $exists: false } });
}

/** True when the server answers a ping, for /healthz. */
export async function pingDatabase(conn: Connection): Promise<boolean> {
  try {
    await conn.db!.admin().ping();
    return true;
  } catch {
    return false;
  }
}
