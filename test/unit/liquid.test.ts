import { BusyError, InvalidTemplateError, TemplateRenderError } from '../../src/shared/errors';
import { createLiquidSandbox, parseRendered, type LiquidSandbox } from '../../src/shared/templates/liquid';
import { SEED_RESPONSE_TEMPLATE } from '../helpers/fixtures';

// Real LiquidJS in real worker threads: what the sandbox promises is only true of the real thing.

const web1 = { company_id: 123456, list: [1, 2] };

const RESPONSE = SEED_RESPONSE_TEMPLATE;

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof Error) return err;
    throw err;
  }
  throw new Error('expected a rejection');
}

/** An error or empty output; never anything else. */
async function harmless(promise: Promise<string>): Promise<string> {
  try {
    return await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(TemplateRenderError);
    return '';
  }
}

let sandbox: LiquidSandbox;

beforeAll(() => {
  sandbox = createLiquidSandbox();
});

afterAll(() => sandbox.close());

describe('Liquid sandbox: templates', () => {
  it('renders a field of the caller’s data', async () => {
    await expect(sandbox.render('{{ web1.company_id }}', { web1 })).resolves.toBe('123456');
  });

  it('renders a missing field empty, as Jinja does', async () => {
    await expect(sandbox.render('[{{ web1.nope }}{{ nothing.at.all }}]', { web1 })).resolves.toBe('[]');
  });

  it('renders the response template as JSON in both branches', async () => {
    const yes = await sandbox.render(RESPONSE, { res1: { value: 'myResult' } });
    const no = await sandbox.render(RESPONSE, { res1: { value: 'other' } });
    expect(JSON.parse(yes)).toEqual({ valid: 'myResult' });
    expect(parseRendered(yes)).toEqual({ valid: 'myResult' });
    expect(parseRendered(no)).toEqual({ valid: false });
  });

  it('refuses at check a template that does not parse, naming line and column', async () => {
    await expect(sandbox.check(RESPONSE)).resolves.toBeUndefined();

    const unclosed = await rejection(sandbox.check('{% if x %}\n{{ y '));
    expect(unclosed).toBeInstanceOf(InvalidTemplateError);
    expect(unclosed.message).toMatch(/^line 2, column 1: output "\{\{ y " not closed$/);

    const filter = await rejection(sandbox.check('ok\n  {{ x | nosuchfilter }}'));
    expect(filter).toBeInstanceOf(InvalidTemplateError);
    expect(filter.message).toBe('line 2, column 3: undefined filter: nosuchfilter');
  });

  it('fails a render of a template that does not parse with a TemplateRenderError', async () => {
    const err = await rejection(sandbox.render('{% bogus %}', {}));
    expect(err).toBeInstanceOf(TemplateRenderError);
    expect(err.message).toBe('line 1, column 1: tag "bogus" not found');
  });

  it('refuses output larger than 1 MiB', async () => {
    const err = await rejection(sandbox.render('{% for i in (1..20000) %}{{ s }}{% endfor %}', { s: 'x'.repeat(100) }));
    expect(err).toBeInstanceOf(TemplateRenderError);
    expect(err.message).toMatch(/larger than 1048576 bytes/);
  });
});

describe('Liquid sandbox: injection attempts fail harmlessly', () => {
  it.each([
    '{{ web1.constructor }}',
    '{{ web1.constructor.constructor }}',
    '{{ web1.__proto__ }}',
    "{{ web1['constructor'] }}",
    '{{ web1.list | map: "constructor" }}',
    '{{ web1.company_id.constructor }}',
    '{{ web1.constructor.constructor("return process")() }}',
  ])('%s reaches nothing that is not data', async (template) => {
    const output = await harmless(sandbox.render(template, { web1 }));
    expect(output).toBe('');
  });

  it('cannot pollute Object.prototype, here or for the next render', async () => {
    const before = Object.getOwnPropertyNames(Object.prototype).sort();
    for (const template of [
      '{% assign __proto__ = web1 %}{{ company_id }}',
      '{% assign constructor = "x" %}{% assign toString = "x" %}',
      '{% capture __proto__ %}polluted{% endcapture %}',
      '{% increment __proto__ %}{% decrement constructor %}',
    ]) {
      await harmless(sandbox.render(template, { web1 }));
    }
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(before);
    expect(Object.prototype).not.toHaveProperty('company_id');
    await expect(sandbox.render('[{{ company_id }}{{ polluted }}]', {})).resolves.toBe('[]');
  });

  it.each([
    "{% include '/etc/passwd' %}",
    "{% include '../../../../etc/passwd' %}",
    "{% render 'secrets' %}",
    "{% layout 'x' %}",
    // An in-memory map with a prototype would "find" Object.prototype.constructor under this name.
    "{% include 'constructor' %}",
    '{% include web1.path %}',
  ])('%s reads no file', async (template) => {
    const output = await harmless(sandbox.render(template, { web1: { ...web1, path: '/etc/passwd' } }));
    expect(output).toBe('');
  });

  it('ends a huge loop with a TemplateRenderError within seconds', async () => {
    const started = Date.now();
    const err = await rejection(sandbox.render('{% for i in (1..100000000) %}x{% endfor %}', {}));
    expect(err).toBeInstanceOf(TemplateRenderError);
    expect(err.message).toMatch(/limit exceeded|took longer than/);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('ends with a hard timeout a template that LiquidJS’s limits do not interrupt, and keeps working', async () => {
    // `where` over a long range is one filter call of seconds: LiquidJS checks its time limit only between tags.
    // 250 ms rather than less: the render after a timeout waits for a new thread to start (some 40 ms).
    const small = createLiquidSandbox({ timeoutMs: 250 });
    try {
      for (let round = 0; round < 2; round++) {
        const started = Date.now();
        const err = await rejection(small.render('{% assign a = (1..3000000) | where: "x" %}done', {}));
        expect(err).toBeInstanceOf(TemplateRenderError);
        expect(err.message).toBe('took longer than 250 ms');
        expect(Date.now() - started).toBeLessThan(1500);
        await expect(small.render('{{ web1.company_id }}', { web1 })).resolves.toBe('123456');
      }
    } finally {
      await small.close();
    }
  });
});

describe('Liquid sandbox: a template is charged for its own time', () => {
  const RUNAWAY = '{% assign a = (1..3000000) | where: "x" %}done';

  it('a render queued behind a runaway one gets its whole timeout once a thread starts on it', async () => {
    const one = createLiquidSandbox({ threads: 1, timeoutMs: 300 });
    try {
      const runaway = rejection(one.render(RUNAWAY, {}));
      // Queued behind the runaway for all of its 300 ms: a timeout counted from the call would end it unrun.
      const queued = one.render('{{ web1.company_id }}', { web1 });
      await expect(queued).resolves.toBe('123456');
      expect((await runaway).message).toBe('took longer than 300 ms');
    } finally {
      await one.close();
    }
  });

  it('a render that finds every thread taken for longer than the queue allows fails with BusyError', async () => {
    const one = createLiquidSandbox({ threads: 1, timeoutMs: 600, queueTimeoutMs: 100 });
    try {
      const runaway = rejection(one.render(RUNAWAY, {}));
      const busy = await rejection(one.render('{{ web1.company_id }}', { web1 }));
      expect(busy).toBeInstanceOf(BusyError);
      expect(busy.message).toBe('no template thread was free within 100 ms');
      expect(busy).not.toBeInstanceOf(TemplateRenderError);
      await runaway;
    } finally {
      await one.close();
    }
  });
});

describe('parseRendered', () => {
  it('parses JSON, around whitespace, and leaves other text as it is', () => {
    expect(parseRendered('\n {"a": [1, true]} \n')).toEqual({ a: [1, true] });
    expect(parseRendered(' 42 ')).toBe(42);
    expect(parseRendered('hello {')).toBe('hello {');
    expect(parseRendered('')).toBe('');
  });
});
