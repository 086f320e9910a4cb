import { latencyOf, type Latency } from '../floors';
import { startReceiver } from '../receiver';
import { drained, type Bench } from '../stack';
import { bounded, now, waitUntil } from '../stats';

export interface LanesResult {
  /** `events.publish` call latency, sequential, to a project with 1 and with 10 matching webhooks. */
  publish1: Latency;
  publish10: Latency;
  /** Temporal server CPU (ms) per delivery: 10 webhooks as one fan-out, and as 10 one-webhook publishes (one workflow each, as before). */
  temporalMsPerDelivery: { fanOut: number; perWebhook: number; deliveries: number };
  /** Deliveries/s, publish → every one received, `n` events each to its own entity, `concurrency` publishes at once. */
  sustained: { plain: number; ordered: number; coalesced: number; n: number };
  /** Autosaves: `entities` × `saves` updates published back to back to a coalescing webhook. */
  /** A release of `events` events to a digest webhook: the publishBatch call, and its answer → the digest's arrival. */
  release: { events: number; callMs: number; digestMs: number };
  autosave: {
    entities: number;
    saves: number;
    published: number;
    sent: number;
    coalesce: { quietMs: number; maxWaitMs: number };
  };
}

type Options = { ordering?: 'entity'; coalesce?: { quietMs: number; maxWaitMs: number } };

/**
 * Figure 10: what ordering, coalescing and the one-operation publish cost and save. The floors are in the same
 * run: publish to one webhook beside ten, and ten one-webhook publishes (the per-delivery workflow of before)
 * beside one ten-webhook fan-out.
 */
export async function lanes(b: Bench, n: number, concurrency: number): Promise<LanesResult> {
  const receiver = await startReceiver();
  const hook = async (projectId: string, o: Options = {}, contentTypes?: string[]) =>
    b.trpc.webhooks.create.mutate({
      projectId,
      name: `bench ${projectId}`,
      url: receiver.url,
      triggers: [{ entityType: 'record', actions: ['update'], ...(contentTypes ? { contentTypes } : {}) }],
      ...o,
    });
  const publish = (projectId: string, eventId: string, entityId = eventId, contentType = 'product') =>
    b.trpc.events.publish.mutate({
      projectId,
      eventId,
      entityType: 'record',
      action: 'update',
      contentType,
      entity: { id: entityId, name: 'Premium pack', price: 500 },
    });
  const arrived = (count: number) => waitUntil(() => receiver.byDelivery.size >= count, 120_000, 20);

  // Publish call latency, 1 and 10 webhooks, alternating so that both see the same machine.
  const one = `lanes1-${b.uid}`;
  const ten = `lanes10-${b.uid}`;
  await hook(one);
  for (let k = 0; k < 10; k++) await hook(ten);
  const samples1: number[] = [];
  const samples10: number[] = [];
  for (let i = 0; i < 60; i++) {
    for (const [project, samples] of [
      [one, samples1],
      [ten, samples10],
    ] as const) {
      const t0 = now();
      await publish(project, `pub-${project}-${i}`);
      if (i >= 10) samples.push(now() - t0);
    }
  }
  await drained(b, one, 30_000);
  await drained(b, ten, 30_000);

  // Temporal CPU per delivery: a 10-webhook fan-out against 10 one-webhook publishes (10 workflows).
  const rounds = Math.max(20, Math.round(n / 10));
  const solo = Array.from({ length: 10 }, (_, k) => `lanes-solo${k}-${b.uid}`);
  for (const p of solo) await hook(p);
  const base = receiver.byDelivery.size;
  const perWebhook = await b.cpu.measure(async () => {
    await bounded(rounds * 10, concurrency, async (i) => void (await publish(solo[i % 10]!, `solo-${b.uid}-${i}`)));
    await arrived(base + rounds * 10);
    for (const p of solo) await drained(b, p, 30_000);
  });
  const base2 = receiver.byDelivery.size;
  const fanOut = await b.cpu.measure(async () => {
    await bounded(rounds, concurrency, async (i) => void (await publish(ten, `fan-${b.uid}-${i}`)));
    await arrived(base2 + rounds * 10);
    await drained(b, ten, 30_000);
  });
  const temporalMs = (d: { procs: Record<string, number> }) => d.procs.temporal ?? NaN;

  // Sustained: plain, ordered, coalesced (each event its own entity).
  const rate = async (label: string, o: Options) => {
    const project = `lanes-${label}-${b.uid}`;
    await hook(project, o);
    const before = receiver.byDelivery.size;
    const t0 = now();
    await bounded(n, concurrency, async (i) => void (await publish(project, `${label}-${b.uid}-${i}`)));
    await arrived(before + n);
    return (n * 1000) / (now() - t0);
  };
  const sustained = {
    plain: await rate('plain', {}),
    ordered: await rate('ordered', { ordering: 'entity' }),
    coalesced: await rate('coalesced', { coalesce: { quietMs: 1_000, maxWaitMs: 5_000 } }),
    n,
  };

  // Autosaves: 20 updates per entity, back to back, to a webhook coalescing them.
  const coalesce = { quietMs: 2_000, maxWaitMs: 30_000 };
  const autosaveProject = `lanes-autosave-${b.uid}`;
  await hook(autosaveProject, { coalesce });
  const entities = Math.max(10, Math.round(n / 20));
  const saves = 20;
  const before = receiver.byDelivery.size;
  await bounded(entities * saves, concurrency, async (i) => {
    const entity = i % entities;
    void (await publish(autosaveProject, `save-${b.uid}-${i}`, `page-${b.uid}-${entity}`));
  });
  await arrived(before + entities);
  await drained(b, autosaveProject, 60_000);
  await new Promise((r) => setTimeout(r, coalesce.quietMs));
  const sent = receiver.byDelivery.size - before;

  // A release: 5,000 events, one digest.
  const releaseProject = `lanes-release-${b.uid}`;
  await b.trpc.webhooks.create.mutate({
    projectId: releaseProject,
    name: 'site build',
    url: receiver.url,
    triggers: [{ entityType: 'record', actions: ['publish'] }],
    digest: true,
  });
  const releaseEvents = Array.from({ length: 5_000 }, (_, i) => ({
    entityType: 'record' as const,
    action: 'publish' as const,
    contentType: 'article',
    entity: { id: `rel-${b.uid}-${i}`, title: `entry ${i}` },
  }));
  const beforeRelease = receiver.byDelivery.size;
  const c0 = now();
  await b.trpc.events.publishBatch.mutate({
    projectId: releaseProject,
    ref: `release-${b.uid}`,
    events: releaseEvents,
  });
  const answered = now();
  await arrived(beforeRelease + 1);
  const release = { events: releaseEvents.length, callMs: answered - c0, digestMs: now() - answered };
  await drained(b, releaseProject, 60_000);
  await receiver.close();

  return {
    publish1: latencyOf(samples1, samples1.length, []),
    publish10: latencyOf(samples10, samples10.length, []),
    temporalMsPerDelivery: {
      fanOut: temporalMs(fanOut.cpu) / (rounds * 10),
      perWebhook: temporalMs(perWebhook.cpu) / (rounds * 10),
      deliveries: rounds * 10,
    },
    sustained,
    release,
    autosave: { entities, saves, published: entities * saves, sent, coalesce },
  };
}
