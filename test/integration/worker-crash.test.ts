import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { INTERRUPTED } from '../../src/outbound/store/execution-log';
import { testEnv } from '../helpers/env';
import { startReceiver, type Receiver } from '../helpers/receiver';
import { startStack, type Stack } from '../helpers/stack';

/**
 * Nothing is lost when a worker dies: the worker runs as its own process (`npm start` with ROLE=worker), is
 * killed with SIGKILL while an attempt is in flight, and a new worker process finishes the retry series.
 */
describe('a worker killed in the middle of a retry series', () => {
  const root = path.resolve(__dirname, '../..');
  let stack: Stack;
  let receiver: Receiver;
  const workers: ChildProcess[] = [];

  beforeAll(async () => {
    stack = await startStack({}, { worker: false });
  });
  afterAll(async () => {
    for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.kill('SIGKILL');
    await receiver?.close();
    await stack?.stop();
  });

  function startWorker(): ChildProcess {
    const env = {
      PATH: process.env.PATH,
      ROLE: 'worker',
      API_TOKENS: 'unused-token',
      TEMPORAL_ADDRESS: testEnv('temporalAddress'),
      MONGODB_URI: stack.mongoUri,
      TASK_QUEUE: stack.config.TASK_QUEUE,
      ALLOW_PRIVATE_TARGETS: 'true',
      LOG_LEVEL: 'warn',
    };
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: root, env, stdio: 'ignore' });
    workers.push(child);
    return child;
  }

  it('is finished by a new worker, with nothing lost and the log consistent', async () => {
    // 1: fails; 2: hangs until its worker is killed; then answers 200.
    receiver = await startReceiver((n) => (n === 1 ? { status: 500 } : n === 2 ? 'hang' : { status: 200 }));
    const webhook = await stack.api.webhooks.create.mutate({
      projectId: 'crash',
      name: 'w',
      url: receiver.url,
      triggers: [{ entityType: 'record', actions: ['create'] }],
      retryPolicy: { initialIntervalMs: 1_000, timeoutMs: 5_000 },
    });
    const first = startWorker();
    const { deliveries } = await stack.api.events.publish.mutate({
      projectId: 'crash',
      entityType: 'record',
      action: 'create',
      entity: { id: 'r1' },
    });
    const delivery = deliveries[0]!;

    // Attempt 2 hangs: once it has run for a second the log shows it pending.
    await receiver.waitFor(2);
    for (;;) {
      const { items } = await stack.api.logs.list.query({ projectId: 'crash', webhookId: webhook.id });
      if (items.some((l) => l.attempt === 2 && l.status === 'pending')) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    first.kill('SIGKILL');
    await new Promise((resolve) => first.once('exit', resolve));
    // (Killed just after the pending entry, the delivery record may not count attempt 2 yet.)
    expect(await stack.api.deliveries.get.query({ projectId: 'crash', id: delivery.id })).toMatchObject({
      status: 'pending',
      attempts: expect.any(Number),
    });

    startWorker();
    await stack.temporal.workflow.getHandle(delivery.workflowId).result();

    expect(receiver.requests).toHaveLength(3);
    expect(new Set(receiver.requests.map((r) => r.headers['webhook-id']))).toEqual(new Set([delivery.id]));
    expect(await stack.api.deliveries.get.query({ projectId: 'crash', id: delivery.id })).toMatchObject({
      status: 'done',
      attempts: 3,
      lastStatusCode: 200,
    });
    const logs = await stack.api.logs.list.query({ projectId: 'crash', webhookId: webhook.id });
    expect(logs.items.map((l) => [l.attempt, l.status, l.error])).toEqual([
      [3, 'done', null],
      [2, 'error', INTERRUPTED],
      [1, 'error', 'HTTP 500'],
    ]);
  }, 90_000);
});
