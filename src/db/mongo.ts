import mongoose, { type Connection } from 'mongoose';
import { createModels, type Models } from './models';

export interface Database {
  conn: Connection;
  models: Models;
}

/** Connects, binds the models and builds their indexes (idempotent), so list queries never scan. */
export async function connectDatabase(
  uri: string,
  opts: { dbName?: string; monitorCommands?: boolean } = {},
): Promise<Database> {
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
  const models = createModels(conn);
  const existing = new Set((await conn.db!.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name));
  for (const model of Object.values(models)) {
    if (!existing.has(model.collection.collectionName)) await model.createCollection();
    await model.createIndexes();
  }
  return { conn, models };
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
