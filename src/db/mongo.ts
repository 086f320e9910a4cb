import mongoose, { type Connection, type Model } from 'mongoose';
import { commandLabel, metrics } from '../shared/metrics';

/**
 * Which server answers: FerretDB (the local stack) or MongoDB (production). Both answer every query Hookline
 * makes from an index (FerretDB through temporal/ferretdb-v1.24.2-pushdown.patch; test/integration/
 * query-plans.test.ts checks each query's plan on the database under test). FerretDB applies a conditional
 * update as a read and a write, not atomically: where that matters, the db layer writes by insert (unique-
 * insert.ts, record-lock.ts, capped-sequence.ts).
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
  opts: { dbName?: string; monitorCommands?: boolean; metrics?: boolean } = {},
): Promise<Database<M>> {
  const conn = mongoose.createConnection(uri, {
    dbName: opts.dbName,
    // Tests and the bench count the commands a delivery costs, and the metrics time them (the driver's command
    // monitoring: an event per command, in memory).
    monitorCommands: (opts.monitorCommands ?? false) || (opts.metrics ?? false),
    serverSelectionTimeoutMS: 10_000,
    // Indexes are built below, once, instead of on first use of each model.
    autoIndex: false,
    autoCreate: false,
  });
  await conn.asPromise();
  if (opts.metrics) timeCommands(conn);
  const models = define(conn);
  const buildInfo = await conn.db!.admin().command({ buildInfo: 1 });
  const flavor: DatabaseFlavor = 'ferretdbVersion' in buildInfo ? 'ferretdb' : 'mongodb';
  const existing = new Set((await conn.db!.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name));
  for (const model of Object.values(models)) {
    if (!existing.has(model.collection.collectionName)) await model.createCollection();
    if (flavor === 'mongodb') await model.createIndexes();
    else await buildFerretIndexes(model);
  }
  await dropPreRingLeftovers(conn, existing);
  return { conn, models, flavor };
}

/**
 * FerretDB (with temporal/ferretdb-v1.24.2-pushdown.patch) answers a query from an index whose expressions are
 * the ones the patch's queries name. Those indexes carry the suffix `_sq`: an index of the same keys built
 * before the patch (another expression) is dropped and built again, and one the models no longer declare is
 * dropped, so a data directory from an earlier version is brought up to date at start.
 */
async function buildFerretIndexes(model: Model<unknown>): Promise<void> {
  const wanted = new Map<string, { keys: Record<string, 1 | -1>; unique: boolean }>();
  for (const [fields, options] of model.schema.indexes()) {
    const keys = Object.fromEntries(
      Object.entries(fields).map(([field, dir]) => [field, dir === -1 ? -1 : 1] as const),
    );
    const name = `${Object.entries(keys)
      .map(([field, dir]) => `${field}_${dir}`)
      .join('_')}_sq`;
    wanted.set(name, { keys, unique: options.unique === true });
  }
  const present = await model.collection.indexes();
  for (const index of present) {
    if (index.name && index.name !== '_id_' && !wanted.has(index.name)) await model.collection.dropIndex(index.name);
  }
  const names = new Set(present.map((i) => i.name));
  for (const [name, { keys, unique }] of wanted) {
    if (!names.has(name)) await model.collection.createIndex(keys, { name, unique });
  }
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

/** Each command's duration, as the driver measured it, in `hookline_db_command_duration_seconds`. */
function timeCommands(conn: Connection): void {
  const client = conn.getClient();
  const observe = (outcome: 'ok' | 'error') => (e: { commandName: string; duration: number }) =>
    metrics.dbCommandDuration.observe({ command: commandLabel(e.commandName), outcome }, e.duration / 1000);
  client.on('commandSucceeded', observe('ok'));
  client.on('commandFailed', observe('error'));
}
