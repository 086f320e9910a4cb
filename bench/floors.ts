import { Client, WorkflowIdReusePolicy } from '@temporalio/client';
import { defineSearchAttributeKey } from '@temporalio/common';
import { NativeConnection, Worker } from '@temporalio/worker';
import { Agent, request } from 'undici';
import type { Config } from '../src/config';
import { workerTuning } from '../src/worker';
import type { Receiver } from './receiver';
import { bounded, now, openLoop, percentile, waitUntil } from './stats';

/**
 * The two floors every figure is printed beside, measured in the same run on the same servers:
 * - HTTP floor: a plain undici POST to the same kind of receiver on 127.0.0.1;
 * - engine floor: a Temporal workflow running ONE activity that returns at once, on a worker with
 *   Hookline's `workerTuning(config)` (its own task queue), started with the options Hookline starts a
 *   delivery with (priority/fairness aside).
 */

export interface FloorInput {
  key: string;
  deliveryId: string;
  projectId: string;
  webhookId: string;
  body: string;
  contentType: string;
  retry: Record<string, number>;
}

export interface Throughput {
  n: number;
  ms: number;
  perSecond: number;
  errors: unknown[];
}

export interface Latency {
  n: number;
  received: number;
  p50: number;
  p99: number;
  errors: unknown[];
}

export function latencyOf(samples: number[], n: number, errors: unknown[]): Latency {
  return { n, received: samples.length, p50: percentile(samples, 50), p99: percentile(samples, 99), errors };
}

/** What a webhook's default body looks like, for floors that carry a realistic payload. */
export function sampleBody(eventId: string): string {
  return JSON.stringify({
    webhookId: 'wh_bench',
    eventId,
    action: 'update',
    entityType: 'record',
    contentTypeName: 'product',
    ref: null,
    occurredAt: new Date().toISOString(),
    payload: { id: eventId, name: 'Premium pack', price: 500 },
  });
}

// ---- HTTP floor ----

export class HttpFloor {
  private readonly agent = new Agent({ keepAliveTimeout: 30_000 });

  constructor(private readonly receiver: Receiver) {}

  private async post(eventId: string): Promise<void> {
    const res = await request(this.receiver.url, {
      method: 'POST',
      dispatcher: this.agent,
      headers: { 'content-type': 'application/json' },
      body: sampleBody(eventId),
    });
    await res.body.dump();
    if (res.statusCode >= 300) throw new Error(`receiver answered ${res.statusCode}`);
  }

  /** n POSTs one after another: POST → answer read. */
  async roundTrip(prefix: string, n: number): Promise<Latency> {
    const samples: number[] = [];
    const errors: unknown[] = [];
    for (let i = 0; i < n; i++) {
      const t0 = now();
      await this.post(`${prefix}-${i}`).then(
        () => samples.push(now() - t0),
        (err: unknown) => errors.push(err),
      );
    }
    return latencyOf(samples, n, errors);
  }

  /** n POSTs, `concurrency` in flight: POST → 2xx answer. */
  async sustained(prefix: string, n: number, concurrency: number): Promise<Throughput> {
    const t0 = now();
    const errors = await bounded(n, concurrency, (i) => this.post(`${prefix}-${i}`));
    const ms = now() - t0;
    return { n, ms, perSecond: (n * 1000) / ms, errors };
  }

  /** Open loop at `rate`/s: due time → the receiver has read the request. */
  async latency(prefix: string, rate: number, n: number): Promise<Latency> {
    const due = new Map<string, number>();
    const errors = await openLoop(rate, n, (i, dueAt) => {
      due.set(`${prefix}-${i}`, dueAt);
      return this.post(`${prefix}-${i}`);
    });
    const samples = [...due].flatMap(([id, t]) => {
      const at = this.receiver.byEvent.get(id);
      return at === undefined ? [] : [at - t];
    });
    return latencyOf(samples, n, errors);
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}

// ---- engine floor ----

const searchAttributes = {
  projectId: defineSearchAttributeKey('HooklineProjectId', 'KEYWORD'),
  webhookId: defineSearchAttributeKey('HooklineWebhookId', 'KEYWORD'),
  action: defineSearchAttributeKey('HooklineAction', 'KEYWORD'),
  contentType: defineSearchAttributeKey('HooklineContentType', 'KEYWORD'),
  entityId: defineSearchAttributeKey('HooklineEntityId', 'KEYWORD'),
};

export type FloorActivities = ReturnType<EngineFloor['activities']>;

export class EngineFloor {
  /** When each key's activity ran (performance.now()). */
  readonly ran = new Map<string, number>();
  private worker?: Worker;
  private running?: Promise<void>;
  private connection?: NativeConnection;
  private eagerClient?: Client;
  readonly taskQueue: string;

  constructor(
    private readonly config: Config,
    private readonly client: Client,
    uid: string,
  ) {
    this.taskQueue = `bench-floor-${uid}`;
  }

  activities() {
    return {
      floorNoop: async (input: FloorInput): Promise<void> => {
        if (!this.ran.has(input.key)) this.ran.set(input.key, now());
      },
    };
  }

  async start(): Promise<void> {
    this.connection = await NativeConnection.connect({ address: this.config.TEMPORAL_ADDRESS });
    this.eagerClient = new Client({ connection: this.connection, namespace: this.config.TEMPORAL_NAMESPACE });
    this.worker = await Worker.create({
      connection: this.connection,
      ...workerTuning(this.config),
      taskQueue: this.taskQueue,
      workflowsPath: require.resolve('./noop-workflow'),
      activities: this.activities(),
    });
    this.running = this.worker.run();
  }

  workflowId = (key: string) => `bench-floor-${key}`;

  async startWorkflow(key: string): Promise<void> {
    const input: FloorInput = {
      key,
      deliveryId: `dlv_${key}`,
      projectId: 'bench-floor',
      webhookId: 'wh_bench-floor',
      body: sampleBody(key),
      contentType: 'application/json',
      retry: {
        maximumAttempts: 10,
        initialIntervalMs: 30_000,
        backoffCoefficient: 2,
        maximumIntervalMs: 7_200_000,
        timeoutMs: 15_000,
      },
    };
    await (this.eagerClient ?? this.client).workflow.start('benchFloorWorkflow', {
      // Like Hookline's API beside its worker: eager workflow start over the floor worker's connection.
      requestEagerStart: this.eagerClient !== undefined,
      taskQueue: this.taskQueue,
      workflowId: this.workflowId(key),
      args: [input],
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      typedSearchAttributes: [
        { key: searchAttributes.projectId, value: input.projectId },
        { key: searchAttributes.webhookId, value: input.webhookId },
        { key: searchAttributes.action, value: 'update' },
        { key: searchAttributes.contentType, value: 'product' },
        { key: searchAttributes.entityId, value: key },
      ],
      staticSummary: `POST http://127.0.0.1/floor · product update`,
      // Off by default (the floor is Temporal without fairness); BENCH_FLOOR_FAIRNESS=1 shows what keys cost.
      ...(process.env.BENCH_FLOOR_FAIRNESS === '1' ? { priority: { fairnessKey: 'http://127.0.0.1:1' } } : {}),
    });
  }

  /** n workflows started `concurrency` at a time: first start → every workflow completed. */
  async sustained(prefix: string, n: number, concurrency: number, timeoutMs: number): Promise<Throughput> {
    const keys = Array.from({ length: n }, (_, i) => `${prefix}-${i}`);
    const t0 = now();
    const errors = await bounded(n, concurrency, (i) => this.startWorkflow(keys[i]!));
    await waitUntil(() => keys.every((k) => this.ran.has(k)), timeoutMs);
    // Completed, not only run: the last ones to run are confirmed first (their results are ready or nearly).
    const rest = [...keys].reverse();
    errors.push(
      ...(await bounded(rest.length, 16, (i) => this.client.workflow.getHandle(this.workflowId(rest[i]!)).result())),
    );
    const ms = now() - t0;
    return { n, ms, perSecond: (n * 1000) / ms, errors };
  }

  /** Open loop at `rate`/s: due time → the activity runs. */
  async latency(prefix: string, rate: number, n: number, timeoutMs: number): Promise<Latency> {
    const due = new Map<string, number>();
    const errors = await openLoop(rate, n, (i, dueAt) => {
      due.set(`${prefix}-${i}`, dueAt);
      return this.startWorkflow(`${prefix}-${i}`);
    });
    await waitUntil(() => [...due.keys()].every((k) => this.ran.has(k)), timeoutMs, 50);
    const samples = [...due].flatMap(([k, t]) => {
      const at = this.ran.get(k);
      return at === undefined ? [] : [at - t];
    });
    return latencyOf(samples, n, errors);
  }

  /** n workflows one after another, each started and its result awaited: what a sync call could cost at best. */
  async roundTrip(prefix: string, n: number): Promise<Latency> {
    const samples: number[] = [];
    const errors: unknown[] = [];
    for (let i = 0; i < n; i++) {
      const key = `${prefix}-${i}`;
      const t0 = now();
      try {
        await this.startWorkflow(key);
        await this.client.workflow.getHandle(this.workflowId(key)).result();
        samples.push(now() - t0);
      } catch (err) {
        errors.push(err);
      }
    }
    return latencyOf(samples, n, errors);
  }

  async stop(): Promise<void> {
    this.worker?.shutdown();
    await this.running?.catch(() => undefined);
    await this.connection?.close();
  }
}
