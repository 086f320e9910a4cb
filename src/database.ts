import type { Connection } from 'mongoose';
import { connectDatabase, type Database } from './db/mongo';
import { createOutboundModels } from './outbound/store/models';

/** Every capability's models, on one connection. */
export const defineModels = (conn: Connection) => ({ ...createOutboundModels(conn) });

export type AppDatabase = Database<ReturnType<typeof defineModels>>;

export const openDatabase = (uri: string, opts?: Parameters<typeof connectDatabase>[2]): Promise<AppDatabase> =>
  connectDatabase(uri, defineModels, opts);
