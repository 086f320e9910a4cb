import { useEffect, useState } from 'preact/hooks';
import type { Inputs, Outputs, Webhook } from './api';
import { useApp } from './context';
import { Dialog } from './dialog';
import { issuesOf, placeIssues } from './field-issues';
import { Checkbox, Choices, TextField } from './form-fields';
import { ACTIONS, type Action } from './webhook-draft';

export type Recovery = Outputs['recoveries']['get'];
type RecoverInput = Inputs['deliveries']['recover'];
type Status = NonNullable<RecoverInput['statuses']>[number];

/** While a recovery runs, its progress is read again this often. */
const POLL_MS = 1_000;

/** `datetime-local` holds local time without a zone: "2026-12-06T02:00". */
const localInput = (d: Date) => {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
};
const isoOf = (local: string) => {
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? local : d.toISOString();
};

/** A recovery's progress: what is handled of its total, as a bar and in words. */
export function RecoveryProgress({ recovery }: { recovery: Recovery }) {
  const handled = recovery.sent + recovery.skipped + recovery.failed;
  const max = Math.max(recovery.total, handled, 1);
  return (
    <div class="progress">
      <progress
        value={recovery.status === 'running' ? handled : max}
        max={max}
        aria-label={`Recovery ${recovery.id}`}
      />
      <span>
        {recovery.status}: {recovery.sent} sent, {recovery.skipped} skipped, {recovery.failed} failed
        {recovery.total ? ` of ${recovery.total}` : ''}
      </span>
    </div>
  );
}

/** Reads a running recovery again every second until it ends. */
export function useRecovery(initial: Recovery | null) {
  const { api, projectId, report } = useApp();
  const [recovery, setRecovery] = useState(initial);
  // Bumped after a failed read, so that polling goes on (more slowly) instead of stopping at "running".
  const [failures, setFailures] = useState(0);
  const id = recovery?.id;
  const running = recovery?.status === 'running';
  useEffect(() => {
    if (!id || !running) return;
    let live = true;
    const timer = setTimeout(
      () => {
        api.recoveries.get.query({ projectId, id }).then(
          (next) => {
            if (!live) return;
            setFailures(0);
            setRecovery(next);
          },
          (err: unknown) => {
            if (!live) return;
            if (failures === 0) report(err);
            setFailures((n) => n + 1);
          },
        );
      },
      POLL_MS * Math.min(2 ** failures, 30),
    );
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [id, running, recovery, failures]);
  return [recovery, setRecovery] as const;
}

/**
 * "Recover": which of the webhook's events of a window to deliver again (failed ones, and those it never got),
 * its estimate first, then the recovery's progress, with "Cancel recovery". One idempotency key per dialog, so a
 * second click starts the same recovery, not another.
 */
export function RecoverDialog({ webhook, onClose }: { webhook: Webhook; onClose: (started: boolean) => void }) {
  const { api, projectId, report, notify } = useApp();
  // One recovery per idempotency key: a second click on Start is the same recovery; changed filters, a new one.
  const [key, setKey] = useState(() => `ui-${crypto.randomUUID()}`);
  const [since, setSince] = useState(() => localInput(new Date(Date.now() - 24 * 3600_000)));
  const [until, setUntil] = useState('');
  const [statuses, setStatuses] = useState<Status[]>(['error']);
  const [includeMissed, setIncludeMissed] = useState(false);
  const [actions, setActions] = useState<Action[]>([]);
  const [contentTypes, setContentTypes] = useState('');
  const [estimate, setEstimate] = useState<number | null>(null);
  const [errors, setErrors] = useState<Map<string, string>>(new Map());
  const [busy, setBusy] = useState(false);
  const [recovery, setRecovery] = useRecovery(null);
  const shown = new Set(['since', 'until', 'statuses', 'actions', 'contentTypes']);

  const input = (dryRun: boolean): RecoverInput => {
    const types = contentTypes
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
    return {
      projectId,
      webhookId: webhook.id,
      since: isoOf(since),
      ...(until ? { until: isoOf(until) } : {}),
      statuses,
      includeMissed,
      ...(actions.length ? { actions } : {}),
      ...(types.length ? { contentTypes: types } : {}),
      idempotencyKey: key,
      dryRun,
    };
  };
  const call = async (dryRun: boolean) => {
    if (busy) return;
    setBusy(true);
    try {
      const answer = await api.deliveries.recover.mutate(input(dryRun));
      setErrors(new Map());
      setEstimate(answer.estimate);
      if (!dryRun && answer.id) {
        setRecovery(await api.recoveries.get.query({ projectId, id: answer.id }));
        notify(`Recovery ${answer.id} started`);
      }
    } catch (err) {
      const issues = issuesOf(err);
      if (issues) setErrors(placeIssues(issues, (p) => shown.has(p)));
      else report(err);
    } finally {
      setBusy(false);
    }
  };
  const cancel = async () => {
    if (!recovery || busy) return;
    setBusy(true);
    try {
      await api.recoveries.cancel.mutate({ projectId, id: recovery.id });
      setRecovery(await api.recoveries.get.query({ projectId, id: recovery.id }));
    } catch (err) {
      report(err);
    } finally {
      setBusy(false);
    }
  };
  // Any change of the window or the filters asks for a new estimate before starting.
  const changed =
    <T,>(set: (v: T) => void) =>
    (v: T) => {
      set(v);
      setEstimate(null);
      setKey(`ui-${crypto.randomUUID()}`);
    };

  return (
    <Dialog title={`Recover deliveries of ${webhook.name}`} onClose={() => onClose(recovery !== null)} wide>
      {recovery ? (
        <>
          <p>
            Recovery <code>{recovery.id}</code> delivers again, in the background, what matched. Closing this keeps it
            running; the Recoveries tab shows it.
          </p>
          <RecoveryProgress recovery={recovery} />
          <div class="actions">
            {recovery.status === 'running' && (
              <button type="button" aria-disabled={busy ? 'true' : 'false'} onClick={() => void cancel()}>
                Cancel recovery
              </button>
            )}
            <button type="button" class="primary" onClick={() => onClose(true)}>
              Close
            </button>
          </div>
        </>
      ) : (
        <form
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            void call(estimate === null);
          }}
        >
          {errors.get('') && <p class="error-text">{errors.get('')}</p>}
          <div class="grid-fields">
            <TextField
              id="recover-since"
              label="From"
              type="datetime-local"
              value={since}
              onValue={changed(setSince)}
              error={errors.get('since')}
            />
            <TextField
              id="recover-until"
              label="Until (empty: now)"
              type="datetime-local"
              value={until}
              onValue={changed(setUntil)}
              error={errors.get('until')}
            />
          </div>
          <Choices
            id="recover-statuses"
            label="Deliveries to send again"
            options={['error', 'done'] as const}
            chosen={statuses}
            onChosen={changed(setStatuses)}
            hint="error: failed for good; done: delivered already (sent again under the same webhook-id)"
            error={errors.get('statuses')}
          />
          <Checkbox
            id="recover-missed"
            label="Also the events it never got (published while it was disabled, or outside its triggers then)"
            checked={includeMissed}
            onChecked={changed(setIncludeMissed)}
          />
          <Choices
            id="recover-actions"
            label="Only these actions (none chosen: every action)"
            options={ACTIONS}
            chosen={actions}
            onChosen={changed(setActions)}
            error={errors.get('actions')}
          />
          <TextField
            id="recover-content-types"
            label="Only these content types (comma-separated; empty: every one)"
            value={contentTypes}
            onValue={changed(setContentTypes)}
            error={errors.get('contentTypes')}
          />
          <p role="status" class="estimate">
            {estimate === null
              ? ''
              : `${estimate}${estimate >= 10_000 ? '+' : ''} events of this project were published in this window; those of them that match are sent again.`}
          </p>
          <div class="actions">
            <button type="submit" class="primary" aria-disabled={busy ? 'true' : 'false'}>
              {estimate === null ? 'Estimate' : 'Start recovery'}
            </button>
            <button type="button" onClick={() => onClose(false)}>
              Cancel
            </button>
          </div>
        </form>
      )}
    </Dialog>
  );
}
