import type http from 'node:http';
import { acceptCall } from '../inbound/calls/accept';
import type { InboundDeps } from '../inbound/deps';
import { isExpectedError, NotFoundError, PayloadTooLargeError } from '../shared/errors';
import type { Logger } from '../shared/logger';
import { metrics } from '../shared/metrics';
import { inSpan, SpanKind } from '../shared/tracing';
import { errorIdOf } from './error-id';
import { httpErrorOf } from './errors';

/** The route of a flow's webhook URL. */
export const FLOW_WEBHOOK_PATH = /^\/v1\/flow-webhook\/([^/]+)\/?$/;

/**
 * `POST /v1/flow-webhook/:flowId`: reads the body (at most MAX_PAYLOAD_BYTES), lets the inbound capability
 * accept the call, and answers; every answer to a call that started a run carries `x-hookline-run-id`.
 */
export async function handleFlowWebhook(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  flowId: string,
  deps: { inbound: InboundDeps; maxBytes: number; logger: Logger },
): Promise<void> {
  try {
    const body = await readBody(req, deps.maxBytes);
    // A server span: the trace of the call, into its run (the workflow start carries it).
    const answer = await inSpan(
      'POST /v1/flow-webhook/:flowId',
      { 'http.request.method': 'POST', 'http.route': '/v1/flow-webhook/:flowId' },
      async (span) => {
        const accepted = await acceptCall(deps.inbound, {
          flowId: decodedId(flowId),
          authorization: req.headers.authorization,
          body,
          headers: flatHeaders(req.headers),
        });
        span.setAttribute('http.response.status_code', accepted.statusCode);
        return accepted;
      },
      SpanKind.SERVER,
    );
    countCall(answer.statusCode);
    res.writeHead(answer.statusCode, {
      'content-type': answer.contentType,
      ...(answer.runId ? { 'x-hookline-run-id': answer.runId } : {}),
    });
    res.end(answer.body);
  } catch (err) {
    if (isExpectedError(err)) {
      const { status, body } = httpErrorOf(err);
      countCall(status);
      // RFC 6750: a 401 names the scheme it wants.
      sendJson(res, status, body, status === 401 ? { 'www-authenticate': 'Bearer' } : {});
      return;
    }
    countCall(500);
    const errorId = errorIdOf({});
    deps.logger.error({ err, flowId, errorId }, 'flow webhook failed');
    sendJson(res, 500, {
      error: 'internal_server_error',
      message: 'the call could not be accepted; try again',
      errorId,
    });
  }
}

/** A call in the metrics, by the status class of the answer (2xx, 4xx, 5xx). */
const countCall = (status: number) => metrics.flowCalls.inc({ status: `${Math.floor(status / 100)}xx` });

/** A path segment as sent; one that is not valid percent-encoding names no flow. */
function decodedId(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new NotFoundError('flow', segment);
  }
}

async function readBody(req: http.IncomingMessage, maxBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf: Buffer = chunk;
    size += buf.length;
    if (size > maxBytes) throw new PayloadTooLargeError(`body: is over MAX_PAYLOAD_BYTES (${maxBytes})`);
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function flatHeaders(headers: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

export function sendJson(
  res: http.ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}
