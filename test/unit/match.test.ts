import { matchesTriggers } from '../../src/outbound/events/match';

const event = { entityType: 'record', action: 'update', contentType: 'product', entityId: 'p1' };

describe('matchesTriggers', () => {
  it('matches on entity type and action; empty filters mean every one', () => {
    expect(matchesTriggers([{ entityType: 'record', actions: ['update'] }], event)).toBe(true);
    expect(
      matchesTriggers([{ entityType: 'record', actions: ['update'], contentTypes: [], recordIds: [] }], event),
    ).toBe(true);
    expect(matchesTriggers([{ entityType: 'model', actions: ['update'] }], event)).toBe(false);
    expect(matchesTriggers([{ entityType: 'record', actions: ['create', 'delete'] }], event)).toBe(false);
  });

  it('filters by content type and record id', () => {
    expect(matchesTriggers([{ entityType: 'record', actions: ['update'], contentTypes: ['product'] }], event)).toBe(
      true,
    );
    expect(matchesTriggers([{ entityType: 'record', actions: ['update'], contentTypes: ['article'] }], event)).toBe(
      false,
    );
    expect(
      matchesTriggers([{ entityType: 'record', actions: ['update'], contentTypes: ['product'] }], {
        ...event,
        contentType: undefined,
      }),
    ).toBe(false);
    expect(matchesTriggers([{ entityType: 'record', actions: ['update'], recordIds: ['p1', 'p2'] }], event)).toBe(true);
    expect(matchesTriggers([{ entityType: 'record', actions: ['update'], recordIds: ['p2'] }], event)).toBe(false);
  });

  it('fires when any one of several triggers fits', () => {
    const triggers = [
      { entityType: 'upload' as const, actions: ['create' as const] },
      { entityType: 'record' as const, actions: ['update' as const], contentTypes: ['product'] },
    ];
    expect(matchesTriggers(triggers, event)).toBe(true);
  });
});
