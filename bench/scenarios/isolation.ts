import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { bounded, now, sleep, waitUntil } from '../stats';
import type { Bench } from '../stack';

export interface IsolationResult {
  /** A: `hanging` deliveries held by one webhook; then 30 events to another webhook, on the same host or not. */
  hanging: number;
  sameHost: { arrived: number; seconds: number };
  otherHost: { arrived: number; seconds: number };
  /** X: a backlog of `backlog` deliveries on 20 webhooks; then project Y's 30 events. */
  backlog: number;
  projectsSameHost: { arrived: number; seconds: number; xDoneBefore: number };
  projectsOwnHosts: { arrived: number; seconds: number; xDoneBefore: number };
}

/** A receiver whose `/slow…` paths hold every request until released; it notes each arrival by path. */
async function pathReceiver() {
  const arrivals: { path: string; at: number }[] = [];
  const held = new Set<http.ServerResponse>();
  let releasing = false;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const path = req.url ?? '';
      if (path.startsWith('/slow') && !releasing) {
        held.add(res);
        return;
      }
      arrivals.push({ path, at: now() });
      res.writeHead(200).end();
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    arrivals,
    count: (prefix: string) => arrivals.filter((a) => a.path.startsWith(prefix)).length,
    release() {
      releasing = true;
      for (const res of held) res.writeHead(200).end();
      held.clear();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Figure 9, issue 15's scenarios timed: 30 deliveries to a webhook beside another that hangs, on the same host
 * and on another; and 30 of project Y's beside project X's backlog on 20 webhooks, on one host and on their own.
 */
export async function isolation(b: Bench, hanging: number, perWebhook: number, concurrency: number) {
  const hook = (projectId: string, url: string, contentType: string) =>
    b.trpc.webhooks.create.mutate({
      projectId,
      name: contentType,
      url,
      triggers: [{ entityType: 'record', actions: ['update'], contentTypes: [contentType] }],
      retryPolicy: { timeoutMs: 60_000 },
    });
  const publishMany = (projectId: string, contentType: string, n: number) =>
    bounded(n, concurrency, async (i) => {
      await b.trpc.events.publish.mutate({
        projectId,
        entityType: 'record',
        action: 'update',
        contentType,
        entity: { id: `${contentType}-${i}-${b.uid}` },
      });
    });
  /** How many arrived, and how long after `t0` (the first publish) the n-th did, or the wait gave up. */
  const arrival = async (t0: number, count: () => number, n: number, maxS: number) => {
    await waitUntil(() => count() >= n, maxS * 1000).catch(() => undefined);
    return { arrived: count(), seconds: (now() - t0) / 1000 };
  };

  // A hanging webhook beside another, on the same host and on another.
  const one = await pathReceiver();
  const two = await pathReceiver();
  const p = `iso-${b.uid}`;
  await hook(p, `${one.url}/slow`, 'slow');
  await hook(p, `${one.url}/same`, 'same');
  await hook(p, `${two.url}/other`, 'other');
  await publishMany(p, 'slow', hanging);
  await sleep(2_000);
  const t1 = now();
  await publishMany(p, 'same', 30);
  const sameHost = await arrival(t1, () => one.count('/same'), 30, 30);
  const t2 = now();
  await publishMany(p, 'other', 30);
  const otherHost = await arrival(t2, () => two.count('/other'), 30, 30);
  one.release();

  // Project X's backlog on 20 webhooks, then project Y's 30: on one host, then each webhook on its own.
  const projects = async (ownHosts: boolean) => {
    const xHosts = await Promise.all(Array.from({ length: ownHosts ? 20 : 1 }, () => pathReceiver()));
    const yHost = ownHosts ? await pathReceiver() : xHosts[0]!;
    const x = `x-${ownHosts ? 'own' : 'one'}-${b.uid}`;
    const y = `y-${ownHosts ? 'own' : 'one'}-${b.uid}`;
    for (let k = 0; k < 20; k++) await hook(x, `${xHosts[k % xHosts.length]!.url}/x${k}`, 'post');
    await hook(y, `${yHost.url}/y`, 'post');
    const xDone = () => xHosts.reduce((s, h) => s + h.count('/x'), 0);
    await publishMany(x, 'post', perWebhook);
    const t0 = now();
    await publishMany(y, 'post', 30);
    const result = { ...(await arrival(t0, () => yHost.count('/y'), 30, 60)), xDoneBefore: xDone() };
    await waitUntil(() => xDone() >= 20 * perWebhook, 120_000).catch(() => undefined);
    await Promise.all([...new Set([...xHosts, yHost])].map((h) => h.close()));
    return result;
  };
  const projectsSameHost = await projects(false);
  const projectsOwnHosts = await projects(true);
  await sleep(1_000);
  await Promise.all([one.close(), two.close()]);
  return {
    hanging,
    sameHost,
    otherHost,
    backlog: 20 * perWebhook,
    projectsSameHost,
    projectsOwnHosts,
  } satisfies IsolationResult;
}
