import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { freePort, provision, startTemporalDevServer, type RunningServer } from '../../temporal/servers';
import { loadConfig } from '../../src/config';
import { entityWorkflowId } from '../../src/outbound/deliveries/route';
import { createOutboundDeps, type OutboundDeps } from '../../src/outbound/deps';
import { publishEvent } from '../../src/outbound/events/publish';
import { publishEventInput } from '../../src/outbound/events/schema';
import { createWebhook } from '../../src/outbound/webhooks/service';
import { createWebhookInput } from '../../src/outbound/webhooks/schema';
import { createLogger } from '../../src/shared/logger';
import { createLiquidSandbox } from '../../src/shared/templates/liquid';
import { createWorkers, type Workers } from '../../src/worker';
import { openTestDatabase } from '../helpers/db';
import { testEnv } from '../helpers/env';
import { startReceiver, type Receiver } from '../helpers/receiver';

/**
 * An entity's workflow continues as new when Temporal suggests it, with its lanes and the delivery in flight
 * carried over, and loses no event: on a dev server of its own whose suggestion comes after 40 history events.
 */
describe("an entity's workflow continuing as new", () => {
  let server: RunningServer;
  let db: Awaited<ReturnType<typeof openTestDatabase>>;
  let connection: Connection;
  let native: NativeConnection;
  let workers: Workers;
  let running: Promise<void>;
  let receiver: Receiver;
  let deps: OutboundDeps;
  const liquid = createLiquidSandbox();

  beforeAll(async () => {
    // A server of its own even when the run's Temporal is another (TEMPORAL_ADDRESS, set by an earlier test file).
    const { TEMPORAL_BIN: bin } = await provision(['temporal'], { TEMPORAL_ADDRESS: '' });
    if (!bin) throw new Error('temporal/provision.sh temporal printed no TEMPORAL_BIN');
    const port = await freePort();
    server = await startTemporalDevServer({
      bin,
      port,
      namespace: 'default',
      quiet: true,
      dynamicConfig: ['limit.historyCount.suggestContinueAsNew=40'],
    });
    db = await openTestDatabase();
    const config = loadConfig({
      API_TOKENS: 'unused-token',
      ALLOW_PRIVATE_TARGETS: 'true',
      TEMPORAL_ADDRESS: `127.0.0.1:${port}`,
      TASK_QUEUE: 'can-deliveries',
      FLOW_TASK_QUEUE: 'can-flows',
      // The head fails for as long as the publishes take: no circuit breaker pause in between.
      CIRCUIT_FAILURE_THRESHOLD: '1000',
    });
    connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
    native = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
    deps = createOutboundDeps({ config, db, temporal: new Client({ connection }) });
    workers = await createWorkers({
      config,
      connection: native,
      db,
      logger: createLogger('silent'),
      liquid,
      workflowBundle: { codePath: testEnv('workflowBundle') },
    });
    running = workers.run();
  });
  afterAll(async () => {
    workers?.shutdown();
    await running;
    await native?.close();
    await connection?.close();
    await receiver?.close();
    await liquid.close();
    await db?.drop();
    await server?.stop(5_000).catch(() => server.kill());
  });

  it('carries its lane and the delivery in flight over, and sends every event after the head, in one', async () => {
    // The head fails (1 s apart) until 30 updates have queued behind it, each a signal: the history grows past 40.
    let released = false;
    receiver = await startReceiver(() => (released ? { status: 200 } : { status: 500 }));
    const projectId = 'can';
    await createWebhook(
      deps,
      createWebhookInput.parse({
        projectId,
        name: 'ordered',
        url: receiver.url,
        triggers: [{ entityType: 'record', actions: ['create', 'update'] }],
        ordering: 'entity',
        retryPolicy: { initialIntervalMs: 1_000, backoffCoefficient: 1 },
      }),
    );
    const publish = (action: string, title: string) =>
      publishEvent(
        deps,
        publishEventInput.parse({ projectId, entityType: 'record', action, entity: { id: 'p', title } }),
      );
    const head = await publish('create', 'v0');
    const updates: string[] = [];
    for (let i = 1; i <= 30; i++) updates.push((await publish('update', `v${i}`)).eventId);
    released = true;

    const id = entityWorkflowId(projectId, 'record', 'p');
    const handle = deps.temporal.workflow.getHandle(id);
    await handle.result();
    const bodies = receiver.requests.map(
      (r) => JSON.parse(r.body) as { eventId: string; eventIds: string[]; payload: { title: string } },
    );
    const last = bodies.pop();
    expect(bodies.length).toBeGreaterThanOrEqual(2);
    expect(bodies.every((b) => b.eventId === head.eventId)).toBe(true);
    expect(last).toMatchObject({ eventId: updates[29], eventIds: updates, payload: { title: 'v30' } });

    // The run that ended is not the first: the workflow continued as new on the way.
    const history = await handle.fetchHistory();
    const started = history.events![0]!.workflowExecutionStartedEventAttributes!;
    expect(started.continuedExecutionRunId).toBeTruthy();
  });
});
