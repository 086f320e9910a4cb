import { Client } from '@temporalio/client';
import {
  bundleWorkflowCode,
  type LogLevel,
  type NativeConnection,
  Runtime,
  Worker,
  type WorkerOptions,
} from '@temporalio/worker';
import type { Dispatcher } from 'undici';
import { createActivities } from './activities';
import type { Config } from './config';
import type { AppDatabase } from './database';
import type { InboundActivityDeps } from './inbound/activities';
import type { OutboundActivityDeps } from './outbound/activities';
import type { Wake } from './outbound/activities/endpoint-guard';
import { createOutboundDeps, type OutboundDeps } from './outbound/deps';
import { ENDPOINT_FREE_SIGNAL } from './outbound/workflow/failures';
import { ensureRetentionSchedule } from './retention/schedule';
import { createDispatcher, type OutboundPolicy } from './shared/http/client';
import type { Tracing } from './tracing';
import type { Logger } from './shared/logger';
import type { LiquidSandbox } from './shared/templates/liquid';

export interface WorkerDeps {
  config: Config;
  connection: NativeConnection;
  db: AppDatabase;
  logger: Logger;
  /** Where flow templates render (one per process, shared with the API in ROLE=all). */
  liquid: LiquidSandbox;
  /** A client over `connection` (one is made if absent): signals waiting deliveries. */
  temporal?: Client;
  /**
   * What flows' publish steps publish through: the process's one, shared with its API (main.ts); one is made
   * over `temporal` if absent.
   */
  outbound?: OutboundDeps;
  /** Tests pass a bundle built once per run instead of bundling the workflows at every start. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** Tracing's interceptors and span sink (src/tracing.ts), when it is on. */
  tracing?: Tracing;
}

/** How long an attempt may wait in the worker for a place at a full endpoint before it is refused. */
const ENDPOINT_LINGER_MS = 1_000;

/** Where requests may go, as the configuration says: for webhook deliveries and flows' http steps alike. */
export const outboundPolicy = (config: Config): OutboundPolicy => ({
  allowPrivate: config.ALLOW_PRIVATE_TARGETS,
  proxy: { httpsProxy: config.HTTPS_PROXY, httpProxy: config.HTTP_PROXY, noProxy: config.NO_PROXY },
});

/** The delivery activities' dependencies as the configuration says. */
export function outboundActivityDeps(
  config: Config,
  db: AppDatabase,
  logger: Logger,
  dispatcher: Dispatcher = createDispatcher(outboundPolicy(config)),
): OutboundActivityDeps {
  return {
    db,
    dispatcher,
    outbound: outboundPolicy(config),
    logger,
    logCapPerWebhook: config.LOG_CAP_PER_WEBHOOK,
    maxPayloadBytes: config.MAX_PAYLOAD_BYTES,
    webhookCacheTtlMs: 5_000,
    pendingAfterMs: 1_000,
    endpoints: {
      lingerMs: ENDPOINT_LINGER_MS,
      maxInFlight: config.ENDPOINT_MAX_IN_FLIGHT,
      maxInFlightPerGroup: config.PROJECT_MAX_IN_FLIGHT,
      failureThreshold: config.CIRCUIT_FAILURE_THRESHOLD,
      cooldownMs: config.CIRCUIT_COOLDOWN_MS,
    },
  };
}

/** The flow activities' dependencies: `publish` steps publish through the outbound services. */
export function inboundActivityDeps(
  config: Config,
  db: AppDatabase,
  deps: { liquid: LiquidSandbox; publish: OutboundDeps; dispatcher: Dispatcher },
): InboundActivityDeps {
  return {
    db,
    liquid: deps.liquid,
    dispatcher: deps.dispatcher,
    outbound: outboundPolicy(config),
    runLogCap: config.RUN_LOG_CAP_PER_FLOW,
    publish: deps.publish,
  };
}

/**
 * How a worker polls and runs tasks, apart from what it runs: shared with the bench's engine floor, so
 * that the floor and Hookline are measured under the same settings.
 */
export function workerTuning(config: Config) {
  return {
    namespace: config.TEMPORAL_NAMESPACE,
    maxConcurrentActivityTaskExecutions: config.WORKER_MAX_CONCURRENT_ACTIVITIES,
    // On SIGINT/SIGTERM requests in flight get the grace time to finish (then their activities are
    // cancelled); the force time, counted from the same moment, bounds the whole stop even if the server is gone.
    shutdownGraceTime: '10 seconds',
    shutdownForceTime: '15 seconds',
  } satisfies Partial<WorkerOptions>;
}

/**
 * The process's workers, one per capability, each on its own task queue (so that an outbound retry backlog
 * never delays a flow run): run together, and stopped together.
 */
export interface Workers {
  all: Worker[];
  /** Settles once every worker has stopped; if one stops, the others are stopped too. */
  run(): Promise<void>;
  shutdown(): void;
  /** What a stop may take: the workers' grace and force times. */
  stopTimes: { graceMs: number; forceMs: number };
}

/**
 * Runs outbound deliveries on TASK_QUEUE and flow runs on FLOW_TASK_QUEUE, from one bundle of every workflow
 * (src/workflows). Add worker processes to add throughput.
 */
export async function createWorkers(deps: WorkerDeps): Promise<Workers> {
  const { config, connection, db, logger, liquid } = deps;
  const temporal = deps.temporal ?? new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
  const publish = deps.outbound ?? createOutboundDeps({ config, db, temporal, eagerStart: true });
  const wake: Wake = (workflowId) => temporal.workflow.getHandle(workflowId).signal(ENDPOINT_FREE_SIGNAL);
  const dispatcher = createDispatcher(outboundPolicy(config));
  const activities = createActivities({
    outbound: { ...outboundActivityDeps(config, db, logger, dispatcher), wake, publish },
    inbound: inboundActivityDeps(config, db, { liquid, publish, dispatcher }),
    retention: {
      db,
      temporal,
      logCapPerWebhook: config.LOG_CAP_PER_WEBHOOK,
      runLogCapPerFlow: config.RUN_LOG_CAP_PER_FLOW,
    },
  });
  keepRetentionSchedule(temporal, config, logger);
  const workflowBundle =
    deps.workflowBundle ??
    (await bundleWorkflowCode({
      workflowsPath: require.resolve('./workflows'),
      workflowInterceptorModules: deps.tracing?.workflowInterceptorModules,
      logger: quietBundler(logger),
    }));
  const tuning = { connection, ...workerTuning(config), workflowBundle, ...deps.tracing?.worker };
  const all = await Promise.all([
    Worker.create({ ...tuning, taskQueue: config.TASK_QUEUE, activities: activities.outbound }),
    Worker.create({ ...tuning, taskQueue: config.FLOW_TASK_QUEUE, activities: activities.inbound }),
  ]);
  const shutdown = () => {
    for (const worker of all) if (worker.getState() === 'RUNNING') worker.shutdown();
  };
  const options = all[0]!.options;
  return {
    all,
    shutdown,
    async run() {
      const ran = await Promise.allSettled(all.map((worker) => worker.run().finally(shutdown)));
      const failed = ran.find((r) => r.status === 'rejected');
      if (failed) throw failed.reason;
    },
    stopTimes: {
      graceMs: options.shutdownGraceTimeMs,
      forceMs: options.shutdownForceTimeMs ?? options.shutdownGraceTimeMs,
    },
  };
}

/**
 * Makes sure of the retention sweep's schedule without holding up the worker's start: a namespace where this
 * worker may not manage schedules (a narrow Temporal Cloud API key) logs why and tries again every minute.
 */
function keepRetentionSchedule(temporal: Client, config: Config, logger: Logger): void {
  const attempt = () =>
    ensureRetentionSchedule(temporal, {
      taskQueue: config.TASK_QUEUE,
      retentionDays: config.EVENT_RETENTION_DAYS,
    }).catch((err: unknown) => {
      logger.warn({ err }, 'the retention schedule could not be made sure of; trying again in a minute');
      setTimeout(() => void attempt(), 60_000).unref();
    });
  void attempt();
}

/** The bundler's progress lines go to debug: a start logs what it started, not how. */
function quietBundler(logger: Logger) {
  return {
    trace: (message: string) => logger.trace(message),
    debug: (message: string) => logger.debug(message),
    info: (message: string) => logger.debug(message),
    warn: (message: string) => logger.warn(message),
    error: (message: string) => logger.error(message),
    log: (_level: string, message: string) => logger.debug(message),
  };
}

const LOG_LEVELS = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' } as const;

let runtimeInstalled = false;
/**
 * The process's one Temporal Runtime (installed once), its logs, its Rust core's included, sent through our logger;
 * with `metricsPort`, it serves the SDK's own metrics
 * (worker slots, poll latency, task queue lag…) in Prometheus's format on 127.0.0.1:metricsPort, which the
 * process's `GET /metrics` forwards (api/metrics.ts).
 */
export function installTemporalRuntime(logger: Logger, metricsPort?: number): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  const at = (level: LogLevel) => LOG_LEVELS[level];
  Runtime.install({
    logger: {
      log: (level, message, meta) => logger[at(level)](meta ?? {}, message),
      trace: (message, meta) => logger.trace(meta ?? {}, message),
      debug: (message, meta) => logger.debug(meta ?? {}, message),
      info: (message, meta) => logger.info(meta ?? {}, message),
      warn: (message, meta) => logger.warn(meta ?? {}, message),
      error: (message, meta) => logger.error(meta ?? {}, message),
    },
    telemetryOptions: {
      logging: { filter: { core: 'WARN', other: 'ERROR' }, forward: {} },
      ...(metricsPort !== undefined ? { metrics: { prometheus: { bindAddress: `127.0.0.1:${metricsPort}` } } } : {}),
    },
  });
}
