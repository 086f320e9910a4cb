import { defineSearchAttributeKey, type SearchAttributePair } from '@temporalio/common';

/**
 * Custom search attributes on every workflow, so that an operator can find deliveries and flow runs in the
 * Temporal Web UI, e.g. `HooklineWebhookId = "wh_…" AND ExecutionStatus = "Failed"`.
 * The dev server registers them at start (temporal/servers.ts); a cluster needs them registered once
 * (`temporal operator search-attribute create`, see README).
 */
export const SearchAttributes = {
  projectId: defineSearchAttributeKey('HooklineProjectId', 'KEYWORD'),
  webhookId: defineSearchAttributeKey('HooklineWebhookId', 'KEYWORD'),
  action: defineSearchAttributeKey('HooklineAction', 'KEYWORD'),
  contentType: defineSearchAttributeKey('HooklineContentType', 'KEYWORD'),
  entityId: defineSearchAttributeKey('HooklineEntityId', 'KEYWORD'),
  flowId: defineSearchAttributeKey('HooklineFlowId', 'KEYWORD'),
  /** The flow's status (draft or live) when it was called. */
  flowStatus: defineSearchAttributeKey('HooklineFlowStatus', 'KEYWORD'),
} as const;

export const SEARCH_ATTRIBUTE_NAMES = Object.values(SearchAttributes).map((k) => k.name);

/** What a delivery's workflow is tagged with, wherever it is started (by the API, or by another workflow). */
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
