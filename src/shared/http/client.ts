import dns from 'node:dns';
import type { LookupFunction } from 'node:net';
import { Agent, EnvHttpProxyAgent, request, type Dispatcher } from 'undici';
import { version } from '../../../package.json';
import { inSpan, SpanKind, SpanStatusCode, traceHeaders } from '../tracing';
import { isPublicAddress, literalAddress } from './target-policy';

export const USER_AGENT = `Hookline/${version}`;
const RESPONSE_BODY_LIMIT = 64 * 1024;

export interface OutboundRequest {
  /** POST unless said otherwise. */
  method?: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Adds the active trace's `traceparent` header (a webhook's opt-in), when tracing is on. */
  traceContext?: boolean;
}

export type OutboundResult =
  | {
      kind: 'response';
      status: number;
      headers: Record<string, string>;
      body: string;
      retryAfter: string | null;
      /** When the response's head arrived (ms): its first byte. */
      firstByteAtMs: number;
    }
  | { kind: 'failure'; error: string };

export interface OutboundPolicy {
  /** ALLOW_PRIVATE_TARGETS: when off, no connection is made to a private or reserved address. */
  allowPrivate: boolean;
  proxy?: { httpsProxy?: string; httpProxy?: string; noProxy?: string };
}

class PrivateAddressError extends Error {
  code = 'HOOKLINE_PRIVATE_ADDRESS';
}

/**
 * Resolves every address of a name and refuses the connection if any is private or reserved, so that a
 * name that resolves (or later rebinds) to loopback or a private network gets no connection at all.
 */
const checkedLookup: LookupFunction = (hostname, options, callback) => {
  dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, '', 0);
    const bad = addresses.find((a) => !isPublicAddress(a.address));
    if (bad) {
      return callback(
        new PrivateAddressError(`${hostname} resolves to ${bad.address}, a private or reserved address`),
        '',
        0,
      );
    }
    if (options.all) return callback(null, addresses);
    callback(null, addresses[0]!.address, addresses[0]!.family);
  });
};

/**
 * One dispatcher per worker: keeps connections alive between attempts; never follows redirects (undici
 * does not unless told to). With a proxy, requests leave through it and the proxy applies address policy;
 * every request that connects directly (no proxy, or a host NO_PROXY names) has every address checked as it
 * is connected to. (undici hands `connect` to the direct agent only: the proxy's own address is not checked.)
 */
export function createDispatcher(policy: OutboundPolicy): Dispatcher {
  const { proxy } = policy;
  const direct = {
    connect: { timeout: 10_000, ...(policy.allowPrivate ? {} : { lookup: checkedLookup }) },
    keepAliveTimeout: 10_000,
  };
  if (proxy?.httpsProxy || proxy?.httpProxy) {
    return new EnvHttpProxyAgent({
      ...direct,
      httpsProxy: proxy.httpsProxy,
      httpProxy: proxy.httpProxy,
      noProxy: proxy.noProxy,
    });
  }
  return new Agent(direct);
}

/**
 * Why a URL may not be connected to under the policy, if it may not. Literal addresses skip DNS lookup, so
 * they are checked here, proxy or not: a NO_PROXY literal connects directly, and a private literal has no
 * business going through the proxy either.
 */
export function refusedTarget(url: string, policy: OutboundPolicy): string | undefined {
  if (policy.allowPrivate) return undefined;
  const parsed = new URL(url);
  if (parsed.protocol !== 'https:') return 'Request refused: only https targets are allowed';
  const literal = literalAddress(parsed.hostname);
  if (literal !== undefined && !isPublicAddress(literal)) {
    return `Request refused: ${literal} is a private or reserved address`;
  }
  return undefined;
}

/**
 * One request out (a webhook delivery, a flow's HTTP step): no redirects, bounded in time and in how much of
 * the answer is read. Every way it can go wrong comes back as a `failure` with a readable reason, never as a
 * throw. It knows nothing of what the request is for, and touches no database.
 */
export function sendRequest(dispatcher: Dispatcher, req: OutboundRequest): Promise<OutboundResult> {
  const method = req.method ?? 'POST';
  // A client span per request (a no-op while tracing is off); the host, never the path, which may hold a token.
  const attributes = { 'http.request.method': method, 'server.address': hostOf(req.url) };
  return inSpan(
    method,
    attributes,
    async (span) => {
      const headers = req.traceContext ? { ...req.headers, ...traceHeaders() } : req.headers;
      const result = await send(dispatcher, { ...req, method, headers });
      if (result.kind === 'response') span.setAttribute('http.response.status_code', result.status);
      if (result.kind === 'failure' || result.status >= 400) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: result.kind === 'failure' ? result.error : undefined });
      }
      return result;
    },
    SpanKind.CLIENT,
  );
}

function hostOf(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return '';
  }
}

async function send(dispatcher: Dispatcher, req: OutboundRequest): Promise<OutboundResult> {
  const timeout = AbortSignal.timeout(req.timeoutMs);
  const signal = req.signal ? AbortSignal.any([req.signal, timeout]) : timeout;
  try {
    const res = await request(req.url, {
      method: req.method ?? 'POST',
      headers: req.headers,
      body: req.body,
      dispatcher,
      signal,
      headersTimeout: req.timeoutMs,
      bodyTimeout: req.timeoutMs,
    });
    const firstByteAtMs = Date.now();
    const body = await readBounded(res.body, RESPONSE_BODY_LIMIT);
    const headers = flattenHeaders(res.headers);
    return {
      kind: 'response',
      status: res.statusCode,
      headers,
      body,
      retryAfter: headers['retry-after'] ?? null,
      firstByteAtMs,
    };
  } catch (err) {
    if (timeout.aborted) return { kind: 'failure', error: `Request failed: no answer within ${req.timeoutMs} ms` };
    return { kind: 'failure', error: `Request failed: ${describeNetworkError(err)}` };
  }
}

async function readBounded(body: Dispatcher.ResponseData['body'], limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buf: Buffer = chunk;
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

const TLS_CODES = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|EPROTO$)/;

/** A string property of a thrown value, if it has one. */
function stringField(value: unknown, key: 'code' | 'message'): string | undefined {
  if (typeof value !== 'object' || value === null || !(key in value)) return undefined;
  const field: unknown = Reflect.get(value, key);
  return typeof field === 'string' ? field : undefined;
}

function describeNetworkError(err: unknown): string {
  const cause: unknown = typeof err === 'object' && err !== null ? Reflect.get(err, 'cause') : undefined;
  const code = stringField(cause, 'code') ?? stringField(err, 'code');
  const message = stringField(cause, 'message') ?? stringField(err, 'message') ?? String(err);
  if (/HTTP\/1\.1 protocol|^HPE_/.test(`${code ?? ''} ${message}`.trim()))
    return `the endpoint's answer is not HTTP (${message})`;
  if (code && TLS_CODES.test(code)) return `TLS error (${code}: ${message})`;
  switch (code) {
    case 'HOOKLINE_PRIVATE_ADDRESS':
      return `not connecting: ${message}`;
    case 'ECONNREFUSED':
      return `connection refused (${message})`;
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
    case 'EPIPE':
      return `connection reset (${message})`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `host not found (${message})`;
    case 'UND_ERR_CONNECT_TIMEOUT':
      return `connect timeout (${message})`;
    case 'HPE_INVALID_CONSTANT':
    case 'HPE_INVALID_STATUS':
    case 'HPE_INVALID_VERSION':
    case 'HPE_INVALID_HEADER_TOKEN':
    case 'HPE_CR_EXPECTED':
    case 'HPE_LF_EXPECTED':
    case 'UND_ERR_INFO':
      return `the endpoint's answer is not HTTP (${message})`;
    default:
      return code ? `${code}: ${message}` : message;
  }
}
