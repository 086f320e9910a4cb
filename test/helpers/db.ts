import { randomBytes } from 'node:crypto';
import { openDatabase, type AppDatabase } from '../../src/database';
import { testEnv } from './env';

/** A database of this test file's own on the run's database server; dropped when the file is done. */
export async function openTestDatabase(): Promise<AppDatabase & { drop(): Promise<void> }> {
  const name = `test_${randomBytes(6).toString('hex')}`;
  const db = await openDatabase(`${testEnv('mongoUri')}/${name}`);
  return {
    ...db,
    async drop() {
      await db.conn.dropDatabase();
      await db.conn.close();
    },
  };
}
