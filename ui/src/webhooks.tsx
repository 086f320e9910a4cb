import type { Delivery, Webhook } from './api';
import { useApp } from './context';
import { StatusBadge } from './format';
import { ListSection, PagedTable } from './list';
import { usePaged } from './paged';
import { RouteButton } from './route-button';

interface Row {
  webhook: Webhook;
  last: Delivery | null;
  failures: number;
  moreFailures: boolean;
}

export function EnabledText({ webhook }: { webhook: Webhook }) {
  if (webhook.enabled) return <>yes</>;
  return <>no{webhook.disabledReason ? <span class="muted"> ({webhook.disabledReason})</span> : null}</>;
}

/** A screen's lists reload together: `signal` changes when any of them is refreshed by hand. */
export interface OverviewProps {
  signal: number;
  onRefresh: () => void;
}

/** The project's webhooks with their newest delivery's status and their kept failures. */
export function Webhooks({ signal, onRefresh }: OverviewProps) {
  const { api, projectId } = useApp();
  const list = usePaged<Row>(
    projectId,
    async (cursor) => {
      const page = await api.webhooks.list.query({ projectId, limit: 50, cursor });
      // All asked at once: httpBatchLink sends them as a few batched requests.
      const items = await Promise.all(
        page.items.map(async (webhook): Promise<Row> => {
          const [last, failed] = await Promise.all([
            api.deliveries.list.query({ projectId, webhookId: webhook.id, limit: 1 }),
            api.deliveries.list.query({ projectId, webhookId: webhook.id, status: 'error', limit: 100 }),
          ]);
          return {
            webhook,
            last: last.items[0] ?? null,
            failures: failed.items.length,
            moreFailures: failed.nextCursor !== null,
          };
        }),
      );
      return { items, nextCursor: page.nextCursor };
    },
    (row) => row.last?.status === 'pending',
    signal,
  );

  return (
    <ListSection headingId="webhooks-heading" level={2} title="Webhooks">
      <PagedTable
        list={list}
        onRefresh={onRefresh}
        label="Webhooks"
        empty="No webhooks in this project yet: create one with “New webhook”."
        columns={['Name', 'URL', 'Enabled', 'Last status', 'Failures']}
        row={({ webhook, last, failures, moreFailures }) => (
          <tr key={webhook.id}>
            <td>
              <RouteButton to={{ name: 'webhook', id: webhook.id, tab: 'log' }}>{webhook.name}</RouteButton>
            </td>
            <td class="wrap">
              <code>{webhook.url}</code>
            </td>
            <td>
              <EnabledText webhook={webhook} />
            </td>
            <td>{last ? <StatusBadge status={last.status} /> : <span class="muted">—</span>}</td>
            <td class="num">{moreFailures ? '100+' : failures}</td>
          </tr>
        )}
      >
        <RouteButton to={{ name: 'new-webhook' }} primary>
          New webhook
        </RouteButton>
      </PagedTable>
    </ListSection>
  );
}
