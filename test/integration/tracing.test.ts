import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTRPCClient, httpLink } from '@trpc/client';
import type { AppRouter } from '../../src/api/router';
import { freePort } from '../../temporal/servers';
import { appProcesses } from '../helpers/app-process';
import { startReceiver, type Receiver } from '../helpers/receiver';
import { waitForFound } from '../helpers/wait';

const TOKEN = 'tracing-test-token';

interface Span {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
}

/** A real OTLP/HTTP (JSON) collector on 127.0.0.1: keeps every span it is sent. */
async function startCollector() {
  const spans: Span[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        resourceSpans?: { scopeSpans?: { spans?: Span[] }[] }[];
      };
      for (const rs of body.resourceSpans ?? []) for (const ss of rs.scopeSpans ?? []) spans.push(...(ss.spans ?? []));
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    spans,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The names from a span up to the root of its trace, through each parent. */
function chainOf(spans: Span[], from: Span): string[] {
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  const names: string[] = [];
  for (let s: Span | undefined = from; s; s = s.parentSpanId ? byId.get(s.parentSpanId) : undefined) names.push(s.name);
  return names;
}

/** Until `find` finds what it looks for (spans arrive in batches). */
const until = <T>(what: string, find: () => T | undefined) => waitForFound(what, find, { everyMs: 200 });

/**
 * Tracing on (OTEL_EXPORTER_OTLP_ENDPOINT) in `npm start` as its own process, exporting to a real OTLP collector:
 * one trace runs from the caller's `events.publish` through the workflow start, the workflow and the attempt to the
 * outbound POST, whose receiver gets `traceparent` (its webhook asked for it); a flow webhook call runs into its
 * run's http step the same way.
 */
describe('traces, through a real OTLP collector', () => {
  const apps = appProcesses('tracing', TOKEN);
  let collector: Awaited<ReturnType<typeof startCollector>>;
  let receiver: Receiver;
  let base: string;

  beforeAll(async () => {
    collector = await startCollector();
    receiver = await startReceiver(() => ({
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: '{"ok":true}',
    }));
    const apiPort = await freePort();
    base = `http://127.0.0.1:${apiPort}`;
    apps.start({
      ROLE: 'all',
      API_PORT: String(apiPort),
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
      OTEL_SERVICE_NAME: 'hookline-test',
      OTEL_BSP_SCHEDULE_DELAY: '200',
    });
    await apps.healthy(base);
  }, 120_000);
  afterAll(async () => {
    await apps.stopAll();
    await receiver?.close();
    await collector?.close();
  });

  /** A caller's own trace: what it sends as `traceparent`, and the trace id everything should share. */
  const callerTrace = () => {
    const traceId = randomBytes(16).toString('hex');
    const spanId = randomBytes(8).toString('hex');
    return { traceId, spanId, traceparent: `00-${traceId}-${spanId}-01` };
  };
  const apiWith = (headers: Record<string, string>) =>
    createTRPCClient<AppRouter>({
      links: [httpLink({ url: `${base}/trpc`, headers: { authorization: `Bearer ${TOKEN}`, ...headers } })],
    });

  it('follows a publish from the call, through the workflow and its attempt, to the outbound POST and its receiver', async () => {
    const setup = apiWith({});
    await setup.webhooks.create.mutate({
      projectId: 'traced',
      name: 'traced',
      url: `${receiver.url}/traced`,
      triggers: [{ entityType: 'record', actions: ['publish'] }],
      traceparent: true,
    });
    const caller = callerTrace();
    const { deliveries } = await apiWith({ traceparent: caller.traceparent }).events.publish.mutate({
      projectId: 'traced',
      entityType: 'record',
      action: 'publish',
      entity: { id: 'page-1' },
    });
    const post = await until('the outbound POST span', () =>
      collector.spans.find((s) => s.traceId === caller.traceId && s.name === 'POST'),
    );
    // Every span up the chain arrives (the workflow's through its sink): then the chain is whole.
    const chain = await until('the whole chain', () => {
      const names = chainOf(collector.spans, post);
      return names.at(-1) === 'mutation events.publish' ? names : undefined;
    });
    expect(chain).toEqual([
      'POST',
      'RunActivity:sendWebhook',
      'StartActivity:sendWebhook',
      'RunWorkflow:deliveryWorkflow',
      'StartWorkflow:deliveryWorkflow',
      'mutation events.publish',
    ]);
    // The root is the caller's span: the trace is the caller's own.
    const root = collector.spans.find((s) => s.traceId === caller.traceId && s.name === 'mutation events.publish')!;
    expect(root.parentSpanId).toBe(caller.spanId);
    // The receiver asked for traceparent: it joins the trace, under the POST span.
    const got = receiver.requests.find((r) => r.headers['webhook-id'] === deliveries[0]!.id)!;
    expect(got.headers.traceparent).toBe(`00-${caller.traceId}-${post.spanId}-01`);
  }, 90_000);

  it("follows a flow webhook call into its run's http step", async () => {
    const api = apiWith({});
    const flow = await api.flows.create.mutate({
      projectId: 'traced',
      name: 'Check',
      status: 'live',
      mode: 'sync',
      steps: [{ ref: 'crm', kind: 'http', url: `${receiver.url}/crm` }],
      response: { statusCode: 200, body: '{"ok": {{ crm.body.ok | json }}}', contentType: 'application/json' },
    });
    const { token } = await api.flows.token.query({ projectId: 'traced', id: flow.id });
    const caller = callerTrace();
    const res = await fetch(`${base}/v1/flow-webhook/${flow.id}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        traceparent: caller.traceparent,
      },
      body: '{}',
    });
    expect(await res.json()).toEqual({ ok: true });
    const step = await until('the http step span', () =>
      collector.spans.find((s) => s.traceId === caller.traceId && s.name === 'POST'),
    );
    const chain = await until('the whole chain', () => {
      const names = chainOf(collector.spans, step);
      return names.at(-1) === 'POST /v1/flow-webhook/:flowId' ? names : undefined;
    });
    expect(chain[0]).toBe('POST');
    expect(chain).toContain('RunWorkflow:flowRunWorkflow');
    expect(chain.at(-1)).toBe('POST /v1/flow-webhook/:flowId');
  }, 90_000);
});
