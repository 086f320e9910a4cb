import type { SearchAttributePair } from '@temporalio/common';
import { SearchAttributes } from '../../shared/search-attributes';

export interface DeliveryTags {
  projectId: string;
  webhookId: string;
  action: string;
  contentType?: string;
  entityId?: string;
}

export function deliverySearchAttributes(tags: DeliveryTags): SearchAttributePair[] {
  const pairs: SearchAttributePair[] = [
    { key: SearchAttributes.projectId, value: tags.projectId },
    { key: SearchAttributes.webhookId, value: tags.webhookId },
    { key: SearchAttributes.action, value: tags.action },
  ];
  if (tags.contentType) pairs.push({ key: SearchAttributes.contentType, value: tags.contentType });
  if (tags.entityId) pairs.push({ key: SearchAttributes.entityId, value: tags.entityId });
  return pairs;
}
