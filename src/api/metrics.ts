import http from 'node:http';
import type { Config } from '../config';
import type { Logger } from '../shared/logger';
import { registry } from '../shared/metrics';

/** The Temporal SDK's own metrics (its Runtime's Prometheus endpoint), when TEMPORAL_METRICS_PORT is set. */
async function temporalMetrics(config: Pick<Config, 'TEMPORAL_METRICS_PORT'>, logger: Logger): Promise<string> {
  if (config.TEMPORAL_METRICS_PORT === undefined) return '';
  try {
    const res = await fetch(`http://127.0.0.1:${config.TEMPORAL_METRICS_PORT}/metrics`, {
      signal: AbortSignal.timeout(2_000),
    });
    return res.ok ? await res.text() : '';
  } catch (err) {
    logger.warn({ err }, "the Temporal SDK's metrics could not be read");
    return '';
  }
}

/**
 * `GET /metrics`: this process's metrics (shared/metrics.ts) in Prometheus's text format, followed by the Temporal
 * SDK's worker metrics when the Runtime serves them. Read at scrape time from memory: no database call.
 */
export function serveMetrics(
  res: http.ServerResponse,
  deps: { config: Pick<Config, 'TEMPORAL_METRICS_PORT'>; logger: Logger },
): void {
  Promise.all([registry.metrics(), temporalMetrics(deps.config, deps.logger)]).then(
    ([own, temporal]) =>
      res.writeHead(200, { 'content-type': registry.contentType }).end(temporal ? `${own}\n${temporal}` : own),
    (err: unknown) => {
      deps.logger.error({ err }, 'metrics failed');
      if (!res.headersSent) res.writeHead(500).end();
    },
  );
}

/** Whether the API port answers `GET /metrics`: when metrics are on and have no port of their own. */
export const metricsOnApiPort = (config: Pick<Config, 'METRICS_ENABLED' | 'METRICS_PORT'>) =>
  config.METRICS_ENABLED && config.METRICS_PORT === undefined;

/** METRICS_PORT: a server of its own that answers only `GET /metrics` (a worker-only process has no API port). */
export function createMetricsServer(deps: { config: Config; logger: Logger }): http.Server {
  return http.createServer((req, res) => {
    if (req.method === 'GET' && req.url?.split('?')[0] === '/metrics') return serveMetrics(res, deps);
    res.writeHead(404, { 'content-type': 'text/plain' }).end('only GET /metrics here\n');
  });
}
