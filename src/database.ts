import type { Connection } from 'mongoose';
import { connectDatabase, type Database } from './db/mongo';
import { createInboundModels } from './inbound/store/models';
import { createOutboundModels } from './outbound/store/models';

/** Every capability's models, on one connection. */
export const defineModels = (conn: Connection) => ({ ...createOutboundModels(conn), ...createInboundModels(conn) });

export type AppDatabase = Database<ReturnType<typeof defineModels>>;

export const openDatabase = (uri: string, opts?: Parameters<typeof connectDatabase>[2]): Promise<AppDatabase> =>
  connectDatabase(uri, defineModels, opts);
