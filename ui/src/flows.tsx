import type { Run } from './api';
import { useApp } from './context';
import { DetailPanel, OpenButton, useDetail } from './detail';
import {
  Code,
  durationBetween,
  ErrorText,
  formatDuration,
  formatTime,
  HeadersTable,
  prettyText,
  prettyValue,
  StatusBadge,
  Time,
  TimingFacts,
} from './format';
import { ListSection, PagedTable } from './list';
import { useLoaded } from './loaded';
import { usePaged } from './paged';
import { RouteButton } from './route-button';
import type { OverviewProps } from './webhooks';

/** The project's flows (inbound webhooks that run steps). */
export function Flows({ signal, onRefresh }: OverviewProps) {
  const { api, projectId } = useApp();
  const list = usePaged(
    projectId,
    (cursor) => api.flows.list.query({ projectId, limit: 50, cursor }),
    () => false,
    signal,
  );
  return (
    <ListSection headingId="flows-heading" level={2} title="Flows">
      <PagedTable
        list={list}
        onRefresh={onRefresh}
        label="Flows"
        empty="No flows in this project."
        columns={['Name', 'Status', 'Mode']}
        row={(flow) => (
          <tr key={flow.id}>
            <td>
              <RouteButton to={{ name: 'flow', id: flow.id }}>{flow.name}</RouteButton>
            </td>
            <td>{flow.status}</td>
            <td>{flow.mode}</td>
          </tr>
        )}
      />
    </ListSection>
  );
}

/** One flow's runs, newest first (the API keeps the newest 300), and the run opened. */
export function FlowPage({ id }: { id: string }) {
  const { api, projectId } = useApp();
  const [flow] = useLoaded(() => api.flows.get.query({ projectId, id }), [api, projectId, id]);

  const list = usePaged(
    `${projectId}/${id}`,
    (cursor) => api.flows.runs.query({ projectId, id, limit: 50, cursor }),
    (run) => run.status === 'running',
  );
  const detail = useDetail(list);
  const { shown } = detail;

  return (
    <div>
      <p>
        <RouteButton to={{ name: 'home' }}>Back to flows</RouteButton>
      </p>
      <ListSection
        headingId="runs-heading"
        level={2}
        title={`Runs of ${flow ? flow.name : '…'}`}
        headingRef={detail.heading}
      >
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
        <PagedTable
          list={list}
          label="Runs"
          empty="No runs yet."
          columns={['Status', 'Started', 'Duration']}
          action="Details"
          row={(run) => (
            <tr key={run.id} class={shown?.id === run.id ? 'selected' : undefined}>
              <td>
                <StatusBadge status={run.status} />
              </td>
              <td>
                <Time iso={run.startedAt} />
              </td>
              <td class="num">{formatDuration(durationBetween(run.startedAt, run.finishedAt))}</td>
              <td>
                <OpenButton
                  label={`Open run ${run.id} started at ${formatTime(run.startedAt)}`}
                  onOpen={(button) => detail.open(run, button)}
                />
              </td>
            </tr>
          )}
        />
        {shown && <RunDetail run={shown} onClose={detail.close} />}
      </ListSection>
    </div>
  );
}

function RunDetail({ run, onClose }: { run: Run; onClose: () => void }) {
  return (
    <DetailPanel headingId="run-heading" level={3} title={`Run ${run.id}`} itemId={run.id} onClose={onClose}>
      <dl class="facts">
        <dt>Status</dt>
        <dd>
          <StatusBadge status={run.status} />
        </dd>
        <TimingFacts
          startedAt={run.startedAt}
          finishedAt={run.finishedAt}
          durationMs={durationBetween(run.startedAt, run.finishedAt)}
        />
      </dl>
      {run.error && <ErrorText error={run.error} />}
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
                {step.error && <ErrorText error={step.error} />}
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
    </DetailPanel>
  );
}
