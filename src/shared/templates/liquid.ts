import path from 'node:path';
import { Piscina } from 'piscina';
import { InvalidTemplateError, TemplateRenderError, messageOf } from '../errors';

/**
 * Liquid templates (LiquidJS) that users store and external callers' data fills. The templates are untrusted,
 * and LiquidJS's limits are cooperative: one filter over a large list runs for seconds without checking them.
 * So templates are parsed and rendered in worker threads (liquid-thread.cjs), and a task that outlives its
 * timeout has its thread terminated; piscina starts another in its place.
 */
export interface LiquidSandboxOptions {
  /**
   * Hard limit per check or render, from the call to the result: waiting for a free thread counts, and so
   * does waiting for a new one to start (some 40 ms) after a timeout ended the last.
   */
  timeoutMs?: number;
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
  const threads = opts.threads ?? 1;
  // LiquidJS's own limit, when it notices in time, fails with the position; the hard timeout is the backstop.
  const renderLimitMs = Math.floor(timeoutMs * 0.8);

  // Threads start now rather than on the first task, whose timeout would otherwise pay for the start.
  // Piscina unrefs a thread while it has no task, so an idle pool does not keep the process alive.
  // No `resourceLimits`: a thread reaching its heap limit can abort the whole process (nodejs/node#47224);
  // LiquidJS's memoryLimit and the timeout bound what a template allocates.
  const pool = new Piscina<Task, unknown>({ filename: THREAD_FILE, minThreads: threads, maxThreads: threads });
  // A thread that fails between tasks is replaced, and failures during a task reject that task; without a
  // listener, piscina's 'error' event would be thrown in the process instead.
  pool.on('error', () => {});

  async function run(task: Task, fail: (message: string) => Error): Promise<string> {
    const signal = AbortSignal.timeout(timeoutMs);
    let result: unknown;
    try {
      result = await pool.run(task, { signal });
    } catch (err) {
      throw fail(signal.aborted ? `took longer than ${timeoutMs} ms` : messageOf(err));
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
