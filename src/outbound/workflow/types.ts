import type { DeliveryTags } from '../../shared/search-attributes';
import type { RetrySettings } from '../../shared/workflow/retry-policy';
import type { Batch, Folded, LaneEvent, LaneSettings } from './lanes';

/** Everything a delivery workflow is started with. It is recorded in the workflow history, so no secrets. */
export interface DeliveryInput {
  deliveryId: string;
  projectId: string;
  webhookId: string;
  /**
   * The exact bytes sent on every attempt (and signed), rendered once when the event was published. Absent when
   * they stay in the delivery's record (ordered, coalesced and batched deliveries, large fan-outs), where each
   * attempt reads them: a workflow history holds no large or many bodies.
   */
  body?: string;
  contentType: string;
  retry: RetrySettings;
  /** The webhook's `updatedAt` (ms) when the event was published: a worker's copy older than this is not used. */
  webhookVersion?: number;
  /** Attempts already made, when a long-paused delivery continued as a new workflow run. */
  attemptsBefore?: number;
  /** Sent for an entity's lane (entity.ts): the entity's workflow, signalled `delivered` at the end. */
  notify?: string;
  /** One of an entity's deliveries in order: a failure for good says that the next one goes ahead. */
  ordered?: boolean;
  /** The deliveries folded into this one (lanes.ts fold): they end as it ends. */
  coalesced?: string[];
  /** When it was published (ms): the delivery latency metric counts from here to the 2xx's first byte. */
  publishedAtMs?: number;
}

/** What the `delivered` signal tells an entity's workflow: one delivery of a lane has ended. */
export interface DeliveredSignal {
  webhookId: string;
  deliveryId: string;
  /** How it ended (a recovery counts it). */
  status?: 'done' | 'error';
}

/** The delivery settings of a webhook, as of the newest event published to it: what each of its deliveries starts with. */
export type DeliveryTemplate = Omit<
  DeliveryInput,
  'deliveryId' | 'body' | 'attemptsBefore' | 'notify' | 'coalesced'
> & {
  /** Fairness (outbound/deliveries/endpoint.ts), for the delivery workflows it starts. */
  fairnessKey: string;
  fairnessWeight: number;
  /** What the Web UI shows for the webhook's deliveries: `POST <url>`. */
  summary: string;
  /** The search attributes of its delivery workflows. */
  tags: DeliveryTags;
};

/** What one publish hands an entity's workflow (signal-with-start `deliver`). */
export interface EntitySignal {
  /** Deliveries to webhooks without ordering or coalescing: started at once, each its own workflow. */
  plain: { input: DeliveryInput; template: DeliveryTemplate }[];
  /** Deliveries to webhooks with ordering or coalescing: into the webhook's lane of this entity. */
  lanes: { webhookId: string; settings: LaneSettings; template: DeliveryTemplate; event: LaneEvent }[];
}

/** An entity's lane to one webhook. */
export interface LaneState {
  settings: LaneSettings;
  template: DeliveryTemplate;
  batches: Batch[];
  /** Deliveries started and not yet ended (their workflows signal `delivered`). */
  inFlight: string[];
}

/** An entity's workflow state, carried over when it continues as new. */
export interface EntityState {
  projectId: string;
  lanes: Record<string, LaneState>;
  plain: EntitySignal['plain'];
  /** Stored deliveries whose place in their webhook's kept ring is still to be taken. */
  toKeep: { webhookId: string; deliveryId: string }[];
  /** The latest deliveries dispatched or folded: a repeated publish of one of them is not taken again. */
  recent?: string[];
  /** When the deliveries in flight are next checked against their records (workflow time, ms). */
  checkInFlightAtMs?: number;
}

/** A fan-out: one event's deliveries to several webhooks without ordering, as activities of one workflow. */
export interface FanOutInput {
  /** Each delivery, and what the Web UI shows beside its attempts (`POST <url>`). */
  deliveries: { input: DeliveryInput; summary: string; priority: { fairnessKey: string; fairnessWeight: number } }[];
  /** Their places in their webhooks' kept rings are still to be taken. */
  keep: boolean;
}

/** One `deliveries.recover`, as its workflow (recovery.ts) runs it. */
export interface RecoveryInput {
  recoveryId: string;
  projectId: string;
  webhookId: string;
  /** At most this many of its deliveries in flight (1 for a webhook with ordering: one entity's stay in order). */
  window: number;
  /** Where the next page starts (the last event's `seq`), when it continued as new. */
  after?: string | null;
  counts?: RecoveryCounts;
}

export interface RecoveryCounts {
  total: number;
  sent: number;
  skipped: number;
  failed: number;
}

/** One page of a recovery's events: the deliveries to make (stored already), and what it skipped. */
export interface RecoveryPage {
  deliveries: { input: DeliveryInput; template: DeliveryTemplate }[];
  considered: number;
  skipped: number;
  /** Where the next page starts, or null after the last. */
  next: string | null;
}

/** A `events.publishBatch`, delivered in pages by its workflow (batch.ts). */
export interface BatchInput {
  projectId: string;
  batchId: string;
  ref: string;
  /** Its digest deliveries, stored: one per digest webhook and part. */
  digests: { input: DeliveryInput; template: DeliveryTemplate }[];
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
  /** Deliveries folded into this one: they end with it. */
  coalesced?: string[];
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
  finishDelivery(deliveryId: string, result: DeliveryResult, coalesced?: string[]): Promise<void>;
  /** Records an attempt whose request was made but whose own recording failed (never another request). */
  recordAttempt(rec: AttemptRecord, body?: string): Promise<void>;
  /** Of these deliveries, those whose records say they have ended. */
  endedDeliveries(ids: string[]): Promise<string[]>;
  /** Takes the deliveries' places in their webhooks' kept rings (publish stores them in one command). */
  keepDeliveries(refs: { webhookId: string; deliveryId: string }[]): Promise<void>;
  /** Writes a folded batch's carrier (its body re-rendered: latest state, `eventIds`) and marks the others. */
  foldDeliveries(projectId: string, webhookId: string, folded: Folded): Promise<void>;
  /** A recovery's next page of events, from `after`: its deliveries stored (a missed one) or found (a failed one). */
  planRecoveryPage(input: RecoveryInput, after: string | null): Promise<RecoveryPage>;
  /** Records how a recovery ended. */
  finishRecovery(recoveryId: string, status: 'done' | 'cancelled' | 'error', counts: RecoveryCounts): Promise<void>;
  /** Delivers a page of a batch's events as `events.publish` would, from event `from`; the next `from`, or null. */
  publishBatchPage(input: BatchInput, from: number): Promise<number | null>;
}
