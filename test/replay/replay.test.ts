import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Resource } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { makeWorkflowExporter } from '@temporalio/interceptors-opentelemetry';
import { bundleWorkflowCode, Worker, type ReplayWorkerOptions } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import { testEnv } from '../helpers/env';

/**
 * Replays recorded histories of every delivery path against today's workflow code: a change that would break
 * workflows already running fails here, before it reaches a worker. `v1` was recorded before attempts
 * recorded the delivery's end themselves (the `attempts-record-the-end` patch); `v2` after it
 * (`npm run record-histories`).
 */
describe.each(['v1', 'v2'])('delivery workflow replay: histories %s', (version) => {
  const dir = path.join(__dirname, 'histories', version);
  const files = readdirSync(dir).filter((f) => f.endsWith('.json'));

  it('has histories of every recorded path', () => {
    expect(files.sort()).toEqual(
      [
        'error-after-3-attempts',
        'gone-410',
        'paused-by-circuit',
        'retry-after-429',
        'success-first-attempt',
        'success-on-attempt-3',
      ].map((n) => `${n}.json`),
    );
  });

  it('replays each of them without nondeterminism', async () => {
    expect(await replayAll(dir, version, files)).toEqual(
      files.map((f) => ({ workflowId: `${version}/${f}`, error: undefined })),
    );
  });
});

/**
 * The flow-run workflow's recorded paths (`npm run record-histories`), replayed the same way: `flows-v1` from
 * before an async run carried its caller's answer (it rendered the answer again), `flows-v2` after.
 */
describe.each(['flows-v1', 'flows-v2'])('flow-run workflow replay: histories %s', (version) => {
  const dir = path.join(__dirname, 'histories', version);
  const files = readdirSync(dir).filter((f) => f.endsWith('.json'));

  it('has histories of every recorded path', () => {
    expect(files.sort()).toEqual(
      ['async-http-then-set', 'sync-http-fails', 'sync-publish', 'sync-set'].map((n) => `${n}.json`),
    );
  });

  it('replays each of them without nondeterminism', async () => {
    expect(await replayAll(dir, version, files)).toEqual(
      files.map((f) => ({ workflowId: `${version}/${f}`, error: undefined })),
    );
  });
});

/**
 * The workflows of ordering, coalescing, fan-out and releases (`lanes-v1`): an entity's workflow with a fold, the
 * delivery it started (signalling its end back), a fan-out and a batch with a digest.
 */
describe('lane, fan-out and batch workflow replay: histories lanes-v1', () => {
  const dir = path.join(__dirname, 'histories', 'lanes-v1');
  const files = readdirSync(dir).filter((f) => f.endsWith('.json'));

  it('has histories of every recorded path', () => {
    expect(files.sort()).toEqual(
      ['batch-digest', 'delivery-notifies', 'entity-coalesced', 'entity-ordered-fold', 'fan-out'].map(
        (n) => `${n}.json`,
      ),
    );
  });

  it('replays each of them without nondeterminism', async () => {
    expect(await replayAll(dir, 'lanes-v1', files)).toEqual(
      files.map((f) => ({ workflowId: `lanes-v1/${f}`, error: undefined })),
    );
  });
});

/** A recovery's workflow (`recovery-v1`): a failed delivery sent again and a missed one, through its window. */
describe('recovery workflow replay: histories recovery-v1', () => {
  const dir = path.join(__dirname, 'histories', 'recovery-v1');
  const files = readdirSync(dir).filter((f) => f.endsWith('.json'));

  it('replays each of them without nondeterminism', async () => {
    expect(files).toEqual(['recovery-resend-and-missed.json']);
    expect(await replayAll(dir, 'recovery-v1', files)).toEqual(
      files.map((f) => ({ workflowId: `recovery-v1/${f}`, error: undefined })),
    );
  });
});

/**
 * Tracing switched on for workflows already running: with the OpenTelemetry workflow interceptors bundled (as a
 * worker with OTEL_EXPORTER_OTLP_ENDPOINT bundles them, src/tracing.ts), every recorded history still replays.
 */
describe('replay with tracing on', () => {
  it('replays every recorded history with the OpenTelemetry interceptors in the bundle', async () => {
    const { code } = await bundleWorkflowCode({
      workflowsPath: require.resolve('../../src/workflows'),
      workflowInterceptorModules: [require.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors')],
      logger: { trace: noop, debug: noop, info: noop, warn: noop, error: console.error, log: noop },
    });
    const exporter = new InMemorySpanExporter();
    const traced = {
      workflowBundle: { code },
      sinks: { exporter: makeWorkflowExporter(new SimpleSpanProcessor(exporter), new Resource({})) },
    };
    const dirs = readdirSync(path.join(__dirname, 'histories'));
    expect(dirs.length).toBeGreaterThanOrEqual(6);
    for (const version of dirs) {
      const dir = path.join(__dirname, 'histories', version);
      const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
      expect(await replayAll(dir, version, files, traced)).toEqual(
        files.map((f) => ({ workflowId: `${version}/${f}`, error: undefined })),
      );
    }
  }, 120_000);
});

const noop = () => undefined;

/** Replays the histories in `dir` on today's workflow bundle (or `options`'); each result names its file. */
async function replayAll(
  dir: string,
  label: string,
  files: string[],
  options: ReplayWorkerOptions = { workflowBundle: { codePath: testEnv('workflowBundle') } },
) {
  const histories = files.map((f) => ({
    workflowId: `${label}/${f}`,
    history: temporal.api.history.v1.History.fromObject(JSON.parse(readFileSync(path.join(dir, f), 'utf8'))),
  }));
  const results = [];
  for await (const result of Worker.runReplayHistories(options, histories)) {
    results.push({ workflowId: result.workflowId, error: result.error ? String(result.error) : undefined });
  }
  return results;
}
