import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { Client, Connection } from '@temporalio/client';
import pino from 'pino';
import { createApiServer } from '../../src/api/server';
import { loadConfig } from '../../src/config';
import { createLiquidSandbox } from '../../src/shared/templates/liquid';
import { openTestDatabase } from '../helpers/db';
import { testEnv } from '../helpers/env';

/**
 * The contract: an internal failure answers INTERNAL_SERVER_ERROR with a generic message and an error id that
 * the server's log line carries; never what failed inside (a driver's message, a database host, a collection).
 * The failure here is real: the API's database connection is closed under it.
 */
describe('internal errors', () => {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString('utf8')));
      done();
    },
  });

  it('answer a generic message and an error id, and the log line with that id holds the cause', async () => {
    const db = await openTestDatabase();
    const name = db.conn.name;
    const connection = await Connection.connect({ address: testEnv('temporalAddress') });
    const liquid = createLiquidSandbox();
    const config = loadConfig({ NODE_ENV: 'test', API_TOKENS: 'test-token-0123456789', API_PORT: '0' });
    const server = createApiServer({
      config,
      db,
      temporal: new Client({ connection }),
      logger: pino({ level: 'error' }, sink),
      liquid,
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      await db.conn.dropDatabase();
      await db.conn.close();
      const input = encodeURIComponent(JSON.stringify({ projectId: 'p1' }));
      const res = await fetch(`${url}/trpc/webhooks.list?input=${input}`, {
        headers: { authorization: 'Bearer test-token-0123456789' },
      });
      expect(res.status).toBe(500);
      const text = await res.text();
      const { error } = JSON.parse(text);
      expect(error.message).toMatch(/^Internal error/);
      expect(error.data.code).toBe('INTERNAL_SERVER_ERROR');
      expect(error.data.errorId).toMatch(/^err_[0-9a-f-]{36}$/);
      // Nothing of what failed inside: no driver message, database, host, collection or stack.
      const { path, ...rest } = error.data;
      expect(path).toBe('webhooks.list');
      const told = JSON.stringify({ message: error.message, ...rest });
      expect(told).not.toMatch(/mongo|topology|client must|connect|127\.0\.0\.1|webhooks|stack| {2}at /i);
      expect(text).not.toContain(name);

      const logged = lines.find((l) => l.errorId === error.data.errorId);
      expect(logged).toMatchObject({ msg: 'API error', path: 'webhooks.list' });
      expect(JSON.stringify(logged)).toMatch(/err/);
    } finally {
      server.close();
      await liquid.close();
      await connection.close();
    }
  });
});
