import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTRPCClient, httpLink } from '@trpc/client';
import type { AppRouter } from '../../src/api/router';
import { freePort } from '../../temporal/servers';
import { appProcesses } from '../helpers/app-process';
import { testEnv } from '../helpers/env';
import { startReceiver, type Receiver } from '../helpers/receiver';
import { waitUntil } from '../helpers/wait';

const ROOT = path.resolve(__dirname, '../..');
const TOKEN = 'metrics-test-token';

/** Until `done` holds; a read that fails counts as "not yet" (the app or Prometheus still starting). */
const until = <T>(what: string, read: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 60_000) =>
  waitUntil(what, read, done, { timeoutMs, everyMs: 500, whileStarting: true });

/**
 * `npm start` (ROLE=all) as its own process, scraped every second by a real Prometheus (Debian's) that also loads
 * deploy/prometheus/hookline-rules.yml: PromQL through Prometheus's HTTP API sees the deliveries counted, the
 * recording rules evaluate, the Temporal SDK's worker metrics are forwarded, labels stay bounded, and every metric
 * the rules and the Grafana dashboard name is exported.
 */
describe('metrics, scraped by a real Prometheus', () => {
  const apps = appProcesses('metrics', TOKEN);
  let prometheus: ChildProcess;
  let receiver: Receiver;
  let base: string;
  let prom: string;
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'hookline-metrics-'));

  beforeAll(async () => {
    receiver = await startReceiver((_, req) => (req.path.startsWith('/fail') ? { status: 500 } : { status: 200 }));
    const [apiPort, temporalMetricsPort, promPort] = await Promise.all([freePort(), freePort(), freePort()]);
    base = `http://127.0.0.1:${apiPort}`;
    prom = `http://127.0.0.1:${promPort}`;
    apps.start({
      ROLE: 'all',
      API_PORT: String(apiPort),
      TEMPORAL_METRICS_PORT: String(temporalMetricsPort),
      METRICS_PROJECT_LABEL: 'true',
      METRICS_PROJECT_LIMIT: '1',
    });
    writeFileSync(
      path.join(tmp, 'prometheus.yml'),
      [
        'global: { scrape_interval: 1s, evaluation_interval: 1s }',
        `rule_files: ['${path.join(ROOT, 'deploy/prometheus/hookline-rules.yml')}']`,
        'scrape_configs:',
        `  - { job_name: hookline, static_configs: [ { targets: ['127.0.0.1:${apiPort}'] } ] }`,
      ].join('\n'),
    );
    prometheus = spawn(
      testEnv('prometheus'),
      [
        `--config.file=${path.join(tmp, 'prometheus.yml')}`,
        `--storage.tsdb.path=${path.join(tmp, 'data')}`,
        `--web.listen-address=127.0.0.1:${promPort}`,
      ],
      { stdio: 'ignore' },
    );
    await until(
      'the app',
      () => fetch(`${base}/healthz`).then((r) => r.status),
      (s) => s === 200,
      90_000,
    );
    await until(
      'Prometheus',
      () => fetch(`${prom}/-/ready`).then((r) => r.status),
      (s) => s === 200,
    );
  });
  afterAll(async () => {
    prometheus?.kill('SIGTERM');
    await apps.stopAll();
    await receiver?.close();
    if (prometheus && prometheus.exitCode === null) await new Promise((resolve) => prometheus.once('exit', resolve));
  });

  /** One PromQL instant query: each series' labels and value. */
  const query = async (promql: string) => {
    const res = await fetch(`${prom}/api/v1/query?query=${encodeURIComponent(promql)}`);
    const body = (await res.json()) as {
      data: { result: { metric: Record<string, string>; value: [number, string] }[] };
    };
    return body.data.result.map((r) => ({ labels: r.metric, value: Number(r.value[1]) }));
  };
  const sumOf = async (promql: string) => (await query(promql))[0]?.value ?? 0;

  it('counts deliveries by outcome, per project up to its limit, and forwards the Temporal SDK metrics', async () => {
    const api = createTRPCClient<AppRouter>({
      links: [httpLink({ url: `${base}/trpc`, headers: { authorization: `Bearer ${TOKEN}` } })],
    });
    const trigger = { entityType: 'record' as const, actions: ['publish' as const] };
    for (const projectId of ['shop', 'blog']) {
      await api.webhooks.create.mutate({ projectId, name: 'ok', url: `${receiver.url}/ok`, triggers: [trigger] });
    }
    await api.webhooks.create.mutate({
      projectId: 'shop',
      name: 'failing',
      url: `${receiver.url}/fail`,
      triggers: [trigger],
      retryPolicy: { maximumAttempts: 1 },
    });
    const publish = (projectId: string, id: string) =>
      api.events.publish.mutate({ projectId, entityType: 'record', action: 'publish', entity: { id } });
    for (const id of ['entity-secret-1', 'entity-secret-2', 'entity-secret-3']) await publish('shop', id);
    await publish('blog', 'entity-secret-4');

    // Counted where Prometheus sees them: 4 delivered, 3 failed for good.
    await until(
      'deliveries counted',
      () =>
        Promise.all([
          sumOf('sum(hookline_deliveries_ended_total{outcome="done"})'),
          sumOf('sum(hookline_deliveries_ended_total{outcome="error"})'),
        ]),
      ([done, error]) => done === 4 && error === 3,
    );
    expect(await sumOf('sum(hookline_events_published_total{action="publish"})')).toBe(4);
    expect(await sumOf('sum(hookline_delivery_attempts_total)')).toBe(7);
    expect(await sumOf('sum(hookline_delivery_latency_seconds_count)')).toBe(4);
    expect(await sumOf('sum(hookline_db_command_duration_seconds_count{command="insert"})')).toBeGreaterThan(0);
    // METRICS_PROJECT_LIMIT=1: the first project keeps its id, the next is "other".
    const byProject = await query('sum by (project) (hookline_deliveries_ended_total)');
    expect(Object.fromEntries(byProject.map((s) => [s.labels.project, s.value]))).toEqual({ shop: 6, other: 1 });
    // The recording rules evaluate over it. A rate needs a series' second value: one more of each, once scraped.
    await publish('shop', 'entity-secret-5');
    await publish('blog', 'entity-secret-6');
    await until(
      'the second round scraped',
      () =>
        Promise.all([
          sumOf('sum(hookline_deliveries_ended_total{outcome="done"})'),
          sumOf('sum(hookline_deliveries_ended_total{outcome="error"})'),
        ]),
      ([done, error]) => done === 6 && error === 4,
    );
    // Once the rule has evaluated over those samples: 1 of the 3 new deliveries failed (rate() extrapolates, so
    // about a third). A rule that divided otherwise, or never evaluated, stays outside.
    await until(
      'the failure ratio rule over the second round',
      () => sumOf('hookline:delivery_failure_ratio:rate15m'),
      (v) => v > 0.2 && v < 0.45,
      30_000,
    );
    // The Temporal SDK's worker metrics, through the same scrape.
    expect(await sumOf('sum(temporal_num_pollers{poller_type="activity_task"})')).toBeGreaterThan(0);
    // Every rule loaded and healthy.
    const rules = (await (await fetch(`${prom}/api/v1/rules`)).json()) as {
      data: { groups: { rules: { name: string; health: string }[] }[] };
    };
    const all = rules.data.groups.flatMap((g) => g.rules);
    expect(all).toHaveLength(12);
    expect(all.filter((r) => r.health === 'err')).toEqual([]);
  }, 180_000);

  it('names no URL, webhook or entity, and exports every metric the rules and the dashboard chart', async () => {
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(text).not.toContain(receiver.url);
    expect(text).not.toContain('entity-secret');
    expect(text).not.toMatch(/wh_[A-Za-z0-9]/);
    // Every sample's name, and every declared one (a counter not yet incremented has no sample).
    const exported = new Set([...text.matchAll(/^(?:# TYPE )?([a-z_:]+)(?:\{| )/gm)].map((m) => m[1]!));
    const named = (file: string) => [
      ...new Set(
        [...readFileSync(path.join(ROOT, file), 'utf8').matchAll(/\b((?:hookline|temporal)_[a-z_]+)/g)].map(
          (m) => m[1]!,
        ),
      ),
    ];
    const missing = [
      ...named('deploy/prometheus/hookline-rules.yml'),
      ...named('deploy/grafana/hookline-dashboard.json'),
    ].filter((name) => !exported.has(name));
    expect(missing).toEqual([]);
  });

  it('serves a worker-only process on METRICS_PORT, with its endpoint gauges and the Temporal SDK metrics, and nothing else there', async () => {
    const [metricsPort, temporalMetricsPort] = await Promise.all([freePort(), freePort()]);
    apps.start({
      ROLE: 'worker',
      METRICS_PORT: String(metricsPort),
      TEMPORAL_METRICS_PORT: String(temporalMetricsPort),
    });
    const text = await until(
      'the worker metrics',
      () => fetch(`http://127.0.0.1:${metricsPort}/metrics`).then((r) => (r.ok ? r.text() : '')),
      (t) => t.includes('temporal_num_pollers'),
      90_000,
    );
    expect(text).toMatch(/^hookline_deliveries_waiting\{reason="endpoint_line"\} 0$/m);
    expect(text).toMatch(/^hookline_circuits_open 0$/m);
    expect((await fetch(`http://127.0.0.1:${metricsPort}/trpc/webhooks.list`)).status).toBe(404);
  }, 120_000);
});
