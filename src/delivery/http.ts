import { Agent, request, type Dispatcher } from 'undici';
import { version } from '../../package.json';

export const USER_AGENT = `Hookline/${version}`;
export const RESPONSE_BODY_LIMIT = 64 * 1024;

export interface OutboundRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  signal?: AbortSignal;
}

export type OutboundResult =
  | { kind: 'response'; status: number; headers: Record<string, string>; body: string; retryAfter: string | null }
  | { kind: 'failure'; error: string };

/** One dispatcher per worker: keeps connections alive between attempts; never follows redirects. */
export function createDispatcher(): Dispatcher {
  return new Agent({ connect: { timeout: 10_000 }, keepAliveTimeout: 10_000 });
}

/**
 * Where a delivery is sent: one POST, no redirects, bounded in time and in how much of the answer is read.
 * Every way it can go wrong comes back as a `failure` with a readable reason, never as a throw.
 */
export async function postWebhook(dispatcher: Dispatcher, req: OutboundRequest): Promise<OutboundResult> {
  const timeout = AbortSignal.timeout(req.timeoutMs);
  const signal = req.signal ? AbortSignal.any([req.signal, timeout]) : timeout;
  try {
    const res = await request(req.url, {
      method: 'POST',
      headers: req.headers,
      body: req.body,
      dispatcher,
      signal,
      headersTimeout: req.timeoutMs,
      bodyTimeout: req.timeoutMs,
    });
    const body = await readBounded(res.body, RESPONSE_BODY_LIMIT);
    const headers = flattenHeaders(res.headers);
    return { kind: 'response', status: res.statusCode, headers, body, retryAfter: headers['retry-after'] ?? null };
  } catch (err) {
    if (timeout.aborted) return { kind: 'failure', error: `Request failed: no answer within ${req.timeoutMs} ms` };
    return { kind: 'failure', error: `Request failed: ${describeNetworkError(err)}` };
  }
}

async function readBounded(body: Dispatcher.ResponseData['body'], limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buf = chunk as Buffer;
    chunks.push(buf.subarray(0, Math.max(0, limit - size)));
    size += buf.length;
    if (size >= limit) {
      body.destroy();
      break;
    }
  }
  return Buffer.concat(chunks).toString('utf8');
}

function flattenHeaders(h: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

function describeNetworkError(err: unknown): string {
  const e = err as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = e.code ?? e.cause?.code;
  const message = e.cause?.message ?? e.message ?? String(err);
  switch (code) {
    case 'ECONNREFUSED':
      return `connection refused (${message})`;
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return `connection reset (${message})`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `host not found (${message})`;
    case 'HPE_INVALID_CONSTANT':
    case 'HPE_INVALID_STATUS':
    case 'HPE_INVALID_VERSION':
      return `the endpoint's answer is not HTTP (${message})`;
    default:
      return code ? `${code}: ${message}` : message;
  }
}
