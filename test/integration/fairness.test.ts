import { NativeConnection } from '@temporalio/worker';
import type { Workers } from '../../src/worker';
import { startReceiver, type Receiver } from '../helpers/receiver';
import { startStack, startStackWorkers, type Stack } from '../helpers/stack';

/**
 * A backlog to one endpoint does not hold up the others: deliveries carry their endpoint as Temporal's
 * fairness key (the dev server runs with matching.enableFairness), so the task queue dispatches endpoints
 * in turn instead of first come, first served.
 */
describe('fairness across endpoints', () => {
  let stack: Stack;
  let connection: NativeConnection;
  let worker: Workers | undefined;
  let running: Promise<void> | undefined;
  const receivers: Receiver[] = [];
  const arrivals: string[] = [];

  beforeAll(async () => {
    // A small worker, started only once the backlog is queued.
    stack = await startStack({ WORKER_MAX_CONCURRENT_ACTIVITIES: '2' }, { worker: false });
    connection = await NativeConnection.connect({ address: stack.config.TEMPORAL_ADDRESS });
  });
  afterAll(async () => {
    worker?.shutdown();
    await running;
    await connection?.close();
    await Promise.all(receivers.map((r) => r.close()));
    await stack?.stop();
  });

  async function endpoint(name: string) {
    const r = await startReceiver(async () => {
      arrivals.push(name);
      await new Promise((resolve) => setTimeout(resolve, 5));
      return { status: 200 };
    });
    receivers.push(r);
    await stack.api.webhooks.create.mutate({
      projectId: 'fair',
      name,
      url: r.url,
      triggers: [{ entityType: 'record', actions: ['create'], contentTypes: [name] }],
    });
  }
  const publish = (contentType: string, n: number) =>
    Promise.all(
      Array.from({ length: n }, (_, i) =>
        stack.api.events.publish.mutate({
          projectId: 'fair',
          entityType: 'record',
          action: 'create',
          contentType,
          entity: { id: `${contentType}-${i}` },
        }),
      ),
    );

  it('10 deliveries queued behind 80 to another endpoint are served in turn, not after them', async () => {
    await endpoint('busy');
    await endpoint('other');
    const busy = await publish('busy', 80);
    const other = await publish('other', 10);

    worker = await startStackWorkers(stack, connection);
    running = worker.run();
    await Promise.all(
      [...busy, ...other].map((p) => stack.temporal.workflow.getHandle(p.deliveries[0]!.workflowId).result()),
    );

    expect(arrivals).toHaveLength(90);
    const lastOther = arrivals.lastIndexOf('other');
    const busyBefore = arrivals.slice(0, lastOther).filter((a) => a === 'busy').length;
    // First come, first served would deliver all 80 first; turns deliver about 10 of them first.
    process.stderr.write(
      `[fairness] the last of the other endpoint's 10 arrived after ${busyBefore} of 80 busy ones\n`,
    );
    expect(busyBefore).toBeLessThan(40);
  });
});
