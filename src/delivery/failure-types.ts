/** Failure types shared by the delivery activity and workflow (workflow-safe: no imports). */
export const FailureType = {
  /** One attempt failed; Temporal retries it under the webhook's policy. */
  attempt: 'DeliveryAttemptFailed',
  /** The delivery must not go on: 410 Gone, webhook deleted or disabled. */
  stopped: 'DeliveryStopped',
  /** The workflow's own final failure, so the Web UI lists failed deliveries as Failed. */
  failed: 'DeliveryFailed',
} as const;
