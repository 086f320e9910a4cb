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
 * One attempt as it is to be recorded (plain data: it may travel through the workflow's history, so it holds
 * no secret: header values are redacted, and the request body is the workflow input's).
 */
export interface AttemptRecord {
  deliveryId: string;
  projectId: string;
  webhookId: string;
  attempt: number;
  request: { url: string; method: string; headers: Record<string, string> };
  startedAtMs: number;
  finishedAtMs: number;
  status: 'done' | 'error';
  response?: { status: number; headers: Record<string, string>; body: string };
  error?: string;
  statusCode?: number;
  /** The delivery's end, when this attempt is its last. */
  end?: 'done' | 'error';
  /** The receiver asked to stop (410 Gone): the webhook is disabled, with this reason, before anything else. */
  disableReason?: string;
  /** The `pending` entry a slow attempt showed, completed instead of appending one. */
  pendingRef?: { id: string; n: number };
  /** What has landed already, so that a retry of the recording writes it once. */
  logged?: boolean;
  disabled?: boolean;
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
  /** Records an attempt whose request was made but whose own recording failed (never another request). */
  recordAttempt(rec: AttemptRecord, body: string): Promise<void>;
}
