import { InvalidTemplateError } from '../../src/shared/errors';
import { checkPayloadTemplate, isJsonContentType, renderPayload } from '../../src/shared/templates/mustache';

const view = { action: 'update', payload: { id: 'p1', name: 'A "quoted" & \\ back\nslash', n: 3, tags: ['x', 'y'] } };

describe('Mustache payloads', () => {
  it('escapes values as JSON string content under a JSON content type, not as HTML', () => {
    const out = renderPayload('{"name":"{{payload.name}}","n":{{payload.n}}}', view, 'application/json');
    expect(JSON.parse(out)).toEqual({ name: view.payload.name, n: 3 });
    expect(out).not.toContain('&amp;');
    expect(out).not.toContain('&quot;');
  });

  it('renders objects and lists as JSON when unescaped, and walks into them in sections', () => {
    const out = renderPayload(
      '{"p":{{{payload}}},"t":[{{#payload.tags}}"{{.}}",{{/payload.tags}}"end"]}',
      view,
      'application/json',
    );
    expect(JSON.parse(out)).toEqual({ p: view.payload, t: ['x', 'y', 'end'] });
  });

  it('percent-encodes form bodies and HTML-escapes other types, as Mustache does', () => {
    expect(renderPayload('name={{payload.name}}', view, 'application/x-www-form-urlencoded')).toBe(
      `name=${encodeURIComponent(view.payload.name)}`,
    );
    expect(renderPayload('<p>{{payload.name}}</p>', view, 'text/html')).toContain('&quot;quoted&quot; &amp;');
  });

  it('knows JSON content types', () => {
    expect(isJsonContentType('application/json')).toBe(true);
    expect(isJsonContentType('application/json; charset=utf-8')).toBe(true);
    expect(isJsonContentType('application/vnd.api+json')).toBe(true);
    expect(isJsonContentType('text/plain')).toBe(false);
    expect(isJsonContentType('application/jsonx')).toBe(false);
  });

  it('refuses templates that do not compile or that render invalid JSON', () => {
    expect(() => checkPayloadTemplate('{{#a}}', 'text/plain', view)).toThrow(InvalidTemplateError);
    expect(() => checkPayloadTemplate('{"a":{{action}}}', 'application/json', view)).toThrow(/invalid JSON/);
    expect(() => checkPayloadTemplate('{"a":"{{action}}"}', 'application/json', view)).not.toThrow();
    expect(() => checkPayloadTemplate('{{action}} happened', 'text/plain', view)).not.toThrow();
  });

  it('keeps no cache of the templates it rendered', () => {
    // Mustache's global cache would grow with every distinct template; ours renders with a fresh Writer.
    const Mustache = jest.requireActual('mustache');
    const before = JSON.stringify(Mustache.templateCache?._cache ?? {});
    renderPayload(`{"k":"{{action}}-${Math.random()}"}`, view, 'application/json');
    expect(JSON.stringify(Mustache.templateCache?._cache ?? {})).toBe(before);
  });
});
