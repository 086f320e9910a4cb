import { useState } from 'preact/hooks';
import type { LogEntry } from './api';
import { useApp } from './context';
import { DetailPanel, OpenButton, useDetail } from './detail';
import {
  Code,
  ErrorText,
  formatDuration,
  formatTime,
  HeadersTable,
  prettyText,
  StatusBadge,
  Time,
  TimingFacts,
} from './format';
import { ListSection, PagedTable } from './list';
import { usePaged } from './paged';

export type DeliveryStatus = LogEntry['status'];
const STATUSES: readonly DeliveryStatus[] = ['pending', 'done', 'error'];
const isStatus = (value: string): value is DeliveryStatus => STATUSES.some((s) => s === value);

/** Every attempt of one webhook, newest first, 50 a page (the API keeps the newest 300). */
export function ExecutionLog({ webhookId }: { webhookId: string }) {
  const { api, projectId } = useApp();
  const [status, setStatus] = useState<DeliveryStatus | ''>('');
  const list = usePaged(
    `${projectId}/${webhookId}/${status}`,
    async (cursor) => {
      // Between two attempts no entry is pending, but the delivery is: the next attempt is still to come.
      const [page, pending] = await Promise.all([
        api.logs.list.query({ projectId, webhookId, limit: 50, cursor, ...(status === '' ? {} : { status }) }),
        api.deliveries.list.query({ projectId, webhookId, status: 'pending', limit: 1 }),
      ]);
      return { ...page, pending: pending.items.length > 0 };
    },
    (entry) => entry.status === 'pending',
  );
  const detail = useDetail(list);
  const { shown } = detail;

  return (
    <ListSection headingId="log-heading" level={3} title="Execution log" headingRef={detail.heading}>
      <PagedTable
        list={list}
        label="Execution log"
        empty={status === '' ? 'No attempts logged yet.' : `No ${status} attempts.`}
        columns={['Status', 'Attempt', 'Time', 'Duration', 'Response']}
        action="Details"
        row={(entry) => (
          <tr key={entry.id} class={shown?.id === entry.id ? 'selected' : undefined}>
            <td>
              <StatusBadge status={entry.status} />
            </td>
            <td class="num">{entry.attempt}</td>
            <td>
              <Time iso={entry.startedAt} />
            </td>
            <td class="num">{formatDuration(entry.durationMs)}</td>
            <td class="num">{entry.response ? entry.response.status : '—'}</td>
            <td>
              <OpenButton
                label={`Open attempt ${entry.attempt} of ${entry.deliveryId} at ${formatTime(entry.startedAt)}`}
                onOpen={(button) => detail.open(entry, button)}
              />
            </td>
          </tr>
        )}
      >
        <label for="log-status">Status</label>
        <select
          id="log-status"
          value={status}
          onChange={(e) => {
            const value = e.currentTarget.value;
            setStatus(isStatus(value) ? value : '');
            detail.reset();
          }}
        >
          <option value="">All</option>
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      </PagedTable>
      {shown && <LogDetail entry={shown} onClose={detail.close} />}
    </ListSection>
  );
}

function LogDetail({ entry, onClose }: { entry: LogEntry; onClose: () => void }) {
  const { request, response } = entry;
  return (
    <DetailPanel
      headingId="attempt-heading"
      level={4}
      title={`Attempt ${entry.attempt}`}
      itemId={entry.id}
      onClose={onClose}
    >
      <dl class="facts">
        <dt>Status</dt>
        <dd>
          <StatusBadge status={entry.status} />
        </dd>
        <dt>Delivery</dt>
        <dd>
          <code>{entry.deliveryId}</code>
        </dd>
        <TimingFacts startedAt={entry.startedAt} finishedAt={entry.finishedAt} durationMs={entry.durationMs} />
      </dl>
      <section aria-labelledby="attempt-request">
        <h5 id="attempt-request">Request</h5>
        <p class="wrap">
          <code>
            {request.method} {request.url}
          </code>
        </p>
        <HeadersTable headers={request.headers} caption="Request headers" />
        <Code text={prettyText(request.body)} />
      </section>
      <section aria-labelledby="attempt-response">
        <h5 id="attempt-response">Response</h5>
        {entry.error && <ErrorText error={entry.error} />}
        {response ? (
          <>
            <p>
              Status <strong>{response.status}</strong>
            </p>
            <HeadersTable headers={response.headers} caption="Response headers" />
            <Code text={prettyText(response.body)} />
          </>
        ) : (
          !entry.error && (
            <p class="muted">{entry.status === 'pending' ? 'No response yet.' : 'No response was received.'}</p>
          )
        )}
      </section>
    </DetailPanel>
  );
}
