import path from 'node:path';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { BusyError, InvalidTemplateError, TemplateRenderError, messageOf } from '../errors';

/**
 * Liquid templates (LiquidJS) that users store and external callers' data fills. The templates are untrusted,
 * and LiquidJS's limits are cooperative: one filter over a large list runs for seconds without checking them.
 * So templates are parsed and rendered in worker threads (liquid-thread.cjs), and a task that outlives its
 * timeout has its thread terminated; piscina starts another in its place.
 */
export interface LiquidSandboxOptions {
  /**
   * Hard limit per check or render, counted from when a thread starts on it: a template is charged for its own
   * time, not for the runaway ones ahead of it in the queue.
   */
  timeoutMs?: number;
  /** How long a task may wait for a free thread: past that it fails with BusyError. */
  queueTimeoutMs?: number;
  /** Two by default: one runaway template then holds one thread for its timeout, and the rest go on. */
  threads?: number;
}

export interface LiquidSandbox {
  /** Parses only; a template that does not parse throws InvalidTemplateError('line L, column C: <reason>'). */
  check(template: string): Promise<void>;
  /**
   * Renders over `context` (plain JSON data); throws TemplateRenderError('line L, column C: <reason>',
   * 'took longer than N ms' or a limit's message).
   */
  render(template: string, context: Record<string, unknown>): Promise<string>;
  close(): Promise<void>;
}

type Task =
  | { op: 'check'; template: string }
  | { op: 'render'; template: string; context: Record<string, unknown>; renderLimitMs: number };

/** A task as the thread gets it: `started` is told when the thread begins, which starts the task's timeout. */
type ThreadTask = Task & { started: MessagePort };

type Outcome = { ok: true; output?: string } | { ok: false; message: string; line?: number; column?: number };

const THREAD_FILE = path.join(__dirname, 'liquid-thread.cjs');

function isOutcome(value: unknown): value is Outcome {
  if (typeof value !== 'object' || value === null || !('ok' in value)) return false;
  if (value.ok === true) return !('output' in value) || typeof value.output === 'string';
  return value.ok === false && 'message' in value && typeof value.message === 'string';
}

function located(failure: { message: string; line?: number; column?: number }): string {
  return failure.line === undefined
    ? failure.message
    : `line ${failure.line}, column ${failure.column ?? 1}: ${failure.message}`;
}

export function createLiquidSandbox(opts: LiquidSandboxOptions = {}): LiquidSandbox {
  const timeoutMs = opts.timeoutMs ?? 1000;
  const queueTimeoutMs = opts.queueTimeoutMs ?? 10 * timeoutMs;
  const threads = opts.threads ?? 2;
  // LiquidJS's own limit, when it notices in time, fails with the position; the hard timeout is the backstop.
  const renderLimitMs = Math.floor(timeoutMs * 0.8);

  // Threads start now rather than on the first task, whose timeout would otherwise pay for the start.
  // Piscina unrefs a thread while it has no task, so an idle pool does not keep the process alive.
  // No `resourceLimits`: a thread reaching its heap limit can abort the whole process (nodejs/node#47224);
  // LiquidJS's memoryLimit and the timeout bound what a template allocates.
  const pool = new Piscina<ThreadTask, unknown>({ filename: THREAD_FILE, minThreads: threads, maxThreads: threads });
  // A thread that fails between tasks is replaced, and failures during a task reject that task; without a
  // listener, piscina's 'error' event would be thrown in the process instead.
  pool.on('error', () => {});

  async function run(task: Task, fail: (message: string) => Error): Promise<string> {
    const { port1, port2 } = new MessageChannel();
    const abort = new AbortController();
    let timedOut = false;
    let settled = false;
    let runTimer: NodeJS.Timeout | undefined;
    const queueTimer = setTimeout(() => abort.abort(), queueTimeoutMs);
    port1.once('message', () => {
      clearTimeout(queueTimer);
      if (settled) return;
      runTimer = setTimeout(() => {
        timedOut = true;
        abort.abort();
      }, timeoutMs);
    });
    let result: unknown;
    try {
      result = await pool.run({ ...task, started: port2 }, { signal: abort.signal, transferList: [port2] });
    } catch (err) {
      if (timedOut) throw fail(`took longer than ${timeoutMs} ms`);
      if (abort.signal.aborted) throw new BusyError(`no template thread was free within ${queueTimeoutMs} ms`);
      throw fail(messageOf(err));
    } finally {
      settled = true;
      clearTimeout(queueTimer);
      clearTimeout(runTimer);
      port1.close();
    }
    if (!isOutcome(result)) throw fail('the template thread returned no result');
    if (!result.ok) throw fail(located(result));
    return result.output ?? '';
  }

  return {
    async check(template) {
      await run({ op: 'check', template }, (message) => new InvalidTemplateError(message));
    },
    render(template, context) {
      return run({ op: 'render', template, context, renderLimitMs }, (message) => new TemplateRenderError(message));
    },
    close() {
      return pool.destroy();
    },
  };
}

/** "The rendered text, parsed as JSON when it is JSON." */
export function parseRendered(text: string): unknown {
  const trimmed = text.trim();
  try {
    return JSON.parse(trimmed);
  } catch {
    return text;
  }
}
