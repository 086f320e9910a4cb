import { TRPCError } from '@trpc/server';
import type { Models } from '../db/models';

/**
 * MAX_WEBHOOKS_PER_PROJECT, exact under concurrent creates: a create first takes a slot from a per-project
 * counter with one conditional atomic update ($inc only while below the limit), and gives it back if the
 * insert fails; a delete gives its slot back. A slot leaked by a crash between the two is found when the
 * limit is hit, by counting the project's webhooks once.
 */
export function createWebhookQuota(models: Models, limit: number) {
  const { Counter, Webhook } = models;
  const key = (projectId: string) => `webhooks:${projectId}`;

  async function take(projectId: string): Promise<boolean> {
    try {
      await Counter.updateOne({ _id: key(projectId), seq: { $lt: limit } }, { $inc: { seq: 1 } }, { upsert: true });
      return true;
    } catch (err) {
      // The counter exists and is at the limit: the upsert's insert of the same _id collides.
      if ((err as { code?: number }).code === 11000) return false;
      throw err;
    }
  }

  return {
    async reserve(projectId: string): Promise<void> {
      if (await take(projectId)) return;
      const actual = await Webhook.countDocuments({ projectId });
      if (actual < limit) {
        await Counter.updateOne({ _id: key(projectId), seq: { $gt: actual } }, { $set: { seq: actual } });
        if (await take(projectId)) return;
      }
      throw new TRPCError({
        code: 'FORBIDDEN',
        message: `MAX_WEBHOOKS_PER_PROJECT: a project holds at most ${limit} webhooks`,
      });
    },
    async release(projectId: string): Promise<void> {
      await Counter.updateOne({ _id: key(projectId), seq: { $gt: 0 } }, { $inc: { seq: -1 } });
    },
  };
}
