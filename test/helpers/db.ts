import { randomBytes } from 'node:crypto';
import type { CommandStartedEvent } from 'mongodb';
import { openDatabase, type AppDatabase } from '../../src/database';
import { testEnv } from './env';

/**
 * The run's database server's URI, naming database `name`: its path replaced, its options kept, so that any
 * MONGODB_URI works (`mongodb+srv://…/hookline?retryWrites=true`, several hosts), for a process of its own.
 */
export function testDatabaseUri(name: string): string {
  const uri = testEnv('mongoUri');
  const [base = '', query] = uri.split('?', 2);
  const authority = base.indexOf('/', base.indexOf('://') + 3);
  return `${authority === -1 ? base : base.slice(0, authority)}/${name}${query !== undefined ? `?${query}` : ''}`;
}

/** A database of this test file's own on the run's database server; dropped when the file is done. */
export async function openTestDatabase(
  opts: { onCommand?: (e: CommandStartedEvent) => void } = {},
): Promise<AppDatabase & { drop(): Promise<void> }> {
  const name = `test_${randomBytes(6).toString('hex')}`;
  const db = await openDatabase(testDatabaseUri(name), { monitorCommands: opts.onCommand !== undefined });
  if (opts.onCommand) db.conn.getClient().on('commandStarted', opts.onCommand);
  return {
    ...db,
    async drop() {
      await db.conn.dropDatabase();
      await db.conn.close();
    },
  };
}
