import { useState } from 'preact/hooks';
import { useApp } from './context';
import { Time } from './format';
import { ListSection, PagedTable } from './list';
import { usePaged } from './paged';
import { type Recovery, RecoveryProgress } from './recover';

/** The webhook's recoveries, newest first, each with its progress and, while it runs, "Cancel". */
export function Recoveries({ webhookId, reloadKey }: { webhookId: string; reloadKey: number }) {
  const { api, projectId, report, notify } = useApp();
  const list = usePaged(
    `${projectId}/${webhookId}/recoveries/${reloadKey}`,
    (cursor) => api.recoveries.list.query({ projectId, webhookId, limit: 20, cursor }),
    (r) => r.status === 'running',
  );
  const [cancelling, setCancelling] = useState<string | null>(null);
  const cancel = async (recovery: Recovery) => {
    if (cancelling) return;
    setCancelling(recovery.id);
    try {
      await api.recoveries.cancel.mutate({ projectId, id: recovery.id });
      notify(`Recovery ${recovery.id} cancelled`);
      list.refresh();
    } catch (err) {
      report(err);
    } finally {
      setCancelling(null);
    }
  };
  return (
    <ListSection headingId="recoveries-heading" level={3} title="Recoveries">
      <PagedTable
        list={list}
        label="Recoveries"
        empty="No recoveries yet: “Recover…” sends again what an outage missed."
        columns={['Recovery', 'Window', 'Progress', 'Started']}
        action="Actions"
        row={(r) => (
          <tr key={r.id}>
            <td>
              <code>{r.id}</code>
            </td>
            <td>
              <Time iso={r.since} /> – <Time iso={r.until} />
            </td>
            <td>
              <RecoveryProgress recovery={r} />
            </td>
            <td>
              <Time iso={r.createdAt} />
            </td>
            <td>
              {r.status === 'running' && (
                <button
                  type="button"
                  aria-label={`Cancel ${r.id}`}
                  aria-disabled={cancelling ? 'true' : 'false'}
                  onClick={() => void cancel(r)}
                >
                  Cancel
                </button>
              )}
            </td>
          </tr>
        )}
      />
    </ListSection>
  );
}
