import { metrics, projectLabel } from '../../shared/metrics';
import type { EventData } from '../deliveries/body';

/** A first publish (not a repeat) in the metrics: its events, and the deliveries it created now. */
export function countPublished(projectId: string, events: EventData[], deliveries: number): void {
  const project = projectLabel(projectId);
  for (const e of events) metrics.eventsPublished.inc({ entity_type: e.entityType, action: e.action, project });
  if (deliveries) metrics.deliveriesCreated.inc({ project }, deliveries);
}
