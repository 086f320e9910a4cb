import { NativeConnection } from '@temporalio/worker';
import type { Workers } from '../../src/worker';
import { startReceiver, type Receiver } from '../helpers/receiver';
import { startStack, startStackWorkers, type Stack } from '../helpers/stack';

/**
 * Many tenants on one host (a build-hook or chat service serves thousands of tenants' URLs): each webhook is its
 * own endpoint (its own in-flight limit, line, circuit and fairness key), and projects are fair against each
 * other. Counted, not timed: the bench times the same scenarios (figure 8).
 */
describe('isolation on one host', () => {
  const receivers: Receiver[] = [];
  afterAll(async () => {
    await Promise.all(receivers.map((r) => r.close()));
  });
  async function receiver(script: Parameters<typeof startReceiver>[0]) {
    const r = await startReceiver(script);
    receivers.push(r);
    return r;
  }
  const publishMany = (stack: Stack, projectId: string, contentType: string, n: number) =>
    Promise.all(
      Array.from({ length: n }, (_, i) =>
        stack.api.events.publish.mutate({
          projectId,
          entityType: 'record',
          action: 'create',
          contentType,
          entity: { id: `${contentType}-${i}` },
        }),
      ),
    );
  const trigger = (contentType: string) => [
    { entityType: 'record' as const, actions: ['create' as const], contentTypes: [contentType] },
  ];

  it('a webhook hanging on a host does not hold up another webhook on that host', async () => {
    const stack = await startStack();
    try {
      let release = () => {};
      const released = new Promise<void>((resolve) => (release = resolve));
      let hungDone = 0;
      const r = await receiver(async (_n, req) => {
        if (req.path !== '/slow') return { status: 200 };
        await released;
        hungDone++;
        return { status: 200 };
      });
      const create = (name: string, path: string) =>
        stack.api.webhooks.create.mutate({
          projectId: 'iso',
          name,
          url: `${r.url}${path}`,
          triggers: trigger(name),
          retryPolicy: { timeoutMs: 60_000 },
        });
      await create('a', '/slow');
      await create('b', '/other');
      await publishMany(stack, 'iso', 'a', 150);
      await r.waitFor(10); // A's in-flight places are taken, the rest of its 150 in its line
      const b = await publishMany(stack, 'iso', 'b', 30);
      await Promise.all(b.map((p) => stack.temporal.workflow.getHandle(p.deliveries[0]!.workflowId).result()));
      const arrived = r.requests.filter((q) => q.path === '/other').length;
      const slowSeen = r.requests.filter((q) => q.path === '/slow').length;
      process.stderr.write(`[isolation] B: ${arrived} of 30 delivered while A held ${slowSeen} requests hanging\n`);
      expect(arrived).toBe(30);
      expect(hungDone).toBe(0); // all of B's went while every one of A's was still hanging
      expect(slowSeen).toBeLessThanOrEqual(stack.config.ENDPOINT_MAX_IN_FLIGHT);
      release();
    } finally {
      await stack.stop();
    }
  }, 120_000);

  it('a project with a backlog on 20 webhooks does not hold up another project on the same host', async () => {
    const stack = await startStack({ WORKER_MAX_CONCURRENT_ACTIVITIES: '4' }, { worker: false });
    const connection = await NativeConnection.connect({ address: stack.config.TEMPORAL_ADDRESS });
    let workers: Workers | undefined;
    let running: Promise<void> | undefined;
    try {
      const arrivals: string[] = [];
      const r = await receiver(async (_n, req) => {
        arrivals.push(req.path.startsWith('/x') ? 'x' : 'y');
        return { status: 200 };
      });
      for (let i = 0; i < 20; i++) {
        await stack.api.webhooks.create.mutate({
          projectId: 'big',
          name: `x${i}`,
          url: `${r.url}/x${i}`,
          triggers: trigger('post'),
        });
      }
      await stack.api.webhooks.create.mutate({
        projectId: 'small',
        name: 'y',
        url: `${r.url}/y`,
        triggers: trigger('post'),
      });
      // X's backlog is queued first: 15 events to each of its 20 webhooks; then Y's 30.
      const x = await publishMany(stack, 'big', 'post', 15);
      const y = await publishMany(stack, 'small', 'post', 30);
      workers = await startStackWorkers(stack, connection);
      running = workers.run();
      const handles = [...x, ...y].flatMap((p) => p.deliveries.map((d) => d.workflowId));
      expect(handles).toHaveLength(330);
      await Promise.all(handles.map((id) => stack.temporal.workflow.getHandle(id).result()));
      const lastY = arrivals.lastIndexOf('y');
      const xBefore = arrivals.slice(0, lastY).filter((a) => a === 'x').length;
      process.stderr.write(`[isolation] project Y's 30 arrived after ${xBefore} of project X's 300\n`);
      // First come, first served: after all 300. One share per webhook (20 of 21 to X): after about 300.
      // One share per project: after about 30.
      expect(xBefore).toBeLessThan(150);
    } finally {
      workers?.shutdown();
      await running;
      await connection.close();
      await stack.stop();
    }
  }, 180_000);
});
