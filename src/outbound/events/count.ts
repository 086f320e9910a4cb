import { metrics, projectLabel } from '../../shared/metrics';
import type { EventData } from '../deliveries/body';

/** A first publish (not a repeat) in the metrics: its events (its deliveries are counted as they are stored). */
export function countPublished(projectId: string, events: EventData[]): void {
  const project = projectLabel(projectId);
  for (const e of events) metrics.eventsPublished.inc({ entity_type: e.entityType, action: e.action, project });
}
