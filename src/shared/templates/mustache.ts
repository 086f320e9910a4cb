import Mustache from 'mustache';
import { InvalidTemplateError, messageOf } from '../errors';

/**
 * Mustache payloads (as DatoCMS offers), rendered over the default body.
 *
 * Under a JSON content type a `{{value}}` is escaped as JSON string content (quotes, backslashes and control
 * characters), never as HTML, so `"name": "{{payload.name}}"` stays valid JSON whatever the name holds and `&`
 * stays `&`. Under `application/x-www-form-urlencoded` values are percent-encoded; under any other type
 * Mustache's own HTML escaping applies. `{{{value}}}` is never escaped, and an object or a list in it renders
 * as its JSON: `"payload": {{{payload}}}`.
 *
 * Each render parses with a Writer of its own, so no template cache grows with the templates users send.
 */
export type Escape = (value: unknown) => string;

export function isJsonContentType(contentType: string): boolean {
  return /^application\/([\w.+-]+\+)?json\s*(;|$)/i.test(contentType);
}

function escapeFor(contentType: string): Escape | undefined {
  if (isJsonContentType(contentType)) return (v) => JSON.stringify(String(v)).slice(1, -1);
  if (/^application\/x-www-form-urlencoded\s*(;|$)/i.test(contentType)) return (v) => encodeURIComponent(String(v));
  return undefined;
}

/** Objects and lists in the view print as JSON, while sections still walk into them. */
function jsonAware(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  const copy: Record<string, unknown> | unknown[] = Array.isArray(value)
    ? value.map(jsonAware)
    : Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jsonAware(v)]));
  Object.defineProperty(copy, 'toString', { value: () => JSON.stringify(value), enumerable: false });
  return copy;
}

export function renderPayload(template: string, view: object, contentType: string): string {
  const escape = escapeFor(contentType);
  return new Mustache.Writer().render(template, jsonAware(view), {}, escape ? { escape } : undefined);
}

/**
 * Compiles the template and renders it over a sample event, as create and update do: a template that does
 * not parse, or that renders invalid JSON under a JSON content type, is refused with the reason.
 */
export function checkPayloadTemplate(template: string, contentType: string, sample: object): void {
  let rendered: string;
  try {
    new Mustache.Writer().parse(template);
    rendered = renderPayload(template, sample, contentType);
  } catch (err) {
    throw new InvalidTemplateError(`does not compile: ${withLineAndColumn(messageOf(err), template)}`);
  }
  if (isJsonContentType(contentType)) {
    try {
      JSON.parse(rendered);
    } catch (err) {
      throw new InvalidTemplateError(
        `renders invalid JSON for a sample event (${messageOf(err)}); set contentType for a non-JSON body`,
      );
    }
  }
}

/** Mustache says where a template breaks as an offset ("Unclosed tag at 14"): said as a line and a column. */
export function withLineAndColumn(message: string, template: string): string {
  const at = /\bat (\d+)$/.exec(message);
  if (!at) return message;
  const before = template.slice(0, Number(at[1]));
  const line = before.split('\n').length;
  const column = before.length - before.lastIndexOf('\n');
  return `${message.slice(0, at.index).trimEnd()} at line ${line}, column ${column}`;
}
