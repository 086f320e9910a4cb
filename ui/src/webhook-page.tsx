import { useState } from 'preact/hooks';
import { useApp } from './context';
import { Deliveries } from './deliveries';
import { ExecutionLog } from './execution-log';
import { useLoaded } from './loaded';
import type { WebhookTab } from './route';
import { RouteButton } from './route-button';
import { EnabledText } from './webhooks';

const TABS: { tab: WebhookTab; label: string }[] = [
  { tab: 'log', label: 'Execution log' },
  { tab: 'deliveries', label: 'Deliveries' },
];

/** One webhook: test it, switch it on or off, read its execution log and resend its deliveries. */
export function WebhookPage({ id, tab }: { id: string; tab: WebhookTab }) {
  const { api, projectId, report, notify, navigate } = useApp();
  const [webhook, setWebhook] = useLoaded(() => api.webhooks.get.query({ projectId, id }), [api, projectId, id]);
  const [busy, setBusy] = useState(false);
  const [reloadKey, setReloadKey] = useState(0);
  const [highlight, setHighlight] = useState<string | null>(null);

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

  const sendTest = () =>
    act(async () => {
      const started = await api.webhooks.test.mutate({ projectId, id });
      notify(`Test event sent as ${started.id}`);
      setHighlight(started.id);
      setReloadKey((k) => k + 1);
      navigate({ name: 'webhook', id, tab: 'deliveries' });
    });

  const toggle = (enabled: boolean) =>
    act(async () => {
      const updated = await api.webhooks.update.mutate({ projectId, id, enabled });
      setWebhook(updated);
      notify(enabled ? 'Webhook enabled' : 'Webhook disabled');
    });

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
        </dl>
      )}
      <div class="actions">
        <button type="button" class="primary" aria-disabled={busy ? 'true' : 'false'} onClick={() => void sendTest()}>
          Send test event
        </button>
        {webhook && (
          <button type="button" aria-disabled={busy ? 'true' : 'false'} onClick={() => void toggle(!webhook.enabled)}>
            {webhook.enabled ? 'Disable' : 'Enable'}
          </button>
        )}
      </div>
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
      {tab === 'log' ? (
        <ExecutionLog webhookId={id} />
      ) : (
        <Deliveries webhookId={id} reloadKey={reloadKey} highlight={highlight} onStarted={setHighlight} />
      )}
    </div>
  );
}
