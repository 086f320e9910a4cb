import { createHash } from 'node:crypto';

export interface EndpointGuardOptions {
  /** Requests in flight to one endpoint from this worker. */
  maxInFlight: number;
  /** Consecutive failed attempts that open the circuit. */
  failureThreshold: number;
  /** How long an open circuit pauses the endpoint's deliveries. */
  cooldownMs: number;
}

/** An endpoint is a target's origin: every path on one host and port shares its limits. */
export const endpointOf = (url: string): string => new URL(url).origin;

/** Temporal's fairness keys are at most 64 bytes: a long origin is keyed by its digest. */
export function fairnessKeyOf(url: string): string {
  const endpoint = endpointOf(url);
  return Buffer.byteLength(endpoint) <= 64
    ? endpoint
    : `sha256:${createHash('sha256').update(endpoint).digest('hex').slice(0, 48)}`;
}

/** Why an attempt may not go now; `untilMs` when the wait has a known end (an open circuit). */
export interface Refusal {
  reason: string;
  untilMs?: number;
}

export interface Permit {
  /** Gives the place back and counts the attempt's outcome for the circuit (none when no request was made). */
  release(outcome: 'success' | 'failure' | 'none', now: number): void;
}

interface EndpointState {
  inFlight: number;
  consecutiveFailures: number;
  openUntil?: number;
  /** After a cooldown one attempt probes the endpoint; the others wait for its outcome. */
  probing: boolean;
}

/**
 * Endpoint protection, in the worker's memory so that it costs no database round trip:
 * - a concurrency limit: at most `maxInFlight` requests to one endpoint at a time from this worker (so a
 *   slow endpoint holds at most that many of the worker's activity slots);
 * - a circuit breaker: after `failureThreshold` consecutive failed attempts the endpoint is paused for
 *   `cooldownMs`; then one attempt probes it, and its outcome closes the circuit or opens it again.
 * A refused attempt makes no request: the delivery workflow waits on a durable timer and tries again.
 * Times are on the Temporal server's clock (the attempt's scheduled time), the one the workflow's timers use.
 */
export function createEndpointGuard(opts: EndpointGuardOptions) {
  const states = new Map<string, EndpointState>();
  const stateOf = (endpoint: string) => {
    let s = states.get(endpoint);
    if (!s) states.set(endpoint, (s = { inFlight: 0, consecutiveFailures: 0, probing: false }));
    return s;
  };
  // Forget endpoints that are idle and healthy, so that the map stays as small as the traffic.
  const forgetIfIdle = (endpoint: string, s: EndpointState) => {
    if (s.inFlight === 0 && s.consecutiveFailures === 0 && !s.probing) states.delete(endpoint);
  };

  return {
    enter(endpoint: string, now: number): Permit | Refusal {
      const s = stateOf(endpoint);
      if (s.openUntil !== undefined && s.openUntil > now) {
        return { reason: `endpoint ${endpoint} is paused (circuit open)`, untilMs: s.openUntil };
      }
      const probe = s.openUntil !== undefined;
      if (probe && s.probing) return { reason: `endpoint ${endpoint} is paused (circuit half-open, probing)` };
      if (s.inFlight >= opts.maxInFlight) return { reason: `endpoint ${endpoint} has too many requests in flight` };
      s.inFlight++;
      if (probe) s.probing = true;
      let released = false;
      return {
        release(outcome, at) {
          if (released) return;
          released = true;
          s.inFlight--;
          if (probe) s.probing = false;
          if (outcome === 'success') {
            s.consecutiveFailures = 0;
            s.openUntil = undefined;
          } else if (outcome === 'failure') {
            s.consecutiveFailures++;
            if (probe || s.consecutiveFailures >= opts.failureThreshold) s.openUntil = at + opts.cooldownMs;
          }
          forgetIfIdle(endpoint, s);
        },
      };
    },

    /** For tests and metrics: what the guard holds for an endpoint. */
    inspect(endpoint: string) {
      const s = states.get(endpoint);
      return { inFlight: s?.inFlight ?? 0, consecutiveFailures: s?.consecutiveFailures ?? 0, openUntil: s?.openUntil };
    },
  };
}

export const isRefusal = (r: Permit | Refusal): r is Refusal => 'reason' in r;

export type EndpointGuard = ReturnType<typeof createEndpointGuard>;
