import { useState } from 'preact/hooks';
import type { Webhook } from './api';
import { useApp } from './context';
import { type FieldIssue, issuesOf, placeIssues } from './field-issues';
import { PairRows, SelectField, TextField } from './form-fields';
import type { EntityType } from './webhook-draft';

interface Row {
  name: string;
  value: string;
}

/** A field's value as typed: JSON when it parses as a number, boolean, null, array or object, else the text. */
function valueOf(text: string): unknown {
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed;
  } catch {
    return text;
  }
}

/**
 * "Run custom action" (Flotiq's button): fires this webhook by hand for one entity, with the fields given, through
 * `webhooks.trigger`; the delivery is then in the webhook's list.
 */
export function CustomAction({ webhook, onStarted }: { webhook: Webhook; onStarted: (deliveryId: string) => void }) {
  const { api, projectId, report, notify } = useApp();
  const types = webhook.triggers.filter((t) => t.actions.includes('custom')).map((t) => t.entityType);
  const [entityType, setEntityType] = useState<EntityType>(types[0] ?? 'record');
  const [contentType, setContentType] = useState('');
  const [entityId, setEntityId] = useState('');
  const [rows, setRows] = useState<Row[]>([{ name: '', value: '' }]);
  const [errors, setErrors] = useState<Map<string, string>>(new Map());
  const [busy, setBusy] = useState(false);
  const shown = new Set(['entityType', 'contentType', 'entity.id', 'entity']);

  const run = async () => {
    if (busy) return;
    const fields = rows.filter((r) => r.name.trim() !== '');
    const issues: FieldIssue[] = fields
      .filter((r) => r.name.trim() === 'id')
      .map(() => ({ path: 'entity', message: "'id' is the entity id above, not a field" }));
    if (issues.length) return setErrors(placeIssues(issues, (p) => shown.has(p)));
    setBusy(true);
    try {
      const entity = {
        ...Object.fromEntries(fields.map((r) => [r.name.trim(), valueOf(r.value)])),
        id: entityId.trim(),
      };
      const started = await api.webhooks.trigger.mutate({
        projectId,
        id: webhook.id,
        entityType,
        ...(contentType.trim() ? { contentType: contentType.trim() } : {}),
        entity,
      });
      setErrors(new Map());
      const delivery = started.deliveries[0];
      notify(`Custom action sent as ${delivery?.id ?? started.eventId}`);
      if (delivery) onStarted(delivery.id);
    } catch (err) {
      const found = issuesOf(err);
      if (found) setErrors(placeIssues(found, (p) => shown.has(p)));
      else report(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      class="custom-action"
      aria-labelledby="custom-heading"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void run();
      }}
    >
      <h3 id="custom-heading">Run custom action</h3>
      {errors.get('') && <p class="error-text">{errors.get('')}</p>}
      <div class="grid-fields">
        {types.length > 1 && (
          <SelectField
            id="custom-entity-type"
            label="Entity type"
            value={entityType}
            options={types.map((t) => [t, t] as const)}
            onValue={setEntityType}
            error={errors.get('entityType')}
          />
        )}
        <TextField
          id="custom-entity-id"
          label="Entity id"
          value={entityId}
          onValue={setEntityId}
          error={errors.get('entity.id')}
        />
        <TextField
          id="custom-content-type"
          label="Content type (optional)"
          value={contentType}
          onValue={setContentType}
          error={errors.get('contentType')}
        />
      </div>
      <PairRows
        id="custom-field"
        legend="Fields"
        noun="field"
        rows={rows}
        onRows={setRows}
        blank={() => ({ name: '', value: '' })}
        valueField={(_, i) => (i === 0 ? { hint: 'Text, or a JSON number, true, false, list or object' } : {})}
        error={errors.get('entity')}
      />
      <div class="actions">
        <button type="submit" class="primary" aria-disabled={busy ? 'true' : 'false'}>
          {busy ? 'Sending…' : 'Run custom action'}
        </button>
      </div>
    </form>
  );
}
