import type { AttemptRecord } from './types';

/** Failure types shared by the delivery activity and workflow. */
export const FailureType = {
  /** One attempt failed; Temporal retries it under the webhook's policy. */
  attempt: 'DeliveryAttemptFailed',
  /** The delivery must not go on: 410 Gone, webhook deleted or disabled, target not allowed. */
  stopped: 'DeliveryStopped',
  /** No attempt was made: the endpoint's circuit is open or it has too many requests in flight. */
  paused: 'EndpointPaused',
  /**
   * The request was made (it succeeded, or it was the last, or the receiver said stop) but recording it failed:
   * the workflow records it (`recordAttempt`) rather than let a retry send the request again.
   */
  unrecorded: 'AttemptUnrecorded',
  /** The workflow's own final failure, so the Web UI lists failed deliveries as Failed. */
  failed: 'DeliveryFailed',
} as const;

/** What an `EndpointPaused` failure carries to the workflow, which waits and then goes on. */
export interface PauseDetails {
  /** Attempts made so far; the refused call made none. */
  attemptsUsed: number;
  reason: string;
  /** When the wait has a known end (an open circuit): how far off it is. */
  resumeInMs?: number;
  /** The delivery is in its endpoint's line: its workflow is signalled when a place is kept for it. */
  queued?: boolean;
}

/** The signal that wakes a delivery waiting in its endpoint's line. */
export const ENDPOINT_FREE_SIGNAL = 'endpointFree';

/** The signal that tells an entity's workflow that one of its deliveries has ended. */
export const DELIVERED_SIGNAL = 'delivered';

/** The query a recovery's workflow answers with its counts. */
export const PROGRESS_QUERY = 'progress';

/** The signal-with-start that hands an entity's workflow a publish's deliveries. */
export const DELIVER_SIGNAL = 'deliver';

/** What a failed attempt carries: its number, and whether the activity already recorded the delivery's end. */
export interface AttemptDetails {
  attempt: number;
  statusCode?: number;
  /** True when this attempt was the delivery's last and wrote its final status itself. */
  recorded: boolean;
}

/** What an `AttemptUnrecorded` failure carries: what is left to record, and how the attempt ended. */
export interface UnrecordedDetails {
  record: AttemptRecord;
  outcome: 'success' | 'stop' | 'retry';
  reason?: string;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/** Details come back from Temporal as plain data: these check their shape before the workflow reads them. */
export const isPauseDetails = (v: unknown): v is PauseDetails =>
  isObject(v) && typeof v.attemptsUsed === 'number' && typeof v.reason === 'string';

export const isUnrecordedDetails = (v: unknown): v is UnrecordedDetails =>
  isObject(v) &&
  isObject(v.record) &&
  typeof v.record.deliveryId === 'string' &&
  typeof v.record.attempt === 'number' &&
  (v.outcome === 'success' || v.outcome === 'stop' || v.outcome === 'retry');

export const isAttemptDetails = (v: unknown): v is AttemptDetails =>
  isObject(v) && typeof v.attempt === 'number' && typeof v.recorded === 'boolean';
