import { useState } from 'preact/hooks';
import type { Webhook } from './api';
import { useApp } from './context';
import { CustomAction } from './custom-action';
import { Deliveries } from './deliveries';
import { ConfirmDialog } from './dialog';
import { ExecutionLog } from './execution-log';
import { useLoaded } from './loaded';
import { RecoverDialog } from './recover';
import { Recoveries } from './recoveries';
import type { WebhookTab } from './route';
import { RouteButton } from './route-button';
import { SecretDialog } from './secret';
import { EnabledText } from './webhooks';

const TABS: { tab: WebhookTab; label: string }[] = [
  { tab: 'log', label: 'Execution log' },
  { tab: 'deliveries', label: 'Deliveries' },
  { tab: 'recoveries', label: 'Recoveries' },
];

/** Which dialog is open over the page. */
type Open = null | 'delete' | 'rotate' | 'recover' | { secret: string };

/** What the webhook gets: "record: publish, update (product, article)". */
function TriggersText({ webhook }: { webhook: Webhook }) {
  return (
    <ul class="plain">
      {webhook.triggers.map((t, i) => (
        <li key={i}>
          {t.entityType}: {t.actions.join(', ')}
          {t.contentTypes?.length ? ` (${t.contentTypes.join(', ')})` : ''}
          {t.recordIds?.length ? ` · records ${t.recordIds.join(', ')}` : ''}
        </li>
      ))}
    </ul>
  );
}

/**
 * One webhook: test it, edit, switch it on or off, rotate its secret, recover what it missed, delete it, fire its
 * custom action; read its execution log, its deliveries (with resend) and its recoveries.
 */
export function WebhookPage({ id, tab }: { id: string; tab: WebhookTab }) {
  const { api, projectId, report, notify, navigate } = useApp();
  const [webhook, setWebhook] = useLoaded(() => api.webhooks.get.query({ projectId, id }), [api, projectId, id]);
  const [busy, setBusy] = useState(false);
  const [reloadKey, setReloadKey] = useState(0);
  const [highlight, setHighlight] = useState<string | null>(null);
  const [open, setOpen] = useState<Open>(null);

  const act = async (action: () => Promise<void>) => {
    if (busy) return;
    setBusy(true);
    try {
      await action();
    } catch (err) {
      report(err);
    } finally {
      setBusy(false);
    }
  };

  const showStarted = (deliveryId: string) => {
    setHighlight(deliveryId);
    setReloadKey((k) => k + 1);
    navigate({ name: 'webhook', id, tab: 'deliveries' });
  };

  const sendTest = () =>
    act(async () => {
      const started = await api.webhooks.test.mutate({ projectId, id });
      notify(`Test event sent as ${started.id}`);
      showStarted(started.id);
    });

  const toggle = (enabled: boolean) =>
    act(async () => {
      const updated = await api.webhooks.update.mutate({ projectId, id, enabled });
      setWebhook(updated);
      notify(enabled ? 'Webhook enabled' : 'Webhook disabled');
    });

  const remove = () =>
    act(async () => {
      await api.webhooks.delete.mutate({ projectId, id });
      setOpen(null);
      navigate({ name: 'home' }, `Webhook ${webhook?.name ?? id} deleted`);
    });

  const rotate = () =>
    act(async () => {
      const { secret } = await api.webhooks.rotateSecret.mutate({ projectId, id });
      setOpen({ secret });
    });

  const hasCustom = webhook?.triggers.some((t) => t.actions.includes('custom')) ?? false;

  return (
    <div>
      <p>
        <RouteButton to={{ name: 'home' }}>Back to webhooks</RouteButton>
      </p>
      <h2 tabIndex={-1}>{webhook ? webhook.name : 'Webhook'}</h2>
      {webhook && (
        <dl class="facts">
          <dt>URL</dt>
          <dd class="wrap">
            <code>{webhook.url}</code>
          </dd>
          <dt>Enabled</dt>
          <dd>
            <EnabledText webhook={webhook} />
          </dd>
          <dt>Triggers</dt>
          <dd>
            <TriggersText webhook={webhook} />
          </dd>
          <dt>Body</dt>
          <dd>
            {webhook.payloadTemplate ? 'Mustache template' : 'Default'} as <code>{webhook.contentType}</code>
          </dd>
          {(webhook.ordering !== 'none' || webhook.coalesce || webhook.digest) && (
            <>
              <dt>Delivery</dt>
              <dd>
                {[
                  webhook.ordering === 'entity' ? 'ordered per entity' : '',
                  webhook.coalesce
                    ? `coalesced (quiet ${webhook.coalesce.quietMs} ms, at most ${webhook.coalesce.maxWaitMs} ms)`
                    : '',
                  webhook.digest ? 'release digests' : '',
                ]
                  .filter((s) => s !== '')
                  .join(' · ')}
              </dd>
            </>
          )}
        </dl>
      )}
      <div class="actions">
        <button type="button" class="primary" aria-disabled={busy ? 'true' : 'false'} onClick={() => void sendTest()}>
          Send test event
        </button>
        {webhook && (
          <>
            <button type="button" onClick={() => navigate({ name: 'edit-webhook', id })}>
              Edit
            </button>
            <button type="button" aria-disabled={busy ? 'true' : 'false'} onClick={() => void toggle(!webhook.enabled)}>
              {webhook.enabled ? 'Disable' : 'Enable'}
            </button>
            <button type="button" onClick={() => setOpen('rotate')}>
              Rotate signing secret…
            </button>
            <button type="button" onClick={() => setOpen('recover')}>
              Recover…
            </button>
            <button type="button" class="danger" onClick={() => setOpen('delete')}>
              Delete…
            </button>
          </>
        )}
      </div>
      {webhook && hasCustom && <CustomAction webhook={webhook} onStarted={showStarted} />}
      <div class="tabs" role="group" aria-label="Views of this webhook">
        {TABS.map((t) => (
          <button
            key={t.tab}
            type="button"
            aria-pressed={tab === t.tab ? 'true' : 'false'}
            onClick={() => navigate({ name: 'webhook', id, tab: t.tab })}
          >
            {t.label}
          </button>
        ))}
      </div>
      {tab === 'log' && <ExecutionLog webhookId={id} />}
      {tab === 'deliveries' && (
        <Deliveries webhookId={id} reloadKey={reloadKey} highlight={highlight} onStarted={setHighlight} />
      )}
      {tab === 'recoveries' && <Recoveries webhookId={id} reloadKey={reloadKey} />}

      {webhook && open === 'delete' && (
        <ConfirmDialog
          title={`Delete webhook ${webhook.name}?`}
          confirm={`Delete ${webhook.name}`}
          danger
          busy={busy}
          onConfirm={() => void remove()}
          onCancel={() => setOpen(null)}
        >
          <p>
            <strong>{webhook.name}</strong> (<code>{webhook.url}</code>) stops receiving events at once. Its deliveries
            and execution log are removed with it. This cannot be undone.
          </p>
        </ConfirmDialog>
      )}
      {webhook && open === 'rotate' && (
        <ConfirmDialog
          title={`Rotate the signing secret of ${webhook.name}?`}
          confirm="Rotate secret"
          busy={busy}
          onConfirm={() => void rotate()}
          onCancel={() => setOpen(null)}
        >
          <p>
            A new secret signs every request from now on. The current one keeps signing beside it for 24 hours, so the
            receiver can switch over without refusing a request.
          </p>
        </ConfirmDialog>
      )}
      {webhook && typeof open === 'object' && open !== null && (
        <SecretDialog
          title={`New signing secret of ${webhook.name}`}
          secret={open.secret}
          onClose={() => setOpen(null)}
        />
      )}
      {webhook && open === 'recover' && (
        <RecoverDialog
          webhook={webhook}
          onClose={(started) => {
            setOpen(null);
            if (started) {
              setReloadKey((k) => k + 1);
              navigate({ name: 'webhook', id, tab: 'recoveries' });
            }
          }}
        />
      )}
    </div>
  );
}
