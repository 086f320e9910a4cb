import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { Flow, Run } from './api';
import { useApp } from './context';
import {
  Code,
  durationBetween,
  formatDuration,
  formatTime,
  HeadersTable,
  ListBody,
  ListToolbar,
  Pager,
  prettyText,
  prettyValue,
  StatusBadge,
  Time,
} from './format';
import { usePaged } from './paged';
import type { OverviewProps } from './webhooks';

/** The project's flows (inbound webhooks that run steps). */
export function Flows({ signal, onRefresh }: OverviewProps) {
  const { api, projectId, navigate } = useApp();
  const list = usePaged(
    projectId,
    (cursor) => api.flows.list.query({ projectId, limit: 50, cursor }),
    () => false,
    signal,
  );
  return (
    <section aria-labelledby="flows-heading">
      <h2 id="flows-heading" tabIndex={-1}>
        Flows
      </h2>
      <ListToolbar list={list} onRefresh={onRefresh} />
      <ListBody list={list} empty="No flows in this project.">
        <table>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Status</th>
              <th scope="col">Mode</th>
            </tr>
          </thead>
          <tbody>
            {list.page?.items.map((flow) => (
              <tr key={flow.id}>
                <td>
                  <button type="button" class="link" onClick={() => navigate({ name: 'flow', id: flow.id })}>
                    {flow.name}
                  </button>
                </td>
                <td>{flow.status}</td>
                <td>{flow.mode}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </ListBody>
      <Pager list={list} label="Flows" />
    </section>
  );
}

/** One flow's runs, newest first (the API keeps the newest 300), and the run opened. */
export function FlowPage({ id }: { id: string }) {
  const { api, projectId, report, navigate } = useApp();
  const [flow, setFlow] = useState<Flow | null>(null);
  useEffect(() => {
    let live = true;
    setFlow(null);
    api.flows.get.query({ projectId, id }).then(
      (found) => {
        if (live) setFlow(found);
      },
      (err: unknown) => {
        if (live) report(err);
      },
    );
    return () => {
      live = false;
    };
  }, [api, projectId, id]);

  const list = usePaged(
    `${projectId}/${id}`,
    (cursor) => api.flows.runs.query({ projectId, id, limit: 50, cursor }),
    (run) => run.status === 'running',
  );
  const [open, setOpen] = useState<Run | null>(null);
  const opener = useRef<HTMLElement | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const shown = (open && list.page?.items.find((run) => run.id === open.id)) ?? open;

  const close = () => {
    setOpen(null);
    if (opener.current?.isConnected) opener.current.focus();
    else heading.current?.focus();
  };

  return (
    <div>
      <p>
        <button type="button" class="link" onClick={() => navigate({ name: 'home' })}>
          Back to flows
        </button>
      </p>
      <section aria-labelledby="runs-heading">
        <h2 id="runs-heading" ref={heading} tabIndex={-1}>
          Runs of {flow ? flow.name : '…'}
        </h2>
        {flow && (
          <dl class="facts">
            <dt>Status</dt>
            <dd>{flow.status}</dd>
            <dt>Mode</dt>
            <dd>{flow.mode}</dd>
            <dt>Webhook URL</dt>
            <dd class="wrap">
              <code>{flow.webhookUrl}</code>
            </dd>
          </dl>
        )}
        <ListToolbar list={list} />
        <ListBody list={list} empty="No runs yet.">
          <table>
            <thead>
              <tr>
                <th scope="col">Status</th>
                <th scope="col">Started</th>
                <th scope="col">Duration</th>
                <th scope="col">
                  <span class="visually-hidden">Details</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.page?.items.map((run) => (
                <tr key={run.id} class={shown?.id === run.id ? 'selected' : undefined}>
                  <td>
                    <StatusBadge status={run.status} />
                  </td>
                  <td>
                    <Time iso={run.startedAt} />
                  </td>
                  <td class="num">{formatDuration(durationBetween(run.startedAt, run.finishedAt))}</td>
                  <td>
                    <button
                      type="button"
                      aria-label={`Open run ${run.id} started at ${formatTime(run.startedAt)}`}
                      onClick={(e) => {
                        opener.current = e.currentTarget;
                        setOpen(run);
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
        <Pager list={list} label="Runs" />
        {shown && <RunDetail run={shown} onClose={close} />}
      </section>
    </div>
  );
}

function RunDetail({ run, onClose }: { run: Run; onClose: () => void }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useLayoutEffect(() => heading.current?.focus(), [run.id]);
  return (
    <section class="detail" aria-labelledby="run-heading">
      <div class="detail-head">
        <h3 id="run-heading" ref={heading} tabIndex={-1}>
          Run {run.id}
        </h3>
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
      <dl class="facts">
        <dt>Status</dt>
        <dd>
          <StatusBadge status={run.status} />
        </dd>
        <dt>Started</dt>
        <dd>
          <Time iso={run.startedAt} />
        </dd>
        <dt>Finished</dt>
        <dd>
          <Time iso={run.finishedAt} />
        </dd>
        <dt>Duration</dt>
        <dd>{formatDuration(durationBetween(run.startedAt, run.finishedAt))}</dd>
      </dl>
      {run.error && (
        <p class="error-text">
          <strong>Error:</strong> {run.error}
        </p>
      )}
      <section aria-labelledby="run-request">
        <h4 id="run-request">Request</h4>
        <HeadersTable headers={run.request.headers} caption="Request headers" />
        <Code text={prettyValue(run.request.body)} />
      </section>
      <section aria-labelledby="run-steps">
        <h4 id="run-steps">Steps</h4>
        {run.steps.length === 0 ? (
          <p class="muted">No steps ran.</p>
        ) : (
          <ol class="steps">
            {run.steps.map((step, index) => (
              <li key={`${index}-${step.ref}`}>
                <h5>
                  <code>{step.ref}</code> <span class="muted">({step.kind})</span> <StatusBadge status={step.status} />
                </h5>
                <dl class="facts">
                  <dt>Started</dt>
                  <dd>
                    <Time iso={step.startedAt} />
                  </dd>
                  <dt>Duration</dt>
                  <dd>{formatDuration(durationBetween(step.startedAt, step.finishedAt))}</dd>
                </dl>
                <p class="label">Input</p>
                <Code text={prettyValue(step.input)} />
                <p class="label">Output</p>
                <Code text={prettyValue(step.output)} />
                {step.error && (
                  <p class="error-text">
                    <strong>Error:</strong> {step.error}
                  </p>
                )}
              </li>
            ))}
          </ol>
        )}
      </section>
      <section aria-labelledby="run-response">
        <h4 id="run-response">Response</h4>
        {run.response ? (
          <>
            <p>
              Status <strong>{run.response.statusCode}</strong>
            </p>
            <Code text={prettyText(run.response.body)} />
          </>
        ) : (
          <p class="muted">{run.status === 'running' ? 'No response yet.' : 'No response was recorded.'}</p>
        )}
      </section>
    </section>
  );
}
