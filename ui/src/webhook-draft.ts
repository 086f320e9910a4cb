import type { Inputs, Webhook } from './api';
import type { FieldIssue } from './field-issues';

/**
 * A webhook as its form holds it (strings, as typed) and the API input it becomes. Pure: the editor renders a
 * draft, and this file turns it into `webhooks.create`, `webhooks.update` or `webhooks.preview` input.
 */
type CreateInput = Inputs['webhooks']['create'];
type UpdateInput = Inputs['webhooks']['update'];
type PreviewInput = Inputs['webhooks']['preview'];
type Trigger = CreateInput['triggers'][number];
export type EntityType = Trigger['entityType'];
export type Action = Trigger['actions'][number];
export type Ordering = NonNullable<CreateInput['ordering']>;

export const ENTITY_TYPES: readonly EntityType[] = ['record', 'model', 'upload', 'environment'];
export const ACTIONS: readonly Action[] = ['create', 'update', 'delete', 'publish', 'unpublish', 'deploy', 'custom'];

/** What the API shows of a stored secret; sent back, it keeps the stored value (see the API's redaction). */
export const REDACTED = '[redacted]';

export interface TriggerDraft {
  entityType: EntityType;
  actions: Action[];
  /** Comma- or line-separated; empty means every one. */
  contentTypes: string;
  recordIds: string;
}

export interface HeaderDraft {
  name: string;
  /** Empty for a stored header means "keep its value": stored values are never shown. */
  value: string;
  stored: boolean;
}

export type AuthType = 'none' | 'basic' | 'bearer';

export const RETRY_FIELDS = [
  ['maximumAttempts', 'Maximum attempts'],
  ['initialIntervalMs', 'First retry after (ms)'],
  ['backoffCoefficient', 'Backoff coefficient'],
  ['maximumIntervalMs', 'Longest wait between attempts (ms)'],
  ['timeoutMs', 'Timeout per attempt (ms)'],
] as const;
type RetryField = (typeof RETRY_FIELDS)[number][0];

export interface Draft {
  name: string;
  url: string;
  enabled: boolean;
  triggers: TriggerDraft[];
  headers: HeaderDraft[];
  auth: {
    type: AuthType;
    username: string;
    /** The password or the token; empty keeps the stored one of the same type. */
    secret: string;
    /** Which kind of secret is stored: the form says "set" and never shows it. */
    stored: AuthType;
  };
  payloadTemplate: string;
  contentType: string;
  /** Empty: the service's default. */
  retry: Record<RetryField, string>;
  ordering: Ordering;
  coalesce: boolean;
  quietMs: string;
  maxWaitMs: string;
  digest: boolean;
  traceparent: boolean;
}

const emptyRetry = (): Draft['retry'] => ({
  maximumAttempts: '',
  initialIntervalMs: '',
  backoffCoefficient: '',
  maximumIntervalMs: '',
  timeoutMs: '',
});

export const newTrigger = (): TriggerDraft => ({
  entityType: 'record',
  actions: ['publish'],
  contentTypes: '',
  recordIds: '',
});

/** A new webhook: published records of any content type, JSON, the service's retry policy. */
export function emptyDraft(): Draft {
  return {
    name: '',
    url: '',
    enabled: true,
    triggers: [newTrigger()],
    headers: [],
    auth: { type: 'none', username: '', secret: '', stored: 'none' },
    payloadTemplate: '',
    contentType: 'application/json',
    retry: emptyRetry(),
    ordering: 'none',
    coalesce: false,
    quietMs: '10000',
    maxWaitMs: '60000',
    digest: false,
    traceparent: false,
  };
}

/** A stored webhook as its form starts: every secret blank (kept unless typed again). */
export function draftOf(w: Webhook): Draft {
  const retry = emptyRetry();
  for (const [field] of RETRY_FIELDS) retry[field] = String(w.retryPolicy[field]);
  const auth = w.auth?.type ?? 'none';
  return {
    name: w.name,
    url: w.url,
    enabled: w.enabled,
    triggers: w.triggers.map((t) => ({
      entityType: t.entityType,
      actions: [...t.actions],
      contentTypes: (t.contentTypes ?? []).join(', '),
      recordIds: (t.recordIds ?? []).join(', '),
    })),
    headers: Object.keys(w.headers).map((name) => ({ name, value: '', stored: true })),
    auth: { type: auth, username: w.auth?.type === 'basic' ? w.auth.username : '', secret: '', stored: auth },
    payloadTemplate: w.payloadTemplate ?? '',
    contentType: w.contentType,
    retry,
    ordering: w.ordering,
    coalesce: w.coalesce !== null,
    quietMs: String(w.coalesce?.quietMs ?? 10_000),
    maxWaitMs: String(w.coalesce?.maxWaitMs ?? 60_000),
    digest: w.digest,
    traceparent: w.traceparent,
  };
}

const listOf = (text: string) =>
  text
    .split(/[,\n]/)
    .map((s) => s.trim())
    .filter((s) => s !== '');

/** Every create field of a draft (secrets left blank sent as `[redacted]`), and what cannot be a number. */
function fieldsOf(d: Draft) {
  const issues: FieldIssue[] = [];
  const numberAt = (path: string, text: string): number | undefined => {
    if (text.trim() === '') return undefined;
    const n = Number(text);
    if (!Number.isFinite(n)) issues.push({ path, message: 'must be a number' });
    return n;
  };
  const triggers = d.triggers.map((t): Trigger => {
    const contentTypes = listOf(t.contentTypes);
    const recordIds = listOf(t.recordIds);
    return {
      entityType: t.entityType,
      actions: t.actions,
      ...(contentTypes.length ? { contentTypes } : {}),
      ...(recordIds.length ? { recordIds } : {}),
    };
  });
  const headers = Object.fromEntries(
    d.headers
      .filter((h) => h.name.trim() !== '' || h.value !== '')
      .map((h) => [h.name.trim(), h.stored && h.value === '' ? REDACTED : h.value]),
  );
  const secret = d.auth.secret !== '' ? d.auth.secret : d.auth.stored === d.auth.type ? REDACTED : '';
  const auth =
    d.auth.type === 'basic'
      ? { type: 'basic' as const, username: d.auth.username, password: secret }
      : d.auth.type === 'bearer'
        ? { type: 'bearer' as const, token: secret }
        : null;
  const retryPolicy: NonNullable<CreateInput['retryPolicy']> = {};
  for (const [field] of RETRY_FIELDS) {
    const n = numberAt(`retryPolicy.${field}`, d.retry[field]);
    if (n !== undefined) retryPolicy[field] = n;
  }
  const quietMs = numberAt('coalesce.quietMs', d.quietMs);
  const maxWaitMs = numberAt('coalesce.maxWaitMs', d.maxWaitMs);
  if (d.coalesce && quietMs === undefined) issues.push({ path: 'coalesce.quietMs', message: 'is required' });
  if (d.coalesce && maxWaitMs === undefined) issues.push({ path: 'coalesce.maxWaitMs', message: 'is required' });
  const fields = {
    name: d.name.trim(),
    url: d.url.trim(),
    enabled: d.enabled,
    triggers,
    headers,
    auth,
    payloadTemplate: d.payloadTemplate === '' ? null : d.payloadTemplate,
    contentType: d.contentType.trim(),
    retryPolicy: Object.keys(retryPolicy).length ? retryPolicy : null,
    ordering: d.ordering,
    coalesce: d.coalesce && quietMs !== undefined && maxWaitMs !== undefined ? { quietMs, maxWaitMs } : null,
    digest: d.digest,
    traceparent: d.traceparent,
  };
  return { fields, issues };
}

export type Planned<T> = { input: T; issues: [] } | { input: null; issues: FieldIssue[] };

const planned = <T>(input: T, issues: FieldIssue[]): Planned<T> =>
  issues.length ? { input: null, issues } : { input, issues: [] };

/** `webhooks.create` input; an optional field left empty is left out, so the service's default applies. */
export function createInputOf(projectId: string, d: Draft): Planned<CreateInput> {
  const { fields: f, issues } = fieldsOf(d);
  const { auth, payloadTemplate, retryPolicy, coalesce, headers, ...rest } = f;
  return planned(
    {
      projectId,
      ...rest,
      ...(Object.keys(headers).length ? { headers } : {}),
      ...(auth ? { auth } : {}),
      ...(payloadTemplate !== null ? { payloadTemplate } : {}),
      ...(retryPolicy ? { retryPolicy } : {}),
      ...(coalesce ? { coalesce } : {}),
    },
    issues,
  );
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * `webhooks.update` input: only the fields that differ from the webhook as loaded, so that saving changes only
 * what the person changed (a retry policy left as shown stays the service's default).
 */
export function updateInputOf(projectId: string, id: string, loaded: Draft, d: Draft): Planned<UpdateInput> {
  const before = fieldsOf(loaded).fields;
  const { fields: after, issues } = fieldsOf(d);
  const input: UpdateInput = { projectId, id };
  if (!same(before.name, after.name)) input.name = after.name;
  if (!same(before.url, after.url)) input.url = after.url;
  if (before.enabled !== after.enabled) input.enabled = after.enabled;
  if (!same(before.triggers, after.triggers)) input.triggers = after.triggers;
  if (!same(before.headers, after.headers)) input.headers = after.headers;
  if (!same(before.auth, after.auth)) input.auth = after.auth;
  if (before.payloadTemplate !== after.payloadTemplate) input.payloadTemplate = after.payloadTemplate;
  if (before.contentType !== after.contentType) input.contentType = after.contentType;
  if (!same(before.retryPolicy, after.retryPolicy)) input.retryPolicy = after.retryPolicy;
  if (before.ordering !== after.ordering) input.ordering = after.ordering;
  if (!same(before.coalesce, after.coalesce)) input.coalesce = after.coalesce;
  if (before.digest !== after.digest) input.digest = after.digest;
  if (before.traceparent !== after.traceparent) input.traceparent = after.traceparent;
  return planned(input, issues);
}

/**
 * `webhooks.preview` input: what shapes the request (template, content type, headers, auth, triggers, ordering,
 * digest), over the stored webhook when there is one; null while a trigger has no action yet.
 */
export function previewInputOf(projectId: string, webhookId: string | undefined, d: Draft): PreviewInput | null {
  const { fields: f } = fieldsOf(d);
  if (f.triggers.some((t) => t.actions.length === 0)) return null;
  // A secret not typed yet is shown redacted all the same: the preview need not wait for it.
  const auth =
    f.auth?.type === 'basic' && f.auth.password === ''
      ? { ...f.auth, password: 'not-set' }
      : f.auth?.type === 'bearer' && f.auth.token === ''
        ? { ...f.auth, token: 'not-set' }
        : f.auth;
  return {
    projectId,
    ...(webhookId ? { webhookId } : {}),
    triggers: f.triggers,
    headers: Object.fromEntries(Object.entries(f.headers).filter(([name]) => name !== '')),
    auth: auth?.type === 'basic' && auth.username === '' ? { ...auth, username: 'not-set' } : auth,
    payloadTemplate: f.payloadTemplate,
    contentType: f.contentType || 'application/json',
    ordering: f.ordering,
    coalesce: f.coalesce,
    digest: f.digest,
  };
}
