import { useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { Webhook } from './api';
import { useApp } from './context';
import { type FieldIssue, issuesOf, placeIssues } from './field-issues';
import { Checkbox, Choices, PairRows, SelectField, TextField } from './form-fields';
import { useLoaded } from './loaded';
import { PayloadPreview } from './preview';
import { RouteButton } from './route-button';
import { SecretDialog } from './secret';
import {
  ACTIONS,
  type AuthType,
  createInputOf,
  type Draft,
  draftOf,
  emptyDraft,
  ENTITY_TYPES,
  newTrigger,
  previewInputOf,
  RETRY_FIELDS,
  type TriggerDraft,
  updateInputOf,
} from './webhook-draft';

/** "New webhook": the editor, then the signing secret, shown once. */
export function NewWebhook() {
  const { api, projectId, navigate } = useApp();
  const [created, setCreated] = useState<{ webhook: Webhook; secret: string } | null>(null);
  return (
    <>
      <WebhookEditor
        onSaved={async (webhook) => {
          // Created whatever happens next: the form must not offer to create it again.
          const secret = await api.webhooks.secret.query({ projectId, id: webhook.id }).then(
            (answer) => answer.secret,
            () => null,
          );
          if (secret !== null) setCreated({ webhook, secret });
          else
            navigate(
              { name: 'webhook', id: webhook.id, tab: 'log' },
              `Webhook ${webhook.name} created; its signing secret could not be shown: rotate it to see a new one`,
            );
        }}
      />
      {created && (
        <SecretDialog
          title={`Webhook ${created.webhook.name} created: its signing secret`}
          secret={created.secret}
          onClose={() =>
            navigate({ name: 'webhook', id: created.webhook.id, tab: 'log' }, `Webhook ${created.webhook.name} created`)
          }
        />
      )}
    </>
  );
}

/** "Edit": the stored webhook in the editor; saving sends only what changed. */
export function EditWebhook({ id }: { id: string }) {
  const { api, projectId, navigate } = useApp();
  const [webhook] = useLoaded(() => api.webhooks.get.query({ projectId, id }), [api, projectId, id]);
  if (!webhook) return <h2 tabIndex={-1}>Edit webhook</h2>;
  return (
    <WebhookEditor
      webhook={webhook}
      onSaved={(saved) => navigate({ name: 'webhook', id, tab: 'log' }, `Webhook ${saved.name} saved`)}
    />
  );
}

/** Every path a field of the form shows an error at; any other goes to the nearest of these, or the form's own. */
function shownPaths(d: Draft): Set<string> {
  const paths = [
    'name',
    'url',
    'enabled',
    'triggers',
    'headers',
    'auth',
    'auth.username',
    'auth.password',
    'auth.token',
    'payloadTemplate',
    'contentType',
    'retryPolicy',
    ...RETRY_FIELDS.map(([field]) => `retryPolicy.${field}`),
    'ordering',
    'coalesce',
    'coalesce.quietMs',
    'coalesce.maxWaitMs',
    'digest',
    'traceparent',
  ];
  d.triggers.forEach((_, i) => {
    for (const part of ['', '.entityType', '.actions', '.contentTypes', '.recordIds'])
      paths.push(`triggers.${i}${part}`);
  });
  return new Set(paths);
}

/** A field's id, from its path: `triggers.0.actions` → `wh-triggers-0-actions`. */
const idOf = (path: string) => `wh-${path.replace(/\./g, '-')}`;

interface EditorProps {
  webhook?: Webhook;
  onSaved: (webhook: Webhook) => Promise<void> | void;
}

/**
 * The webhook form: every create field, each API error beside its field, and the payload preview beside the form.
 * One `webhooks.create` or `webhooks.update` saves it, so a refused save stores nothing.
 */
function WebhookEditor({ webhook, onSaved }: EditorProps) {
  const { api, projectId, report } = useApp();
  const loaded = useMemo(() => (webhook ? draftOf(webhook) : emptyDraft()), [webhook]);
  const [draft, setDraft] = useState<Draft>(loaded);
  const [errors, setErrors] = useState<Map<string, string>>(new Map());
  const [saving, setSaving] = useState(false);
  const form = useRef<HTMLFormElement>(null);
  const paths = useMemo(() => shownPaths(draft), [draft.triggers.length]);

  // After a refused save, the first field in error takes the focus (or the form's own error).
  const [attempt, setAttempt] = useState(0);
  useLayoutEffect(() => {
    if (attempt === 0) return;
    const first = form.current?.querySelector('[aria-invalid="true"], #wh-form-error');
    if (first instanceof HTMLElement) first.focus();
  }, [attempt]);

  const update = (change: Partial<Draft>) => setDraft((d) => ({ ...d, ...change }));
  const errorAt = (path: string) => errors.get(path);
  const refuse = (issues: FieldIssue[]) => {
    setErrors(placeIssues(issues, (p) => paths.has(p)));
    setAttempt((n) => n + 1);
  };

  const save = async () => {
    if (saving) return;
    const plan = webhook ? updateInputOf(projectId, webhook.id, loaded, draft) : createInputOf(projectId, draft);
    if (!plan.input) return refuse(plan.issues);
    setSaving(true);
    try {
      const saved =
        'id' in plan.input
          ? await api.webhooks.update.mutate(plan.input)
          : await api.webhooks.create.mutate(plan.input);
      setErrors(new Map());
      await onSaved(saved);
    } catch (err) {
      const issues = issuesOf(err);
      if (issues) refuse(issues);
      else {
        setErrors(new Map());
        report(err);
      }
    } finally {
      setSaving(false);
    }
  };

  const preview = previewInputOf(projectId, webhook?.id, draft);
  const formError = errorAt('');
  const title = webhook ? `Edit ${webhook.name}` : 'New webhook';

  return (
    <div>
      <p>
        <RouteButton to={webhook ? { name: 'webhook', id: webhook.id, tab: 'log' } : { name: 'home' }}>
          {webhook ? 'Back to the webhook' : 'Back to webhooks'}
        </RouteButton>
      </p>
      <h2 id="editor-heading" tabIndex={-1}>
        {title}
      </h2>
      <div class="editor">
        <form
          ref={form}
          class="webhook-form"
          aria-labelledby="editor-heading"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            void save();
          }}
        >
          {formError && (
            <p class="error-text" id="wh-form-error" tabIndex={-1}>
              {formError}
            </p>
          )}
          {errors.size > 0 && (
            <p role="alert" class="error-summary">
              Not saved: {errors.size === 1 ? 'one field needs' : `${errors.size} fields need`} a change (marked below).
              Nothing was stored.
            </p>
          )}
          <fieldset>
            <legend>Endpoint</legend>
            <TextField
              id={idOf('name')}
              label="Name"
              value={draft.name}
              onValue={(name) => update({ name })}
              error={errorAt('name')}
            />
            <TextField
              id={idOf('url')}
              label="URL"
              type="url"
              value={draft.url}
              placeholder="https://example.com/hooks/cms"
              onValue={(url) => update({ url })}
              error={errorAt('url')}
            />
            <Checkbox
              id={idOf('enabled')}
              label="Enabled"
              checked={draft.enabled}
              onChecked={(enabled) => update({ enabled })}
              error={errorAt('enabled')}
            />
          </fieldset>

          <Triggers draft={draft} setDraft={setDraft} errorAt={errorAt} />
          <RequestFields draft={draft} update={update} errorAt={errorAt} stored={Boolean(webhook)} />

          <fieldset>
            <legend>Retries</legend>
            <p class="hint">Empty: the service's default. A delivery is retried until one attempt is answered 2xx.</p>
            {errorAt('retryPolicy') && <p class="error-text">{errorAt('retryPolicy')}</p>}
            <div class="grid-fields">
              {RETRY_FIELDS.map(([field, label]) => (
                <TextField
                  key={field}
                  id={idOf(`retryPolicy.${field}`)}
                  label={label}
                  inputMode={field === 'backoffCoefficient' ? 'decimal' : 'numeric'}
                  value={draft.retry[field]}
                  onValue={(value) => update({ retry: { ...draft.retry, [field]: value } })}
                  error={errorAt(`retryPolicy.${field}`)}
                />
              ))}
            </div>
          </fieldset>

          <fieldset>
            <legend>Ordering and batching</legend>
            <SelectField
              id={idOf('ordering')}
              label="Ordering"
              value={draft.ordering}
              options={[
                ['none', 'None: every event at once'],
                ['entity', 'Per entity: in publish order, one at a time'],
              ]}
              onValue={(ordering) => update({ ordering })}
              error={errorAt('ordering')}
            />
            <Checkbox
              id={idOf('coalesce')}
              label="Coalesce an entity's events into one delivery of its latest state"
              checked={draft.coalesce}
              onChecked={(coalesce) => update({ coalesce })}
              error={errorAt('coalesce')}
            />
            {draft.coalesce && (
              <div class="grid-fields">
                <TextField
                  id={idOf('coalesce.quietMs')}
                  label="Send once quiet for (ms)"
                  inputMode="numeric"
                  value={draft.quietMs}
                  onValue={(quietMs) => update({ quietMs })}
                  error={errorAt('coalesce.quietMs')}
                />
                <TextField
                  id={idOf('coalesce.maxWaitMs')}
                  label="Send at the latest after (ms)"
                  inputMode="numeric"
                  value={draft.maxWaitMs}
                  onValue={(maxWaitMs) => update({ maxWaitMs })}
                  error={errorAt('coalesce.maxWaitMs')}
                />
              </div>
            )}
            <Checkbox
              id={idOf('digest')}
              label="Release digest: one delivery per published release, listing its entities"
              checked={draft.digest}
              onChecked={(digest) => update({ digest })}
              error={errorAt('digest')}
            />
          </fieldset>

          <div class="actions">
            <button type="submit" class="primary" aria-disabled={saving ? 'true' : 'false'}>
              {saving ? 'Saving…' : webhook ? 'Save changes' : 'Create webhook'}
            </button>
            <RouteButton to={webhook ? { name: 'webhook', id: webhook.id, tab: 'log' } : { name: 'home' }}>
              Cancel
            </RouteButton>
          </div>
        </form>
        <PayloadPreview input={preview} />
      </div>
    </div>
  );
}

interface PartProps {
  draft: Draft;
  errorAt: (path: string) => string | undefined;
}

/** Which events the webhook gets: one trigger per entity type and its actions, content types and record ids. */
function Triggers({ draft, setDraft, errorAt }: PartProps & { setDraft: (change: (d: Draft) => Draft) => void }) {
  const change = (i: number, patch: Partial<TriggerDraft>) =>
    setDraft((d) => ({ ...d, triggers: d.triggers.map((t, j) => (j === i ? { ...t, ...patch } : t)) }));
  return (
    <fieldset>
      <legend>Triggers</legend>
      {errorAt('triggers') && <p class="error-text">{errorAt('triggers')}</p>}
      {draft.triggers.map((t, i) => (
        <fieldset key={i} class="trigger">
          <legend>Trigger {i + 1}</legend>
          {errorAt(`triggers.${i}`) && <p class="error-text">{errorAt(`triggers.${i}`)}</p>}
          <SelectField
            id={idOf(`triggers.${i}.entityType`)}
            label="Entity type"
            value={t.entityType}
            options={ENTITY_TYPES.map((type) => [type, type] as const)}
            onValue={(entityType) => change(i, { entityType })}
            error={errorAt(`triggers.${i}.entityType`)}
          />
          <Choices
            id={idOf(`triggers.${i}.actions`)}
            label="Actions"
            options={ACTIONS}
            chosen={t.actions}
            onChosen={(actions) => change(i, { actions })}
            hint="custom: fired by hand from the webhook's page"
            error={errorAt(`triggers.${i}.actions`)}
          />
          <TextField
            id={idOf(`triggers.${i}.contentTypes`)}
            label="Content types"
            hint="Comma-separated; empty: every content type"
            value={t.contentTypes}
            onValue={(contentTypes) => change(i, { contentTypes })}
            error={errorAt(`triggers.${i}.contentTypes`)}
          />
          <TextField
            id={idOf(`triggers.${i}.recordIds`)}
            label="Record ids"
            hint="Comma-separated; empty: every record"
            value={t.recordIds}
            onValue={(recordIds) => change(i, { recordIds })}
            error={errorAt(`triggers.${i}.recordIds`)}
          />
          {draft.triggers.length > 1 && (
            <button
              type="button"
              onClick={() => setDraft((d) => ({ ...d, triggers: d.triggers.filter((_, j) => j !== i) }))}
            >
              Remove trigger {i + 1}
            </button>
          )}
        </fieldset>
      ))}
      <button type="button" onClick={() => setDraft((d) => ({ ...d, triggers: [...d.triggers, newTrigger()] }))}>
        Add trigger
      </button>
    </fieldset>
  );
}

/** What the request carries: body template and content type, headers, and authentication. */
function RequestFields({
  draft,
  update,
  errorAt,
  stored,
}: PartProps & { update: (change: Partial<Draft>) => void; stored: boolean }) {
  const auth = draft.auth;
  const secretHint = (type: AuthType) =>
    auth.stored === type ? 'Set. Leave empty to keep it; it is never shown.' : stored ? 'Not set.' : undefined;
  return (
    <fieldset>
      <legend>Request</legend>
      <TextField
        id={idOf('payloadTemplate')}
        label="Payload template (Mustache)"
        rows={8}
        value={draft.payloadTemplate}
        placeholder='Empty: the default body. For example {"id": "{{payload.id}}", "action": "{{action}}"}'
        hint="Over the default body: webhookId, eventId, action, entityType, contentTypeName, ref, occurredAt, payload."
        onValue={(payloadTemplate) => update({ payloadTemplate })}
        error={errorAt('payloadTemplate')}
      />
      <TextField
        id={idOf('contentType')}
        label="Content type"
        value={draft.contentType}
        onValue={(contentType) => update({ contentType })}
        error={errorAt('contentType')}
      />
      <PairRows
        id={idOf('headers')}
        legend="Headers"
        noun="header"
        rows={draft.headers}
        onRows={(headers) => update({ headers })}
        blank={() => ({ name: '', value: '', stored: false })}
        valueField={(h) => ({
          type: 'password',
          autoComplete: 'new-password',
          placeholder: h.stored ? 'set (leave empty to keep)' : '',
        })}
        error={errorAt('headers')}
      />
      <Checkbox
        id={idOf('traceparent')}
        label="Send traceparent: the receiver joins the delivery's trace (when Hookline's tracing is on)"
        checked={draft.traceparent}
        onChecked={(traceparent) => update({ traceparent })}
        error={errorAt('traceparent')}
      />
      <SelectField
        id={idOf('auth')}
        label="Authentication"
        value={auth.type}
        options={[
          ['none', 'None'],
          ['basic', 'Basic (username and password)'],
          ['bearer', 'Bearer token'],
        ]}
        onValue={(type) => update({ auth: { ...auth, type, secret: '' } })}
        error={errorAt('auth')}
      />
      {auth.type === 'basic' && (
        <div class="grid-fields">
          <TextField
            id={idOf('auth.username')}
            label="Username"
            value={auth.username}
            onValue={(username) => update({ auth: { ...auth, username } })}
            error={errorAt('auth.username')}
          />
          <TextField
            id={idOf('auth.password')}
            label="Password"
            type="password"
            autoComplete="new-password"
            value={auth.secret}
            hint={secretHint('basic')}
            onValue={(secret) => update({ auth: { ...auth, secret } })}
            error={errorAt('auth.password')}
          />
        </div>
      )}
      {auth.type === 'bearer' && (
        <TextField
          id={idOf('auth.token')}
          label="Token"
          type="password"
          autoComplete="new-password"
          value={auth.secret}
          hint={secretHint('bearer')}
          onValue={(secret) => update({ auth: { ...auth, secret } })}
          error={errorAt('auth.token')}
        />
      )}
    </fieldset>
  );
}
