import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { now } from './stats';

/**
 * A real HTTP receiver on 127.0.0.1 that notes when each request arrived (fully read), by event id (from
 * the default body) and by delivery id (the `webhook-id` header, the same on every attempt, so a repeat is
 * a retry). It answers `status`, or, in 'hang' mode, holds every request until `release`.
 */
export type ReceiverMode = { kind: 'answer'; status: number } | { kind: 'hang' };

export interface Receiver {
  url: string;
  /** First arrival per event id (performance.now() time). */
  byEvent: Map<string, number>;
  /** First arrival per delivery id. */
  byDelivery: Map<string, number>;
  /** Every request, retries included. */
  hits: () => number;
  /** Requests whose delivery id had been seen before (a later attempt). */
  repeats: () => number;
  /** Requests held open right now ('hang' mode). */
  hanging: () => number;
  /** Answers every held request with `status` and switches to answering it. */
  release(status: number): void;
  close(): Promise<void>;
}

export async function startReceiver(mode: ReceiverMode = { kind: 'answer', status: 200 }): Promise<Receiver> {
  const byEvent = new Map<string, number>();
  const byDelivery = new Map<string, number>();
  const held = new Set<http.ServerResponse>();
  let hits = 0;
  let repeats = 0;

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const at = now();
      hits++;
      const deliveryId = req.headers['webhook-id'];
      if (typeof deliveryId === 'string') {
        if (byDelivery.has(deliveryId)) repeats++;
        else byDelivery.set(deliveryId, at);
      }
      let eventId: string | undefined;
      try {
        eventId = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { eventId?: string }).eventId;
      } catch {
        // not JSON: counted, not keyed
      }
      if (eventId && !byEvent.has(eventId)) byEvent.set(eventId, at);
      if (mode.kind === 'hang') {
        held.add(res);
        res.on('close', () => held.delete(res));
        return;
      }
      res.writeHead(mode.status, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  server.keepAliveTimeout = 60_000;
  server.requestTimeout = 0; // held requests must not be cut off by the server itself
  server.headersTimeout = 0;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/hook`,
    byEvent,
    byDelivery,
    hits: () => hits,
    repeats: () => repeats,
    hanging: () => held.size,
    release(status) {
      mode = { kind: 'answer', status };
      for (const res of held) res.writeHead(status, { 'content-type': 'text/plain' }).end('released');
      held.clear();
    },
    async close() {
      for (const res of held) res.destroy();
      held.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
