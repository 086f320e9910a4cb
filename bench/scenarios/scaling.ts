import { openDatabase } from '../../src/database';
import { driverCollection } from '../../src/db/driver';
import { newId, seqKey } from '../../src/shared/ids';
import type { DeliveryRecord, LogEntryRecord, WebhookRecord } from '../../src/outbound/store/records';
import { generateSecret } from '../../src/shared/signature';
import { startReceiver } from '../receiver';
import { createWebhook, publish, type Bench } from '../stack';
import { now, percentile } from '../stats';

export interface CallCosts {
  publish: number;
  deliveriesList: number;
  logsList: number;
  webhooksList: number;
}

export interface ScalingResult {
  projects: number;
  webhooksPerProject: number;
  ring: number;
  /** p50 of each call, ms, on the empty database and after the seeding. */
  empty: CallCosts;
  full: CallCosts;
  seeded: { webhooks: number; deliveries: number; logEntries: number; seconds: number };
}

/**
 * Figure 8: one project's calls, p50, on an empty database and again after `projects` other projects with
 * `webhooksPer` webhooks each, every webhook's rings full (`ring` deliveries and `ring` log entries), written
 * through the driver (as the store writes them), not the API. Each call's cost must not grow with them.
 */
export async function scaling(
  b: Bench,
  projects: number,
  webhooksPer: number,
  ring: number,
  samples: number,
): Promise<ScalingResult> {
  const receiver = await startReceiver();
  const db = await openDatabase(b.config.MONGODB_URI);
  try {
    const project = `scale-${b.uid}`;
    const webhookId = await createWebhook(b, project, receiver.url);
    // More than a page of its own (50), so that both measurements read full pages.
    for (let i = 0; i < 60; i++) await publish(b, project, `scale-warm-${i}`);

    // The four calls in turn, `samples` rounds: whatever else the machine does (the database settling after the
    // seeding) falls on each call alike.
    const measure = async (): Promise<CallCosts> => {
      const calls: [keyof CallCosts, (i: number) => Promise<unknown>][] = [
        ['publish', (i) => publish(b, project, `scale-${round}-${i}`)],
        ['deliveriesList', () => b.trpc.deliveries.list.query({ projectId: project })],
        ['logsList', () => b.trpc.logs.list.query({ projectId: project, webhookId })],
        ['webhooksList', () => b.trpc.webhooks.list.query({ projectId: project })],
      ];
      const round = `${Math.round(now())}`;
      const times: Record<keyof CallCosts, number[]> = {
        publish: [],
        deliveriesList: [],
        logsList: [],
        webhooksList: [],
      };
      for (let i = 0; i < samples; i++) {
        for (const [name, call] of calls) {
          const t0 = now();
          await call(i);
          times[name].push(now() - t0);
        }
      }
      return {
        publish: percentile(times.publish, 50),
        deliveriesList: percentile(times.deliveriesList, 50),
        logsList: percentile(times.logsList, 50),
        webhooksList: percentile(times.webhooksList, 50),
      };
    };
    const empty = await measure();

    const t0 = now();
    const webhooks = driverCollection<WebhookRecord>(db.models.Webhook);
    const deliveries = driverCollection<DeliveryRecord>(db.models.Delivery);
    const logEntries = driverCollection<LogEntryRecord>(db.models.LogEntry);
    let seededDeliveries = 0;
    let seededLog = 0;
    for (let p = 0; p < projects; p++) {
      const projectId = `other-${b.uid}-${p}`;
      const at = new Date();
      const hooks = Array.from({ length: webhooksPer }, (_, k): WebhookRecord => ({
        _id: newId('wh'),
        projectId,
        name: `w${k}`,
        url: `${receiver.url}/other/${p}/${k}`,
        enabled: true,
        triggers: [{ entityType: 'record', actions: ['update'], contentTypes: [], recordIds: [] }],
        headers: {},
        contentType: 'application/json',
        secret: generateSecret(),
        slot: k,
        createdAt: at,
        updatedAt: at,
      }));
      await webhooks.insertMany(hooks, { ordered: false });
      for (const w of hooks) {
        const dels = Array.from({ length: ring }, (_, i): DeliveryRecord => {
          const _id = newId('dlv');
          return {
            _id,
            projectId,
            webhookId: w._id,
            eventId: `e${i}`,
            workflowId: `delivery-${_id}`,
            action: 'update',
            entityType: 'record',
            body: '{"payload":{"id":"x"}}',
            status: i % 10 === 0 ? 'error' : 'done',
            attempts: 1,
            lastStatusCode: 200,
            seq: seqKey(at, _id),
            createdAt: at,
            updatedAt: at,
          };
        });
        await deliveries.insertMany(dels, { ordered: false });
        seededDeliveries += dels.length;
        const entries = dels.map((d, i): LogEntryRecord => ({
          _id: `${w._id}~${(i + 1) % ring}`,
          n: i + 1,
          projectId,
          webhookId: w._id,
          deliveryId: d._id,
          attempt: 1,
          status: d.status,
          request: { url: w.url, method: 'POST', headers: {}, body: d.body },
          response: { status: 200, headers: {}, body: '' },
          durationMs: 3,
          startedAt: at,
          finishedAt: at,
        }));
        await logEntries.insertMany(entries, { ordered: false });
        seededLog += entries.length;
      }
      if (p % 50 === 49) {
        process.stderr.write(
          `[bench] 8: seeded ${p + 1}/${projects} projects (${Math.round((now() - t0) / 1000)} s)\n`,
        );
      }
    }
    const seconds = (now() - t0) / 1000;
    const full = await measure();
    return {
      projects,
      webhooksPerProject: webhooksPer,
      ring,
      empty,
      full,
      seeded: { webhooks: projects * webhooksPer, deliveries: seededDeliveries, logEntries: seededLog, seconds },
    };
  } finally {
    await db.conn.close();
    await receiver.close();
  }
}
