import { INTERRUPTED } from '../../src/outbound/store/execution-log';
import { workerProcesses } from '../helpers/worker-process';
import { startReceiver, type Receiver } from '../helpers/receiver';
import { startStack, type Stack } from '../helpers/stack';

/**
 * Nothing is lost when a worker dies: the worker runs as its own process (`npm start` with ROLE=worker), is
 * killed with SIGKILL while an attempt is in flight, and a new worker process finishes the retry series.
 */
describe('a worker killed in the middle of a retry series', () => {
  let stack: Stack;
  let receiver: Receiver;

  beforeAll(async () => {
    stack = await startStack({}, { worker: false });
  });
  afterAll(async () => {
    workers.stopAll();
    await receiver?.close();
    await stack?.stop();
  });

  const workers = workerProcesses(() => stack);
  const startWorker = () => workers.start();

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

  it('a flow run whose worker dies mid-step is finished by a new worker, its run log complete', async () => {
    // 1: hangs until its worker is killed; then answers.
    const crm = await startReceiver((n) =>
      n === 1 ? 'hang' : { status: 200, headers: { 'content-type': 'application/json' }, body: '{"ok":true}' },
    );
    try {
      const flow = await stack.api.flows.create.mutate({
        projectId: 'crash',
        name: 'survives',
        status: 'live',
        steps: [
          {
            ref: 'crm',
            kind: 'http',
            url: `${crm.url}/sync`,
            retryPolicy: { initialIntervalMs: 1_000, timeoutMs: 2_000 },
          },
          { ref: 'done', kind: 'set', value: '{{ crm.body.ok }}' },
        ],
        response: { statusCode: 202, body: 'queued' },
      });
      const { token } = await stack.api.flows.token.query({ projectId: 'crash', id: flow.id });
      const first = startWorker();
      const answer = await fetch(`${stack.url}/v1/flow-webhook/${flow.id}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: '{"company_id": 1}',
      });
      expect(answer.status).toBe(202);
      const runId = answer.headers.get('x-hookline-run-id')!;

      await crm.waitFor(1);
      first.kill('SIGKILL');
      await new Promise((resolve) => first.once('exit', resolve));
      startWorker();
      await stack.temporal.workflow.getHandle(`flow-run-${runId}`).result();

      expect(crm.requests).toHaveLength(2);
      const { items } = await stack.api.flows.runs.query({ projectId: 'crash', id: flow.id });
      expect(items).toEqual([
        expect.objectContaining({
          id: runId,
          status: 'done',
          request: expect.objectContaining({ body: { company_id: 1 } }),
          response: { statusCode: 202, body: 'queued' },
          steps: [
            expect.objectContaining({ ref: 'crm', status: 'done', output: expect.objectContaining({ status: 200 }) }),
            expect.objectContaining({ ref: 'done', status: 'done', output: { value: true } }),
          ],
        }),
      ]);
    } finally {
      await crm.close();
    }
  }, 90_000);
});
