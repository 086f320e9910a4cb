'use strict';

/**
 * The piscina worker behind liquid.ts. Plain CommonJS because worker threads load it without a TypeScript
 * loader (under jest or tsx alike). Templates are untrusted: LiquidJS's limits stop most runaways, and the
 * pool's hard timeout ends this thread for the rest.
 *
 * Errors never cross the thread boundary as thrown objects (they would arrive as bare Errors, without the
 * token that says where); every task returns `{ ok: true, output }` or `{ ok: false, message, line?, column? }`.
 */
const { Buffer } = require('node:buffer');
const { Liquid } = require('liquidjs');

const MAX_OUTPUT_BYTES = 1024 * 1024;
const DEFAULT_RENDER_LIMIT_MS = 800;
const MAX_MESSAGE_CHARS = 500;
// Entries alone do not bound memory when each template may be 200k characters long.
const CACHE_MAX_ENTRIES = 500;
const CACHE_MAX_CHARS = 10_000_000;

const liquid = new Liquid({
  // Templates see the data they are given, never what objects inherit (`constructor`, `__proto__`).
  ownPropertyOnly: true,
  // No file system: include, render and layout look in this empty map and fail. It has no prototype because
  // LiquidJS reads it with `map[path]`, and in `{}` the path 'constructor' would find Object's own function.
  templates: Object.create(null),
  relativeReference: false,
  // Partial names are quoted strings, as in Jinja and Shopify Liquid; with no partials, any name fails.
  dynamicPartials: true,
  // A misspelt filter is a mistake to report when the template is saved, not output silently dropped.
  strictFilters: true,
  // As in Jinja: a field the caller did not send renders empty.
  strictVariables: false,
  parseLimit: 200_000,
  renderLimit: DEFAULT_RENDER_LIMIT_MS,
  memoryLimit: 16e6,
  // This file keeps its own bounded cache of parsed templates; LiquidJS's would be of partials, and there are none.
  cache: false,
});

/** Parsed templates by their text, least recently used first. */
const cache = new Map();
let cachedChars = 0;

function parse(template) {
  const hit = cache.get(template);
  if (hit !== undefined) {
    cache.delete(template);
    cache.set(template, hit);
    return hit;
  }
  const parsed = liquid.parse(template);
  cache.set(template, parsed);
  cachedChars += template.length;
  for (const oldest of cache.keys()) {
    if (cache.size <= CACHE_MAX_ENTRIES && cachedChars <= CACHE_MAX_CHARS) break;
    cache.delete(oldest);
    cachedChars -= oldest.length;
  }
  return parsed;
}

function failure(err) {
  let message = err instanceof Error ? err.message : String(err);
  const result = { ok: false };
  const token = err !== null && typeof err === 'object' ? err.token : undefined;
  if (token && typeof token.getPosition === 'function') {
    const [line, column] = token.getPosition();
    result.line = line;
    result.column = column;
    // LiquidJS appends the position to the message; the caller gets it as fields instead.
    message = message.replace(/(, file:.*)?, line:\d+, col:\d+$/, '');
  }
  // Messages can quote the template, which may be long.
  result.message = message.length > MAX_MESSAGE_CHARS ? `${message.slice(0, MAX_MESSAGE_CHARS)}…` : message;
  return result;
}

/**
 * @param {({ op: 'check', template: string } | { op: 'render', template: string, context: object, renderLimitMs?: number })
 *   & { started?: import('node:worker_threads').MessagePort }} task
 */
module.exports = function liquidTask(task) {
  // The caller's timeout starts now, not while the task waited for this thread.
  if (task.started) {
    task.started.postMessage(0);
    task.started.close();
  }
  try {
    const templates = parse(task.template);
    if (task.op === 'check') return { ok: true };
    const output = liquid.renderSync(templates, task.context, {
      renderLimit: task.renderLimitMs ?? DEFAULT_RENDER_LIMIT_MS,
    });
    if (Buffer.byteLength(output) > MAX_OUTPUT_BYTES) {
      return { ok: false, message: `output is larger than ${MAX_OUTPUT_BYTES} bytes` };
    }
    return { ok: true, output };
  } catch (err) {
    return failure(err);
  }
};
