import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { LogEntry } from './api';
import { useApp } from './context';
import {
  Code,
  formatDuration,
  formatTime,
  HeadersTable,
  ListBody,
  ListToolbar,
  Pager,
  prettyText,
  StatusBadge,
  Time,
} from './format';
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
  const [open, setOpen] = useState<LogEntry | null>(null);
  const opener = useRef<HTMLElement | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  // The open entry as last loaded: a pending one updates as the list refreshes.
  const shown = (open && list.page?.items.find((entry) => entry.id === open.id)) ?? open;

  const close = () => {
    setOpen(null);
    if (opener.current?.isConnected) opener.current.focus();
    else heading.current?.focus();
  };

  return (
    <section aria-labelledby="log-heading">
      <h3 id="log-heading" ref={heading} tabIndex={-1}>
        Execution log
      </h3>
      <ListToolbar list={list}>
        <label for="log-status">Status</label>
        <select
          id="log-status"
          value={status}
          onChange={(e) => {
            const value = e.currentTarget.value;
            setStatus(isStatus(value) ? value : '');
            setOpen(null);
          }}
        >
          <option value="">All</option>
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      </ListToolbar>
      <ListBody list={list} empty={status === '' ? 'No attempts logged yet.' : `No ${status} attempts.`}>
        <table>
          <thead>
            <tr>
              <th scope="col">Status</th>
              <th scope="col">Attempt</th>
              <th scope="col">Time</th>
              <th scope="col">Duration</th>
              <th scope="col">Response</th>
              <th scope="col">
                <span class="visually-hidden">Details</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {list.page?.items.map((entry) => (
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
                  <button
                    type="button"
                    aria-label={`Open attempt ${entry.attempt} of ${entry.deliveryId} at ${formatTime(entry.startedAt)}`}
                    onClick={(e) => {
                      opener.current = e.currentTarget;
                      setOpen(entry);
                    }}
                  >
                    Open
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </ListBody>
      <Pager list={list} label="Execution log" />
      {shown && <LogDetail entry={shown} onClose={close} />}
    </section>
  );
}

function LogDetail({ entry, onClose }: { entry: LogEntry; onClose: () => void }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useLayoutEffect(() => heading.current?.focus(), [entry.id]);
  const { request, response } = entry;
  return (
    <section class="detail" aria-labelledby="attempt-heading">
      <div class="detail-head">
        <h4 id="attempt-heading" ref={heading} tabIndex={-1}>
          Attempt {entry.attempt}
        </h4>
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
      <dl class="facts">
        <dt>Status</dt>
        <dd>
          <StatusBadge status={entry.status} />
        </dd>
        <dt>Delivery</dt>
        <dd>
          <code>{entry.deliveryId}</code>
        </dd>
        <dt>Started</dt>
        <dd>
          <Time iso={entry.startedAt} />
        </dd>
        <dt>Finished</dt>
        <dd>
          <Time iso={entry.finishedAt} />
        </dd>
        <dt>Duration</dt>
        <dd>{formatDuration(entry.durationMs)}</dd>
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
        {entry.error && (
          <p class="error-text">
            <strong>Error:</strong> {entry.error}
          </p>
        )}
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
    </section>
  );
}
