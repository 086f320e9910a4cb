import { useState } from 'preact/hooks';
import type { Delivery, UiConfig } from './api';
import { useApp } from './context';
import { StatusBadge, Time } from './format';
import { ListSection, PagedTable } from './list';
import { usePaged } from './paged';

/** The delivery's workflow in the Temporal Web UI, when the server knows its address. */
export function workflowUrl(config: UiConfig, workflowId: string): string | null {
  if (!config.temporalUiUrl) return null;
  try {
    const base = new URL(config.temporalUiUrl);
    if (base.protocol !== 'http:' && base.protocol !== 'https:') return null;
  } catch {
    return null;
  }
  const root = config.temporalUiUrl.replace(/\/+$/, '');
  return `${root}/namespaces/${encodeURIComponent(config.namespace)}/workflows/${encodeURIComponent(workflowId)}`;
}

function LastError({ delivery }: { delivery: Delivery }) {
  if (delivery.lastError) return <span class="wrap">{delivery.lastError}</span>;
  if (delivery.lastStatusCode !== null) return <>{delivery.lastStatusCode}</>;
  return <span class="muted">—</span>;
}

interface Props {
  webhookId: string;
  /** Changed by the page (after a test event) to show the newest page again. */
  reloadKey: number;
  /** A delivery just started from this page, marked in the list. */
  highlight: string | null;
  onStarted: (deliveryId: string) => void;
}

export function Deliveries({ webhookId, reloadKey, highlight, onStarted }: Props) {
  const { api, projectId, config, report, notify } = useApp();
  const list = usePaged(
    `${projectId}/${webhookId}/${reloadKey}`,
    (cursor) => api.deliveries.list.query({ projectId, webhookId, limit: 50, cursor }),
    (delivery) => delivery.status === 'pending',
  );
  const [resending, setResending] = useState<string | null>(null);

  const resend = async (delivery: Delivery) => {
    if (resending) return;
    setResending(delivery.id);
    try {
      const started = await api.deliveries.resend.mutate({ projectId, id: delivery.id });
      notify(`Resent as ${started.id}`);
      onStarted(started.id);
      list.first();
    } catch (err) {
      report(err);
    } finally {
      setResending(null);
    }
  };

  return (
    <ListSection headingId="deliveries-heading" level={3} title="Deliveries">
      <PagedTable
        list={list}
        label="Deliveries"
        empty="No deliveries yet."
        columns={['Delivery', 'Status', 'Attempts', 'Created', 'Last result', 'Workflow']}
        action="Actions"
        row={(delivery) => {
          const href = workflowUrl(config, delivery.workflowId);
          return (
            <tr key={delivery.id} class={delivery.id === highlight ? 'selected' : undefined}>
              <td>
                <code>{delivery.id}</code>
              </td>
              <td>
                <StatusBadge status={delivery.status} />
              </td>
              <td class="num">{delivery.attempts}</td>
              <td>
                <Time iso={delivery.createdAt} />
              </td>
              <td>
                <LastError delivery={delivery} />
              </td>
              <td>
                {href ? (
                  <a href={href} target="_blank" rel="noopener noreferrer" title={delivery.workflowId}>
                    Workflow
                  </a>
                ) : (
                  <code class="wrap">{delivery.workflowId}</code>
                )}
              </td>
              <td>
                <button
                  type="button"
                  aria-label={`Resend ${delivery.id}`}
                  aria-disabled={resending ? 'true' : 'false'}
                  onClick={() => void resend(delivery)}
                >
                  {resending === delivery.id ? 'Resending…' : 'Resend'}
                </button>
              </td>
            </tr>
          );
        }}
      />
    </ListSection>
  );
}
