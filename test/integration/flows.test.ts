import { Webhook as StandardWebhook } from 'standardwebhooks';
import { driverCollection } from '../../src/db/driver';
import type { RunRecord } from '../../src/inbound/store/records';
import { createRunLog } from '../../src/inbound/store/runs';
import { createRetentionActivities } from '../../src/retention/activities';
import { SEED_RESPONSE_TEMPLATE } from '../helpers/fixtures';
import { startReceiver, type Receiver } from '../helpers/receiver';
import { startStack, type Stack } from '../helpers/stack';

/**
 * Inbound flows (Locoia's flow webhooks) as a user meets them: flows.* over tRPC, and calls of the flow's
 * webhook URL against the real API, the real worker on its own task queue, real receivers on 127.0.0.1.
 */
describe('inbound flows', () => {
  let stack: Stack;
  const receivers: Receiver[] = [];
  const receiver = async (...args: Parameters<typeof startReceiver>) => {
    const r = await startReceiver(...args);
    receivers.push(r);
    return r;
  };

  beforeAll(async () => {
    stack = await startStack({ RUN_LOG_CAP_PER_FLOW: '4', FLOW_SYNC_TIMEOUT_MS: '3000', MAX_PAYLOAD_BYTES: '65536' });
  });
  afterAll(async () => {
    await Promise.all(receivers.map((r) => r.close()));
    await stack?.stop();
  });

  type CreateInput = Parameters<Stack['api']['flows']['create']['mutate']>[0];
  const create = (input: Partial<CreateInput> & { projectId: string }) =>
    stack.api.flows.create.mutate({ name: 'Flow', steps: [], ...input });

  const key = (flow: { id: string; projectId: string }) => ({ projectId: flow.projectId, id: flow.id });

  /** A call of a flow's webhook URL, as an external system makes it. */
  async function call(
    flow: { id: string; projectId: string },
    body: unknown = {},
    token?: string | null,
    scheme = 'Bearer',
  ) {
    const bearer = token === undefined ? (await stack.api.flows.token.query(key(flow))).token : token;
    const res = await fetch(`${stack.url}/v1/flow-webhook/${flow.id}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-api-key': 'caller-secret',
        ...(bearer !== null ? { authorization: `${scheme} ${bearer}` } : {}),
      },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return {
      status: res.status,
      runId: res.headers.get('x-hookline-run-id'),
      authenticate: res.headers.get('www-authenticate'),
      text,
      json: () => JSON.parse(text),
    };
  }

  const storedRuns = (flow: { id: string }) => stack.db.models.FlowRun.countDocuments({ flowId: flow.id });

  async function runsOf(flow: { id: string; projectId: string }) {
    return (await stack.api.flows.runs.query(key(flow))).items;
  }

  async function finishedRun(flow: { id: string; projectId: string }, runId: string) {
    for (let i = 0; i < 200; i++) {
      const run = (await runsOf(flow)).find((r) => r.id === runId);
      if (run && run.status !== 'running') return run;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`run ${runId} did not finish`);
  }

  const SEED_RESPONSE = SEED_RESPONSE_TEMPLATE;

  describe('flows.*', () => {
    it('creates a flow with the contract defaults, its webhook URL, and no token in sight', async () => {
      const flow = await create({ projectId: 'fl-crud', name: 'Sync users' });
      expect(flow).toMatchObject({
        projectId: 'fl-crud',
        name: 'Sync users',
        status: 'draft',
        mode: 'async',
        refId: 'web1',
        steps: [],
        response: { statusCode: 200, body: '', contentType: 'application/json' },
        webhookUrl: `${stack.config.PUBLIC_URL}/v1/flow-webhook/${flow.id}`,
      });
      expect(JSON.stringify(flow)).not.toMatch(/token/i);
      expect(await stack.api.flows.get.query({ projectId: 'fl-crud', id: flow.id })).toEqual(flow);
      const list = await stack.api.flows.list.query({ projectId: 'fl-crud' });
      expect(list.items.map((f) => f.id)).toEqual([flow.id]);
      expect(JSON.stringify(list)).not.toMatch(/token/i);

      const { token } = await stack.api.flows.token.query({ projectId: 'fl-crud', id: flow.id });
      expect(token.length).toBeGreaterThanOrEqual(50);

      const updated = await stack.api.flows.update.mutate({ projectId: 'fl-crud', id: flow.id, status: 'live' });
      expect(updated).toMatchObject({ status: 'live', mode: 'async', name: 'Sync users' });
      await expect(stack.api.flows.get.query({ projectId: 'other', id: flow.id })).rejects.toMatchObject({
        data: { code: 'NOT_FOUND' },
      });
      expect(await stack.api.flows.delete.mutate({ projectId: 'fl-crud', id: flow.id })).toEqual({
        id: flow.id,
        deleted: true,
      });
      await expect(stack.api.flows.get.query({ projectId: 'fl-crud', id: flow.id })).rejects.toMatchObject({
        data: { code: 'NOT_FOUND' },
      });
    });

    it('refuses a template that does not parse, naming the field, the line and the column; nothing is stored', async () => {
      const bad = create({
        projectId: 'fl-bad',
        steps: [
          { ref: 'res1', kind: 'set', value: 'ok' },
          { ref: 'res2', kind: 'set', value: '{% if web1.x %}\n  {{ web1.y | nosuchfilter }}\n{% endif %}' },
        ],
      });
      await expect(bad).rejects.toMatchObject({ data: { code: 'BAD_REQUEST', httpStatus: 400 } });
      const message = await bad.catch((err: Error) => err.message);
      expect(message).toMatch(/^steps\.1\.value: line 2, column \d+: .*nosuchfilter/);
      await expect(
        create({ projectId: 'fl-bad', response: { statusCode: 200, body: '{{ web1.x ', contentType: 'text/plain' } }),
      ).rejects.toThrow(/response\.body: line 1, column \d+/);
      expect((await stack.api.flows.list.query({ projectId: 'fl-bad' })).items).toEqual([]);
    });

    it('refuses step refs used twice or named like the request', async () => {
      await expect(
        create({
          projectId: 'fl-refs',
          steps: [
            { ref: 'a', kind: 'set', value: '1' },
            { ref: 'a', kind: 'set', value: '2' },
            { ref: 'web1', kind: 'set', value: '3' },
          ],
        }),
      ).rejects.toThrow(/steps\.1\.ref: 'a' names an earlier step too; steps\.2\.ref: 'web1' is the request's refId/);
    });
  });

  describe('POST /v1/flow-webhook/:flowId', () => {
    it('answers 401 without or with a wrong token, 404 for an unknown flow, 400 for a body that is not JSON; stores nothing', async () => {
      const flow = await create({ projectId: 'fl-auth', status: 'live' });
      expect((await call(flow, {}, null)).status).toBe(401);
      expect((await call(flow, {}, 'x'.repeat(64))).status).toBe(401);
      expect((await call({ ...flow, id: 'flow_nosuchflow' }, {}, 'x'.repeat(64))).status).toBe(404);
      const notJson = await call(flow, '{"company_id": 12', undefined);
      expect(notJson.status).toBe(400);
      expect(notJson.json().message).toMatch(/^body: is not JSON/);
      expect(await runsOf(flow)).toEqual([]);
    });

    it('401 for another scheme, any case of "Bearer" is one; 404 for a path that is not an id; 413 past MAX_PAYLOAD_BYTES', async () => {
      const flow = await create({ projectId: 'fl-auth2', status: 'live' });
      const { token } = await stack.api.flows.token.query(key(flow));
      const basic = await call(flow, {}, token, 'Basic');
      expect(basic.status).toBe(401);
      expect(basic.authenticate).toBe('Bearer');
      const lower = await call(flow, {}, token, 'bearer');
      expect(lower.status).toBe(200);
      await finishedRun(flow, lower.runId!);

      const malformed = await fetch(`${stack.url}/v1/flow-webhook/%E0%A4%A`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
        body: '{}',
      });
      expect(malformed.status).toBe(404);

      const big = await call(flow, { blob: 'x'.repeat(70_000) }, token);
      expect(big.status).toBe(413);
      expect(big.json().message).toMatch(/^body: is over MAX_PAYLOAD_BYTES/);
      expect(await storedRuns(flow)).toBe(1);
    });

    it('answers a paused flow with the seed’s biz_logic reply and stores nothing', async () => {
      const flow = await create({ projectId: 'fl-paused', status: 'paused' });
      const answer = await call(flow, { company_id: 1 });
      expect(answer.status).toBe(200);
      expect(answer.runId).toBeNull();
      expect(answer.json()).toEqual({
        status: 200,
        error: 'biz_logic',
        message: 'Flow status is `paused`. Unpause to run this flow using a webhook',
        data: null,
      });
      // Paused says so whatever the body: the status is what the caller has to change.
      expect((await call(flow, 'not json')).json()).toMatchObject({ error: 'biz_logic' });
      expect(await storedRuns(flow)).toBe(0);
    });

    it('draft and live flows run alike, async and sync', async () => {
      for (const status of ['draft', 'live'] as const) {
        for (const mode of ['async', 'sync'] as const) {
          const flow = await create({
            projectId: 'fl-modes',
            status,
            mode,
            steps: [{ ref: 'res1', kind: 'set', value: '{{ web1.n }}' }],
            response: { statusCode: 201, body: '{{ web1.n }}{{ res1.value }}', contentType: 'text/plain' },
          });
          const answer = await call(flow, { n: 7 });
          expect([status, mode, answer.status, answer.text]).toEqual([status, mode, 201, mode === 'sync' ? '77' : '7']);
          expect(await finishedRun(flow, answer.runId!)).toMatchObject({ status: 'done' });
        }
      }
    });

    it('async: answers at once with the response over the request, before the first step finishes', async () => {
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      const slow = await receiver(async () => {
        await held;
        return { status: 200, headers: { 'content-type': 'application/json' }, body: '{"saved":true}' };
      });
      const flow = await create({
        projectId: 'fl-async',
        status: 'draft',
        mode: 'async',
        steps: [
          {
            ref: 'res1',
            kind: 'http',
            url: `${slow.url}/companies/{{ web1.company_id }}`,
            headers: { authorization: 'Bearer downstream-secret' },
            body: '{"user": {{ web1.user_id }}}',
          },
        ],
        response: { statusCode: 202, body: '{"accepted": {{ web1.company_id }}}', contentType: 'application/json' },
      });
      const answer = await call(flow, { company_id: 123456, user_id: 789123 });
      expect(answer.status).toBe(202);
      expect(answer.json()).toEqual({ accepted: 123456 });
      expect(answer.runId).toMatch(/^run_/);
      // The step is under way and held (its receiver has not answered): the caller was answered before it finished.
      while (slow.requests.length === 0) await new Promise((r) => setTimeout(r, 20));
      expect(slow.requests[0]).toMatchObject({ method: 'POST', path: '/companies/123456', body: '{"user": 789123}' });
      expect(slow.requests[0]!.headers.authorization).toBe('Bearer downstream-secret');
      release();

      const run = await finishedRun(flow, answer.runId!);
      expect(run).toMatchObject({
        flowId: flow.id,
        status: 'done',
        request: { body: { company_id: 123456, user_id: 789123 } },
        response: { statusCode: 202, body: '{"accepted": 123456}' },
      });
      expect(run.request.headers).toMatchObject({ 'content-type': 'application/json', authorization: '[redacted]' });
      expect(run.request.headers['x-api-key']).toBe('[redacted]');
      expect(run.steps).toEqual([
        expect.objectContaining({
          ref: 'res1',
          kind: 'http',
          status: 'done',
          input: expect.objectContaining({
            method: 'POST',
            url: `${slow.url}/companies/123456`,
            headers: expect.objectContaining({ authorization: '[redacted]' }),
          }),
          output: expect.objectContaining({ status: 200, body: { saved: true } }),
        }),
      ]);
      // The step's header values are secrets in the flow too.
      const shown = await stack.api.flows.get.query(key(flow));
      expect(shown.steps[0]).toMatchObject({ headers: { authorization: '[redacted]' } });
      // The Web UI finds the run by project, flow and status, and its history holds no header value.
      const handle = stack.temporal.workflow.getHandle(`flow-run-${answer.runId}`);
      const described = await handle.describe();
      expect(described).toMatchObject({ taskQueue: stack.config.FLOW_TASK_QUEUE, type: 'flowRunWorkflow' });
      expect(described.searchAttributes).toMatchObject({
        HooklineProjectId: ['fl-async'],
        HooklineFlowId: [flow.id],
        HooklineFlowStatus: ['draft'],
      });
      expect(await described.staticSummary()).toBe('flow Flow · draft · async · 1 steps');
      // Every payload of the history, decoded: the header's name is there, its value nowhere.
      const payloads = [...JSON.stringify(await handle.fetchHistory()).matchAll(/"data":"([A-Za-z0-9+/=]+)"/g)]
        .map(([, data]) => Buffer.from(data!, 'base64').toString('utf8'))
        .join('\n');
      expect(payloads).toContain('"headerNames":["authorization"]');
      expect(payloads).not.toContain('downstream-secret');
    });

    it('sync: renders the seed’s response template over the steps’ results, both ways', async () => {
      const flow = await create({
        projectId: 'fl-sync',
        status: 'live',
        mode: 'sync',
        steps: [{ ref: 'res1', kind: 'set', value: '{{ web1.answer }}' }],
        response: { statusCode: 200, body: SEED_RESPONSE, contentType: 'application/json' },
      });
      const yes = await call(flow, { answer: 'myResult' });
      expect(yes.status).toBe(200);
      expect(yes.json()).toEqual({ valid: 'myResult' });
      const no = await call(flow, { answer: 'something else' });
      expect(no.json()).toEqual({ valid: false });
      const run = await finishedRun(flow, no.runId!);
      expect(run.steps).toEqual([
        expect.objectContaining({ ref: 'res1', kind: 'set', status: 'done', output: { value: 'something else' } }),
      ]);
    });

    it('sync: an http step retries against a flaky receiver, and the answer holds what it finally said', async () => {
      const flaky = await receiver((n) =>
        n <= 2
          ? { status: 503 }
          : { status: 200, headers: { 'content-type': 'application/json' }, body: '{"plan":"gold"}' },
      );
      const flow = await create({
        projectId: 'fl-flaky',
        status: 'live',
        mode: 'sync',
        steps: [
          {
            ref: 'crm',
            kind: 'http',
            method: 'GET',
            url: `${flaky.url}/plans/{{ web1.company_id }}`,
            retryPolicy: { initialIntervalMs: 1000, backoffCoefficient: 1, maximumAttempts: 5 },
          },
        ],
        response: { statusCode: 200, body: '{"plan": "{{ crm.body.plan }}", "status": {{ crm.status }}}' },
      });
      const answer = await call(flow, { company_id: 42 });
      expect(answer.status).toBe(200);
      expect(answer.json()).toEqual({ plan: 'gold', status: 200 });
      expect(flaky.requests.map((r) => `${r.method} ${r.path}`)).toEqual(Array(3).fill('GET /plans/42'));
    });

    it('sync: a step that fails after its last attempt answers 502 naming the step', async () => {
      const down = await receiver(() => ({ status: 500 }));
      const flow = await create({
        projectId: 'fl-fail',
        status: 'live',
        mode: 'sync',
        steps: [
          { ref: 'first', kind: 'set', value: 'fine' },
          { ref: 'crm', kind: 'http', url: `${down.url}/x`, retryPolicy: { maximumAttempts: 1 } },
        ],
      });
      const answer = await call(flow, {});
      expect(answer.status).toBe(502);
      expect(answer.json()).toEqual({ runId: answer.runId, step: 'crm', error: 'HTTP 500' });
      const run = await finishedRun(flow, answer.runId!);
      expect(run).toMatchObject({ status: 'error', error: 'crm: HTTP 500' });
      expect(run.steps.map((s) => [s.ref, s.status])).toEqual([
        ['first', 'done'],
        ['crm', 'error'],
      ]);
    });

    it('sync: a run still going at FLOW_SYNC_TIMEOUT_MS answers 504 with its id, and goes on', async () => {
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      const slow = await receiver(async () => {
        await held;
        return { status: 204 };
      });
      const flow = await create({
        projectId: 'fl-timeout',
        status: 'live',
        mode: 'sync',
        steps: [{ ref: 'slow', kind: 'http', url: `${slow.url}/wait`, retryPolicy: { timeoutMs: 20_000 } }],
        response: { statusCode: 200, body: 'finished' },
      });
      const answer = await call(flow, {});
      expect(answer.status).toBe(504);
      expect(answer.json()).toMatchObject({ runId: answer.runId });
      release();
      expect(await finishedRun(flow, answer.runId!)).toMatchObject({ status: 'done', response: { body: 'finished' } });
    });

    it('a publish step reaches the project’s outbound webhook, signed', async () => {
      const shop = await receiver();
      const webhook = await stack.api.webhooks.create.mutate({
        projectId: 'fl-fanout',
        name: 'Shop',
        url: `${shop.url}/hook`,
        triggers: [{ entityType: 'record', actions: ['create'], contentTypes: ['company'] }],
      });
      const flow = await create({
        projectId: 'fl-fanout',
        status: 'live',
        mode: 'sync',
        steps: [
          {
            ref: 'evt',
            kind: 'publish',
            entityType: 'record',
            action: 'create',
            contentType: 'company',
            entity: '{"id": "{{ web1.company_id }}", "name": {{ web1.name | json }}}',
          },
        ],
        response: { statusCode: 200, body: '{"delivered": {{ evt.deliveries | size }}}' },
      });
      const answer = await call(flow, { company_id: 7, name: 'Acme "Quoted" Ltd' });
      expect(answer.json()).toEqual({ delivered: 1 });
      await shop.waitFor(1);
      const got = shop.requests[0]!;
      const { secret } = await stack.api.webhooks.secret.query({ projectId: 'fl-fanout', id: webhook.id });
      const verified = new StandardWebhook(secret).verify(got.body, {
        'webhook-id': String(got.headers['webhook-id']),
        'webhook-timestamp': String(got.headers['webhook-timestamp']),
        'webhook-signature': String(got.headers['webhook-signature']),
      });
      expect(verified).toMatchObject({
        action: 'create',
        contentTypeName: 'company',
        payload: { id: '7', name: 'Acme "Quoted" Ltd' },
      });
    });

    it('template-injection attempts fail harmlessly', async () => {
      const flow = await create({
        projectId: 'fl-inject',
        status: 'live',
        mode: 'sync',
        steps: [
          {
            ref: 'a',
            kind: 'set',
            value: '["{{ web1.constructor }}", "{{ web1.__proto__ }}", "{{ web1.x.constructor.name }}"]',
          },
          {
            ref: 'b',
            kind: 'set',
            value: '{% assign p = web1.__proto__ %}{{ p.polluted }}{{ "x" | append: web1.evil }}',
          },
        ],
        response: { statusCode: 200, body: '{"a": {{ a.value | json }}, "b": {{ b.value | json }}}' },
      });
      const answer = await call(flow, { x: {}, evil: '{{ web1 }}', __proto__: { polluted: 'yes' } });
      expect(answer.status).toBe(200);
      expect(answer.json()).toEqual({ a: ['', '', ''], b: 'x{{ web1 }}' });
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();

      const reader = await create({
        projectId: 'fl-inject',
        status: 'live',
        mode: 'sync',
        steps: [{ ref: 'f', kind: 'set', value: "{% include '/etc/passwd' %}" }],
      });
      const read = await call(reader, {});
      expect(read.status).toBe(502);
      expect(read.json()).toMatchObject({ step: 'f', error: expect.stringMatching(/lookup/i) });
      expect(read.text).not.toMatch(/root:/);
    });

    it('a rotated token stops working at once', async () => {
      const flow = await create({ projectId: 'fl-rotate', status: 'live' });
      const { token: old } = await stack.api.flows.token.query(key(flow));
      const { token } = await stack.api.flows.rotateToken.mutate(key(flow));
      expect(token).not.toBe(old);
      expect((await call(flow, {}, old)).status).toBe(401);
      expect((await call(flow, {}, token)).status).toBe(200);
    });

    it('keeps a flow’s newest RUN_LOG_CAP_PER_FLOW runs, newest first, paged', async () => {
      const flow = await create({
        projectId: 'fl-cap',
        status: 'live',
        mode: 'sync',
        steps: [{ ref: 'n', kind: 'set', value: '{{ web1.n }}' }],
      });
      const runIds: string[] = [];
      for (let n = 1; n <= 6; n++) runIds.push((await call(flow, { n })).runId!);
      const runs = await runsOf(flow);
      expect(runs.map((r) => r.id)).toEqual(runIds.slice(-4).reverse());
      const first = await stack.api.flows.runs.query({ ...key(flow), limit: 3 });
      const rest = await stack.api.flows.runs.query({ ...key(flow), limit: 3, cursor: first.nextCursor });
      expect([...first.items, ...rest.items].map((r) => r.id)).toEqual(runIds.slice(-4).reverse());
      expect(rest.nextCursor).toBeNull();
    });

    it('an update that sends header values back as [redacted] keeps them', async () => {
      const echo = await receiver();
      const flow = await create({
        projectId: 'fl-keep',
        status: 'live',
        mode: 'sync',
        steps: [{ ref: 'h', kind: 'http', url: `${echo.url}/h`, headers: { 'x-key': 'kept-secret' } }],
      });
      const shown = await stack.api.flows.get.query(key(flow));
      await stack.api.flows.update.mutate({ ...key(flow), steps: shown.steps, name: 'Renamed' });
      await call(flow, {});
      expect(echo.requests[0]!.headers['x-key']).toBe('kept-secret');

      // `[redacted]` for a header that has no stored value keeps nothing: refused, naming it.
      const added = { ...shown.steps[0]!, headers: { 'x-key': '[redacted]', 'x-new': '[redacted]' } };
      await expect(stack.api.flows.update.mutate({ ...key(flow), steps: [added] })).rejects.toThrow(
        /^steps\.0\.headers\.x-new: '\[redacted\]' keeps a stored value, and none is stored here$/,
      );
    });

    it('an update with a template that does not parse is refused, and the flow stays as it was', async () => {
      const flow = await create({ projectId: 'fl-upd', steps: [{ ref: 'a', kind: 'set', value: 'ok' }] });
      const bad = stack.api.flows.update.mutate({
        ...key(flow),
        name: 'Renamed',
        steps: [{ ref: 'a', kind: 'set', value: '{{ oops ' }],
      });
      await expect(bad).rejects.toThrow(/^steps\.0\.value: line 1, column \d+/);
      expect(await stack.api.flows.get.query(key(flow))).toEqual(flow);
    });

    it('an http step whose header is removed while its run retries stops, saying why, rather than send without it', async () => {
      const flaky = await receiver((n) => (n === 1 ? { status: 503 } : { status: 200 }));
      const flow = await create({
        projectId: 'fl-gone',
        status: 'live',
        steps: [
          {
            ref: 'h',
            kind: 'http',
            url: `${flaky.url}/h`,
            headers: { authorization: 'Bearer step-secret' },
            retryPolicy: { initialIntervalMs: 1000, backoffCoefficient: 1, maximumAttempts: 3 },
          },
        ],
      });
      const answer = await call(flow, {});
      await flaky.waitFor(1);
      await stack.api.flows.update.mutate({
        ...key(flow),
        steps: [{ ref: 'h', kind: 'http', url: `${flaky.url}/h`, headers: {} }],
      });
      const run = await finishedRun(flow, answer.runId!);
      expect(run).toMatchObject({
        status: 'error',
        error: 'h: the flow changed while this run was under way: header authorization is gone',
      });
      expect(flaky.requests).toHaveLength(1);
    });

    it('a step whose result would take the run past MAX_RUN_DATA_BYTES fails, saying so', async () => {
      const big = '{% for i in (1..9000) %}{{ web1.s }}{% endfor %}';
      const flow = await create({
        projectId: 'fl-big',
        status: 'live',
        mode: 'sync',
        steps: [
          { ref: 'a', kind: 'set', value: big },
          { ref: 'b', kind: 'set', value: big },
        ],
      });
      const answer = await call(flow, { s: 'x'.repeat(100) });
      expect(answer.status).toBe(502);
      expect(answer.json()).toMatchObject({
        step: 'b',
        error: expect.stringMatching(/over 1500000 \(MAX_RUN_DATA_BYTES\)$/),
      });
      const run = await finishedRun(flow, answer.runId!);
      expect(run.steps.map((step) => [step.ref, step.status])).toEqual([
        ['a', 'done'],
        ['b', 'error'],
      ]);
      // The debugger keeps the start of a large output, still as JSON.
      expect(run.steps[0]!.output).toEqual(expect.stringMatching(/^\{"value":"x{100}.*… \(truncated\)$/));
    });

    it('runaway templates use up their own time only: other flows’ calls are answered meanwhile', async () => {
      // Async on both sides: the runaways render in the worker's template threads, and the neighbour's answers
      // in the same threads (one sandbox per process), queued behind them, with no sync deadline in the way.
      const runaway = await create({
        projectId: 'fl-runaway',
        status: 'live',
        steps: [{ ref: 'r', kind: 'set', value: '{% assign a = (1..3000000) | where: "x" %}done' }],
      });
      const normal = await create({
        projectId: 'fl-runaway-neighbour',
        status: 'live',
        response: { statusCode: 200, body: '{{ web1.n }}', contentType: 'text/plain' },
      });
      const { token: runawayToken } = await stack.api.flows.token.query(key(runaway));
      const { token: normalToken } = await stack.api.flows.token.query(key(normal));
      const runaways = await Promise.all(Array.from({ length: 4 }, () => call(runaway, {}, runawayToken)));
      const normals = await Promise.all([1, 2, 3].map((n) => call(normal, { n }, normalToken)));
      expect(normals.map((a) => [a.status, a.text])).toEqual([
        [200, '1'],
        [200, '2'],
        [200, '3'],
      ]);
      for (const answer of runaways) {
        expect(await finishedRun(runaway, answer.runId!)).toMatchObject({
          status: 'error',
          error: expect.stringMatching(/^r: (.*took longer than 1000 ms|.*limit)/),
        });
      }
    });

    it('the debugger shows a run terminated from outside as ended, and drops an entry a cut-off attempt left behind', async () => {
      // The first request hangs (its run is terminated meanwhile); the next are answered.
      const slow = await receiver((n) => (n === 1 ? 'hang' : { status: 200 }));
      const flow = await create({
        projectId: 'fl-reconcile',
        status: 'live',
        steps: [{ ref: 'slow', kind: 'http', url: `${slow.url}/wait`, retryPolicy: { timeoutMs: 20_000 } }],
      });
      const stuck = await call(flow, {});
      await slow.waitFor(1);
      await stack.temporal.workflow.getHandle(`flow-run-${stuck.runId}`).terminate('by hand');
      const runs = driverCollection<RunRecord>(stack.db.models.FlowRun);
      const statusOf = async (runId: string) => (await runsOf(flow)).filter((r) => r.id === runId).map((r) => r.status);
      // Fresh, it is shown as recorded; once quiet for 30 s, as its workflow ended.
      expect(await statusOf(stuck.runId!)).toEqual(['running']);
      await runs.updateOne({ runId: stuck.runId! }, { $set: { startedAt: new Date(Date.now() - 60_000) } });
      expect((await runsOf(flow)).find((r) => r.id === stuck.runId)).toMatchObject({
        status: 'error',
        error: "the run's workflow was terminated",
      });

      // A run that completed, beside the entry an attempt cut off by a worker's stop would have left.
      const done = await call(flow, {});
      await finishedRun(flow, done.runId!);
      const leftover = await createRunLog(stack.db, 4).start({
        projectId: flow.projectId,
        flowId: flow.id,
        runId: done.runId!,
        status: 'running',
        request: { body: '{}', headers: {} },
        steps: [],
        startedAt: new Date(Date.now() - 60_000),
      });
      expect(await statusOf(done.runId!)).toEqual(['done']);
      // Shown as they stand, written by nobody but the retention sweep: it records the end and drops the leftover.
      expect(await runs.findOne({ _id: leftover.id })).not.toBeNull();
      await createRetentionActivities({
        db: stack.db,
        temporal: stack.temporal,
        logCapPerWebhook: 300,
        runLogCapPerFlow: stack.config.RUN_LOG_CAP_PER_FLOW,
      }).recordEndsSeenFromOutside('runs', null, 500, Date.now() - 30_000);
      expect(await runs.findOne({ _id: leftover.id })).toBeNull();
      expect(await runs.findOne({ runId: stuck.runId! })).toMatchObject({
        status: 'error',
        error: "the run's workflow was terminated",
      });
    });

    it('a deleted flow takes its runs with it', async () => {
      const flow = await create({ projectId: 'fl-del', status: 'live', mode: 'sync', steps: [] });
      await call(flow, {});
      await call(flow, {});
      expect(await storedRuns(flow)).toBe(2);
      await stack.api.flows.delete.mutate(key(flow));
      expect(await storedRuns(flow)).toBe(0);
      expect((await call(flow, {}, 'x'.repeat(64))).status).toBe(404);
    });
  });
});

describe('inbound flows where private targets are not allowed', () => {
  let stack: Stack;
  let inside: Receiver;
  beforeAll(async () => {
    stack = await startStack({ ALLOW_PRIVATE_TARGETS: 'false' });
    inside = await startReceiver();
  });
  afterAll(async () => {
    await inside?.close();
    await stack?.stop();
  });

  it('refuses a fixed private URL at create time, and a rendered one at run time without connecting', async () => {
    await expect(
      stack.api.flows.create.mutate({
        projectId: 'fl-policy',
        name: 'x',
        steps: [{ ref: 'h', kind: 'http', url: `${inside.url}/x` }],
      }),
    ).rejects.toThrow(/steps\.0\.url: must use https/);

    const flow = await stack.api.flows.create.mutate({
      projectId: 'fl-policy',
      name: 'x',
      status: 'live',
      mode: 'sync',
      steps: [{ ref: 'h', kind: 'http', url: 'https://{{ web1.host }}/x' }],
    });
    const { token } = await stack.api.flows.token.query({ projectId: flow.projectId, id: flow.id });
    const res = await fetch(`${stack.url}/v1/flow-webhook/${flow.id}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ host: '127.0.0.1' }),
    });
    expect(res.status).toBe(502);
    expect(await res.json()).toMatchObject({ step: 'h', error: expect.stringMatching(/private or reserved/) });
    expect(inside.requests).toHaveLength(0);
  });
});
