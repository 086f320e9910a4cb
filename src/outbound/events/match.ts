import type { Trigger } from '../store/records';

export interface EventKey {
  entityType: string;
  action: string;
  contentType?: string;
  entityId: string;
}

/**
 * Whether a webhook's triggers fire for an event: some trigger names its entity type and action, and
 * lists its content type and record id, or leaves them open (empty = every one).
 */
export function matchesTriggers(triggers: Trigger[], event: EventKey): boolean {
  return triggers.some(
    (t) =>
      t.entityType === event.entityType &&
      t.actions.some((a) => a === event.action) &&
      (!t.contentTypes?.length || (event.contentType !== undefined && t.contentTypes.includes(event.contentType))) &&
      (!t.recordIds?.length || t.recordIds.includes(event.entityId)),
  );
}
