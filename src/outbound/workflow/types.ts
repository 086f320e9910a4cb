import type { RetrySettings } from '../../shared/workflow/retry-policy';

/** Everything a delivery workflow is started with. It is recorded in the workflow history, so no secrets. */
export interface DeliveryInput {
  deliveryId: string;
  projectId: string;
  webhookId: string;
  /** The exact bytes sent on every attempt (and signed), rendered once when the event was published. */
  body: string;
  contentType: string;
  retry: RetrySettings;
  /** The webhook's `updatedAt` (ms) when the event was published: a worker's copy older than this is not used. */
  webhookVersion?: number;
  /** Attempts already made, when a long-paused delivery continued as a new workflow run. */
  attemptsBefore?: number;
}

export interface DeliveryResult {
  status: 'done' | 'error';
  attempts: number;
  statusCode?: number;
  error?: string;
}

/**
 * What the workflow asks of its activities (outbound/activities implements them). Declared here, by the
 * workflow that calls them, so that the workflow depends on no activity code, not even its types.
 */
export interface DeliveryActivities {
  /** One attempt; throws an ApplicationFailure of a `FailureType` when it is not a success. */
  sendWebhook(input: DeliveryInput, attemptsBefore?: number): Promise<{ statusCode: number; attempt: number }>;
  /** Records the end of a delivery whose last attempt could not. */
  finishDelivery(deliveryId: string, result: DeliveryResult): Promise<void>;
}
