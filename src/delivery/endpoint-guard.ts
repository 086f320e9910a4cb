import { randomUUID } from 'node:crypto';
import type { Models } from '../db/models';

export interface EndpointGuardOptions {
  /** Requests in flight to one endpoint, across every worker. */
  maxInFlight: number;
  /** Consecutive failed attempts that open the circuit. */
  failureThreshold: number;
  /** How long an open circuit pauses the endpoint's deliveries. */
  cooldownMs: number;
}

export interface Lease {
  id: string;
  holder: string;
}

/** An endpoint is a target's origin: every path on one host and port shares its limits. */
export const endpointOf = (url: string): string => new URL(url).origin;

const isDuplicateKey = (err: unknown) => (err as { code?: number }).code === 11000;

/**
 * Endpoint protection with its state in the database, so that it holds across every worker:
 * - a concurrency limit: each request in flight holds one of `maxInFlight` leases of its endpoint, taken
 *   by inserting a document with a unique id (atomic on FerretDB and MongoDB alike), given back after the
 *   request, and expiring on its own if the worker holding it dies;
 * - a circuit breaker: after `failureThreshold` consecutive failed attempts the endpoint is paused for
 *   `cooldownMs`; the first attempt after that either closes it (success) or opens it again (failure).
 * Circuit times are on the Temporal server's clock (the attempt's scheduled time), the clock the delivery
 * workflow's pause runs on; lease expiry is about real requests and uses this machine's clock.
 */
export function createEndpointGuard(models: Models, opts: EndpointGuardOptions) {
  const { EndpointLease, EndpointCircuit } = models;

  return {
    async openUntil(endpoint: string, now: number): Promise<number | undefined> {
      const circuit = await EndpointCircuit.findById(endpoint).lean();
      const until = circuit?.openUntil?.getTime();
      return until !== undefined && until > now ? until : undefined;
    },

    /** A lease for one request, or undefined when the endpoint already has `maxInFlight` in flight. */
    async acquire(endpoint: string, ttlMs: number): Promise<Lease | undefined> {
      const now = Date.now();
      const leases = await EndpointLease.find({ endpoint }).lean();
      const held = new Set(leases.filter((l) => l.expiresAt.getTime() > now).map((l) => l._id));
      for (const expired of leases.filter((l) => !held.has(l._id))) {
        await EndpointLease.deleteOne({ _id: expired._id, holder: expired.holder });
      }
      const free = Array.from({ length: opts.maxInFlight }, (_, n) => `${endpoint}#${n}`).filter((id) => !held.has(id));
      const holder = randomUUID();
      for (const id of shuffle(free)) {
        try {
          await EndpointLease.create({ _id: id, endpoint, holder, expiresAt: new Date(now + ttlMs) });
          return { id, holder };
        } catch (err) {
          if (!isDuplicateKey(err)) throw err;
        }
      }
      return undefined;
    },

    async release(lease: Lease): Promise<void> {
      await EndpointLease.deleteOne({ _id: lease.id, holder: lease.holder });
    },

    async recordSuccess(endpoint: string): Promise<void> {
      await EndpointCircuit.updateOne(
        { _id: endpoint, consecutiveFailures: { $gt: 0 } },
        { $set: { consecutiveFailures: 0 }, $unset: { openUntil: 1, lastError: 1 } },
      );
    },

    /** Counts a failure; returns when the circuit opened, if this failure opened it. */
    async recordFailure(endpoint: string, now: number, error: string): Promise<number | undefined> {
      const bump = () =>
        EndpointCircuit.findOneAndUpdate(
          { _id: endpoint },
          { $inc: { consecutiveFailures: 1 }, $set: { lastError: error } },
          { upsert: true, returnDocument: 'after' },
        ).lean();
      // Two first failures at once both try to insert the document: the loser counts on the winner's.
      const circuit = await bump().catch((err: unknown) => (isDuplicateKey(err) ? bump() : Promise.reject(err)));
      const open = circuit?.openUntil && circuit.openUntil.getTime() > now;
      if (!circuit || open || circuit.consecutiveFailures < opts.failureThreshold) return undefined;
      const until = now + opts.cooldownMs;
      await EndpointCircuit.updateOne({ _id: endpoint }, { $set: { openUntil: new Date(until) } });
      return until;
    },
  };
}

export type EndpointGuard = ReturnType<typeof createEndpointGuard>;

function shuffle<T>(items: T[]): T[] {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}
