import type { CommandStartedEvent } from 'mongodb';
import { NativeConnection } from '@temporalio/worker';
import { openDatabase, type AppDatabase } from '../../src/database';
import { createLogger } from '../../src/shared/logger';
import { createWorkers, type Workers } from '../../src/worker';
import { testEnv } from '../helpers/env';
import { startReceiver, type Receiver } from '../helpers/receiver';
import { startStack, type Stack } from '../helpers/stack';

/**
 * What one delivery costs the database, counted through the driver's command monitoring on the worker's
 * own connection: a change that adds a round trip, or a query that is not a look-up by `_id` (a scan on
 * FerretDB), fails here.
 */
describe('database operations of a delivery', () => {
  let stack: Stack;
  let db: AppDatabase;
  let connection: NativeConnection;
  let worker: Workers;
  let running: Promise<void>;
  let receiver: Receiver;
  let commands: CommandStartedEvent[] = [];

  beforeAll(async () => {
    stack = await startStack({}, { worker: false });
    db = await openDatabase(stack.mongoUri, { monitorCommands: true });
    db.conn.getClient().on('commandStarted', (e) => commands.push(e));
    connection = await NativeConnection.connect({ address: stack.config.TEMPORAL_ADDRESS });
    worker = await createWorkers({
      config: stack.config,
      connection,
      db,
      logger: createLogger('silent'),
      liquid: stack.liquid,
      workflowBundle: { codePath: testEnv('workflowBundle') },
    });
    running = worker.run();
    receiver = await startReceiver();
  });
  afterAll(async () => {
    worker?.shutdown();
    await running;
    await connection?.close();
    await db?.conn.close();
    await receiver?.close();
    await stack?.stop();
  });

  const DATA_COMMANDS = new Set(['find', 'insert', 'update', 'delete', 'findAndModify', 'aggregate', 'count']);

  /** Publishes one event and returns the data commands the worker issued until its delivery ended. */
  async function deliverOne(projectId: string, id: string) {
    const { deliveries } = await stack.api.events.publish.mutate({
      projectId,
      entityType: 'record',
      action: 'create',
      entity: { id },
    });
    commands = [];
    await stack.temporal.workflow.getHandle(deliveries[0]!.workflowId).result();
    return commands
      .filter((c) => DATA_COMMANDS.has(c.commandName))
      .map((c) => {
        const cmd = c.command;
        // An insert reads nothing; anything else must name one `_id` and nothing more (FerretDB scans otherwise).
        const filter = c.commandName === 'update' ? cmd.updates[0].q : c.commandName === 'find' ? cmd.filter : cmd.q;
        const byId =
          c.commandName === 'insert' || (typeof filter?._id === 'string' && Object.keys(filter).length === 1);
        return { op: `${c.commandName} ${cmd[c.commandName]}`, byId };
      });
  }

  it('a first attempt that succeeds costs at most 3, each a look-up by _id; 2 once the worker knows the webhook', async () => {
    await stack.api.webhooks.create.mutate({
      projectId: 'cost',
      name: 'w',
      url: receiver.url,
      triggers: [{ entityType: 'record', actions: ['create'] }],
    });

    // A worker's first delivery to a new webhook: read it, log the attempt, record the delivery.
    const cold = await deliverOne('cost', 'r0');
    expect(cold.sort((a, b) => a.op.localeCompare(b.op))).toEqual([
      { op: 'find webhooks', byId: true },
      { op: 'insert log_entries', byId: true },
      { op: 'update deliveries', byId: true },
    ]);

    // Then the webhook comes from the worker's short-lived copy.
    for (let i = 1; i <= 5; i++) {
      const warm = await deliverOne('cost', `r${i}`);
      expect(warm.length).toBeLessThanOrEqual(3);
      expect(warm.every((c) => c.byId)).toBe(true);
      expect(warm.map((c) => c.op)).toEqual(expect.arrayContaining(['update log_entries', 'update deliveries']));
      if (i === 1) expect(warm).toHaveLength(2); // the webhook from the worker's copy
    }
    expect(receiver.requests).toHaveLength(6);
    const logs = await stack.api.logs.list.query({ projectId: 'cost', webhookId: (await firstWebhook()).id });
    expect(logs.items.map((l) => [l.attempt, l.status])).toEqual(Array(6).fill([1, 'done']));
  });

  async function firstWebhook() {
    return (await stack.api.webhooks.list.query({ projectId: 'cost' })).items[0]!;
  }
});
