import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * What Hookline counts, in Prometheus's terms (`GET /metrics`, api/metrics.ts). Every metric lives in this
 * process's memory: counting is an increment, never a database call or a request, so it costs nothing on the
 * delivery path. Each process (ROLE api, worker or all) counts what it does itself, and is scraped on its own.
 *
 * Labels have bounded values: an outcome, an action, an entity type, a command name. `project` is empty (so
 * absent in Prometheus) unless METRICS_PROJECT_LABEL is on, and then holds at most METRICS_PROJECT_LIMIT
 * project ids, the rest counted as "other". Never a URL, a webhook id or an entity id.
 */
export const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: 'hookline_' });

const registers = [registry];
/** Request-sized durations: 5 ms to 2 minutes. */
const SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
/** Publish to delivered: from a request's time to hours of retries. */
const LATENCY = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 14_400];

export const metrics = {
  eventsPublished: new Counter({
    name: 'hookline_events_published_total',
    help: 'Events published (events.publish and each event of events.publishBatch), whether or not a webhook matched',
    labelNames: ['entity_type', 'action', 'project'] as const,
    registers,
  }),
  deliveriesCreated: new Counter({
    name: 'hookline_deliveries_created_total',
    help: 'Deliveries created by publishes, releases, recoveries, tests, custom actions and resends',
    labelNames: ['project'] as const,
    registers,
  }),
  deliveriesEnded: new Counter({
    name: 'hookline_deliveries_ended_total',
    help: 'Deliveries ended, by outcome: done (a 2xx) or error (failed for good, stopped or cut off)',
    labelNames: ['outcome', 'project'] as const,
    registers,
  }),
  attempts: new Counter({
    name: 'hookline_delivery_attempts_total',
    help: 'Delivery attempts that made a request, by outcome: success, retry (will be tried again) or failed (the last)',
    labelNames: ['outcome', 'project'] as const,
    registers,
  }),
  attemptDuration: new Histogram({
    name: 'hookline_delivery_attempt_duration_seconds',
    help: "One attempt's request, from sending to the response read (or the failure)",
    labelNames: ['outcome'] as const,
    buckets: SECONDS,
    registers,
  }),
  deliveryLatency: new Histogram({
    name: 'hookline_delivery_latency_seconds',
    help: "From the publish to the first byte of the receiver's 2xx response, retries and waits included",
    labelNames: ['project'] as const,
    buckets: LATENCY,
    registers,
  }),
  pauses: new Counter({
    name: 'hookline_delivery_pauses_total',
    help: 'Attempts refused before any request, by reason: endpoint_full (its line) or circuit_open; they use no attempt',
    labelNames: ['reason'] as const,
    registers,
  }),
  flowCalls: new Counter({
    name: 'hookline_flow_calls_total',
    help: "Calls of flows' webhook URLs, by HTTP status class of Hookline's answer",
    labelNames: ['status'] as const,
    registers,
  }),
  flowRuns: new Counter({
    name: 'hookline_flow_runs_total',
    help: 'Flow runs ended, by outcome: done or error',
    labelNames: ['outcome'] as const,
    registers,
  }),
  dbCommandDuration: new Histogram({
    name: 'hookline_db_command_duration_seconds',
    help: 'Database commands, as the driver measured them, by command and outcome',
    labelNames: ['command', 'outcome'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  }),
};

/** Gauges read at scrape time from whoever holds the state (the worker's endpoint guard). */
export function registerGauge(
  name: string,
  help: string,
  labelNames: readonly string[],
  read: () => [Record<string, string>, number][],
) {
  registry.removeSingleMetric(name);
  new Gauge({
    name,
    help,
    labelNames,
    registers,
    collect() {
      this.reset();
      for (const [labels, value] of read()) this.set(labels, value);
    },
  });
}

let projectLabels: { enabled: boolean; limit: number } = { enabled: false, limit: 0 };
const labelled = new Set<string>();

/** METRICS_PROJECT_LABEL and METRICS_PROJECT_LIMIT, once at start. */
export function configureMetrics(opts: { projectLabel: boolean; projectLimit: number }): void {
  projectLabels = { enabled: opts.projectLabel, limit: opts.projectLimit };
  // Each outcome at 0 from the start: a series first seen at 3 would lose those 3 from every rate().
  if (!opts.projectLabel) {
    for (const outcome of ['done', 'error']) metrics.deliveriesEnded.inc({ outcome, project: '' }, 0);
    for (const outcome of ['success', 'retry', 'failed']) metrics.attempts.inc({ outcome, project: '' }, 0);
    metrics.deliveriesCreated.inc({ project: '' }, 0);
  }
}

/** The `project` label of a project id: '' when off; past the limit of distinct ids, "other". */
export function projectLabel(projectId: string): string {
  if (!projectLabels.enabled) return '';
  if (labelled.has(projectId)) return projectId;
  if (labelled.size >= projectLabels.limit) return 'other';
  labelled.add(projectId);
  return projectId;
}

/** Database commands by name: the driver's own few dozen, anything else "other". */
const COMMANDS = new Set([
  'find',
  'insert',
  'update',
  'delete',
  'aggregate',
  'count',
  'findAndModify',
  'getMore',
  'createIndexes',
  'listCollections',
  'listIndexes',
  'hello',
  'isMaster',
  'ping',
  'buildInfo',
  'dropIndexes',
  'create',
  'distinct',
]);
export const commandLabel = (name: string) => (COMMANDS.has(name) ? name : 'other');
