import {
  addEvent,
  dueAtMs,
  fold,
  MAX_BATCH_EVENTS,
  type Batch,
  type LaneSettings,
} from '../../src/outbound/workflow/lanes';

const ev = (n: number, action: string) => ({ deliveryId: `d${n}`, eventId: `e${n}`, action });
const batchOf = (...actions: string[]): Batch => ({
  events: actions.map((a, i) => ev(i + 1, a)),
  firstAtMs: 0,
  lastAtMs: 0,
});

describe('an entity lane (pure rules)', () => {
  describe('fold', () => {
    it('sends the latest state, listing every event oldest first', () => {
      expect(fold(batchOf('update', 'update', 'update'))).toEqual({
        carrier: ev(3, 'update'),
        action: 'update',
        eventIds: ['e1', 'e2', 'e3'],
        folded: ['d1', 'd2'],
      });
    });
    it('create then updates, none sent: a create of the latest state', () => {
      expect(fold(batchOf('create', 'update', 'update'))).toMatchObject({ carrier: ev(3, 'update'), action: 'create' });
    });
    it('create then delete, none sent: the delete alone', () => {
      expect(fold(batchOf('create', 'update', 'delete'))).toMatchObject({
        carrier: ev(3, 'delete'),
        action: 'delete',
        eventIds: ['e1', 'e2', 'e3'],
      });
    });
    it('never an update after a delete; a create after it counts again', () => {
      expect(fold(batchOf('update', 'delete', 'update', 'publish'))).toMatchObject({
        carrier: ev(2, 'delete'),
        action: 'delete',
      });
      // Deleted, then created again, then updated, none sent: a create of the latest state.
      expect(fold(batchOf('update', 'delete', 'create', 'update'))).toMatchObject({
        carrier: ev(4, 'update'),
        action: 'create',
      });
      expect(fold(batchOf('delete', 'update', 'create', 'publish'))).toMatchObject({
        carrier: ev(4, 'publish'),
        action: 'publish',
      });
    });
    it('one event goes as it is', () => {
      expect(fold(batchOf('publish'))).toEqual({
        carrier: ev(1, 'publish'),
        action: 'publish',
        eventIds: ['e1'],
        folded: [],
      });
    });
  });

  describe('dueAtMs', () => {
    const ordered: LaneSettings = { ordering: 'entity', coalesce: null };
    const coalesced: LaneSettings = { ordering: 'none', coalesce: { quietMs: 1_000, maxWaitMs: 5_000 } };
    it('ordering: at once when nothing is in flight, never while one is', () => {
      const batches = [{ ...batchOf('update'), firstAtMs: 7 }];
      expect(dueAtMs(ordered, batches, 0)).toBe(7);
      expect(dueAtMs(ordered, batches, 1)).toBeUndefined();
      expect(dueAtMs(ordered, [], 0)).toBeUndefined();
    });
    it('coalescing: once quiet, or at the latest maxWaitMs after the first event; in flight does not matter', () => {
      expect(dueAtMs(coalesced, [{ ...batchOf('update'), firstAtMs: 0, lastAtMs: 500 }], 3)).toBe(1_500);
      expect(dueAtMs(coalesced, [{ ...batchOf('update'), firstAtMs: 0, lastAtMs: 4_800 }], 0)).toBe(5_000);
    });
    it('a sealed batch, or one with a batch behind it, goes without waiting', () => {
      expect(dueAtMs(coalesced, [{ ...batchOf('update'), firstAtMs: 3, lastAtMs: 4, sealed: true }], 0)).toBe(3);
    });
  });

  describe('addEvent', () => {
    it('joins the open batch, ignores a repeat, and seals a full batch', () => {
      const batches: Batch[] = [];
      addEvent(batches, ev(1, 'update'), 10);
      addEvent(batches, ev(2, 'update'), 20);
      addEvent(batches, ev(2, 'update'), 30);
      expect(batches).toEqual([{ events: [ev(1, 'update'), ev(2, 'update')], firstAtMs: 10, lastAtMs: 20 }]);
      for (let n = 3; n <= MAX_BATCH_EVENTS + 1; n++) addEvent(batches, ev(n, 'update'), 40);
      expect(batches.map((b) => [b.events.length, b.sealed ?? false])).toEqual([
        [MAX_BATCH_EVENTS, true],
        [1, false],
      ]);
    });
  });
});
