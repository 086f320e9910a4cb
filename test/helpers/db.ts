import { randomBytes } from 'node:crypto';
import { connectDatabase, type Database } from '../../src/db/mongo';
import { testEnv } from './env';

/** A database of this test file's own on the run's database server; dropped when the file is done. */
export async function openTestDatabase(): Promise<Database & { drop(): Promise<void> }> {
  const name = `test_${randomBytes(6).toString('hex')}`;
  const db = await connectDatabase(`${testEnv('mongoUri')}/${name}`);
  return {
    ...db,
    async drop() {
      await db.conn.dropDatabase();
      await db.conn.close();
    },
  };
}
