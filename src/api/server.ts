import http from 'node:http';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import { pingDatabase } from '../db/mongo';
import type { InboundDeps } from '../inbound/deps';
import { createOutboundDeps } from '../outbound/deps';
import { FLOW_WEBHOOK_PATH, handleFlowWebhook, sendJson } from './flow-webhook';
import { errorIdOf } from './error-id';
import { metricsOnApiPort, serveMetrics } from './metrics';
import { withIncomingTrace } from '../shared/tracing';
import { appRouter } from './router';
import { createUi } from './ui';
import type { ApiDeps } from './trpc';

/** Answers within this long even when a dependency hangs, so a load balancer's check does not. */
const HEALTH_TIMEOUT_MS = 3_000;

export async function health(deps: ApiDeps) {
  const within = <T>(p: Promise<T>, fallback: T) =>
    Promise.race([p, new Promise<T>((resolve) => setTimeout(resolve, HEALTH_TIMEOUT_MS, fallback).unref())]);
  const [mongo, temporal] = await Promise.all([
    within(pingDatabase(deps.db.conn), false),
    within(
      deps.temporal.workflowService.getSystemInfo({}).then(
        () => true,
        () => false,
      ),
      false,
    ),
  ]);
  return { ok: mongo && temporal, mongo: mongo ? 'up' : 'down', temporal: temporal ? 'up' : 'down' } as const;
}

/**
 * The API's HTTP surface: `GET /healthz`, `GET /metrics` (unless METRICS_PORT moves it), tRPC under `/trpc/`, the
 * flow webhooks under `/v1/flow-webhook/` and the activity page under `/ui`.
 */
export function createApiServer(deps: ApiDeps): http.Server {
  const outbound = deps.outbound ?? createOutboundDeps(deps);
  const inbound: InboundDeps = deps;
  const ui = createUi({ temporalUiUrl: deps.config.TEMPORAL_UI_URL, namespace: deps.config.TEMPORAL_NAMESPACE });
  // Built now, beside the start-up, so that the first page load does not wait for it.
  ui.warm().catch((err: unknown) => deps.logger.error({ err }, 'the activity page did not build'));
  const handler = (maxBodySize: number) =>
    createHTTPHandler({
      router: appRouter,
      basePath: '/trpc/',
      maxBodySize,
      createContext: ({ req }) => ({ deps, outbound, inbound, authorization: req.headers.authorization }),
      onError: ({ error, path }) => {
        if (error.code === 'INTERNAL_SERVER_ERROR') {
          deps.logger.error({ err: error.cause ?? error, path, errorId: errorIdOf(error) }, 'API error');
        }
      },
    });
  const trpc = handler(deps.config.MAX_PAYLOAD_BYTES);
  // A release carries many events: its own bound (each event's body is still checked against MAX_PAYLOAD_BYTES).
  const trpcBatch = handler(deps.config.MAX_BATCH_BYTES);

  // A caller's traceparent makes what a request does part of its trace (when tracing is on; a no-op otherwise).
  return http.createServer((req, res) => withIncomingTrace(req.headers, () => route(req, res)));

  function route(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/metrics' && req.method === 'GET' && metricsOnApiPort(deps.config)) {
      serveMetrics(res, deps);
      return;
    }
    if (url.pathname === '/healthz' && (req.method === 'GET' || req.method === 'HEAD')) {
      void health(deps).then((body) => sendJson(res, body.ok ? 200 : 503, body));
      return;
    }
    if (
      (url.pathname === '/ui' || url.pathname.startsWith('/ui/')) &&
      (req.method === 'GET' || req.method === 'HEAD')
    ) {
      ui.serve(url.pathname, res).catch((err: unknown) => {
        const errorId = errorIdOf({});
        deps.logger.error({ err, errorId }, 'activity page');
        sendJson(res, 500, { error: 'internal_server_error', message: 'the activity page is not available', errorId });
      });
      return;
    }
    if (url.pathname === '/trpc/events.publishBatch') {
      trpcBatch(req, res);
      return;
    }
    if (url.pathname.startsWith('/trpc/')) {
      trpc(req, res);
      return;
    }
    const flowId = FLOW_WEBHOOK_PATH.exec(url.pathname)?.[1];
    if (flowId !== undefined && req.method === 'POST') {
      void handleFlowWebhook(req, res, flowId, {
        inbound,
        maxBytes: deps.config.MAX_PAYLOAD_BYTES,
        logger: deps.logger,
      });
      return;
    }
    sendJson(res, 404, { error: 'not_found', message: `no route for ${req.method} ${url.pathname}` });
  }
}
