import { placeIssues } from '../../ui/src/field-issues';
import {
  createInputOf,
  type Draft,
  draftOf,
  emptyDraft,
  previewInputOf,
  REDACTED,
  updateInputOf,
} from '../../ui/src/webhook-draft';
import type { Webhook } from '../../ui/src/api';

/** The editor's pure half: a form's strings to the API's input, and the API's problems to the form's fields. */
const stored: Webhook = {
  id: 'wh_1',
  projectId: 'p',
  name: 'Shop',
  url: 'https://shop.example.com/hook',
  enabled: true,
  triggers: [{ entityType: 'record', actions: ['publish'], contentTypes: ['product'], recordIds: undefined }],
  headers: { 'x-key': REDACTED },
  auth: { type: 'basic', username: 'shop', password: REDACTED },
  contentType: 'application/json',
  payloadTemplate: null,
  retryPolicy: {
    maximumAttempts: 10,
    initialIntervalMs: 1000,
    backoffCoefficient: 2,
    maximumIntervalMs: 3_600_000,
    timeoutMs: 30_000,
  },
  ordering: 'none',
  coalesce: null,
  digest: false,
  traceparent: false,
  createdAt: '2026-12-06T00:00:00.000Z',
  updatedAt: '2026-12-06T00:00:00.000Z',
};

describe('the webhook form', () => {
  it('creates with only what was filled in: the service defaults the rest', () => {
    const d: Draft = { ...emptyDraft(), name: ' Blog ', url: 'https://b.example.com', payloadTemplate: '' };
    d.triggers[0] = {
      entityType: 'record',
      actions: ['publish', 'custom'],
      contentTypes: 'article, page\n',
      recordIds: '',
    };
    d.retry.maximumAttempts = '3';
    expect(createInputOf('p', d)).toEqual({
      input: {
        projectId: 'p',
        name: 'Blog',
        url: 'https://b.example.com',
        enabled: true,
        triggers: [{ entityType: 'record', actions: ['publish', 'custom'], contentTypes: ['article', 'page'] }],
        contentType: 'application/json',
        retryPolicy: { maximumAttempts: 3 },
        ordering: 'none',
        digest: false,
        traceparent: false,
      },
      issues: [],
    });
  });

  it('refuses what is not a number at its own field, before asking the API', () => {
    const d = emptyDraft();
    d.retry.timeoutMs = 'ten seconds';
    d.coalesce = true;
    d.quietMs = '';
    expect(createInputOf('p', d)).toEqual({
      input: null,
      issues: [
        { path: 'retryPolicy.timeoutMs', message: 'must be a number' },
        { path: 'coalesce.quietMs', message: 'is required' },
      ],
    });
  });

  it('updates only what changed; a secret left empty is sent as [redacted] (kept), one typed is sent', () => {
    const loaded = draftOf(stored);
    expect(loaded.headers).toEqual([{ name: 'x-key', value: '', stored: true }]);
    expect(loaded.auth).toEqual({ type: 'basic', username: 'shop', secret: '', stored: 'basic' });
    expect(updateInputOf('p', 'wh_1', loaded, loaded)).toEqual({ input: { projectId: 'p', id: 'wh_1' }, issues: [] });

    const added: Draft = {
      ...loaded,
      name: 'Shop 2',
      headers: [...loaded.headers, { name: 'x-b', value: 'v', stored: false }],
    };
    expect(updateInputOf('p', 'wh_1', loaded, added).input).toEqual({
      projectId: 'p',
      id: 'wh_1',
      name: 'Shop 2',
      headers: { 'x-key': REDACTED, 'x-b': 'v' },
    });
    const newPassword: Draft = { ...loaded, auth: { ...loaded.auth, secret: 'new-pass' } };
    expect(updateInputOf('p', 'wh_1', loaded, newPassword).input).toEqual({
      projectId: 'p',
      id: 'wh_1',
      auth: { type: 'basic', username: 'shop', password: 'new-pass' },
    });
    // Another kind of auth needs its own secret: nothing stored is kept for it.
    const bearer: Draft = { ...loaded, auth: { ...loaded.auth, type: 'bearer' } };
    expect(updateInputOf('p', 'wh_1', loaded, bearer).input).toMatchObject({ auth: { type: 'bearer', token: '' } });
    // Clearing every retry field goes back to the service's default; turning coalescing off clears it.
    const cleared: Draft = {
      ...loaded,
      retry: {
        maximumAttempts: '',
        initialIntervalMs: '',
        backoffCoefficient: '',
        maximumIntervalMs: '',
        timeoutMs: '',
      },
      auth: { ...loaded.auth, type: 'none' },
    };
    expect(updateInputOf('p', 'wh_1', loaded, cleared).input).toEqual({
      projectId: 'p',
      id: 'wh_1',
      auth: null,
      retryPolicy: null,
    });
  });

  it('previews a draft only once each trigger has an action, with secrets not typed yet stood in for', () => {
    const d = emptyDraft();
    d.auth = { type: 'bearer', username: '', secret: '', stored: 'none' };
    d.headers = [{ name: '', value: 'x', stored: false }];
    expect(previewInputOf('p', undefined, d)).toMatchObject({
      auth: { type: 'bearer', token: 'not-set' },
      headers: {},
    });
    d.triggers[0]!.actions = [];
    expect(previewInputOf('p', undefined, d)).toBeNull();
  });

  it("places each API problem at the nearest field the form shows, else at the form's own", () => {
    const shows = (p: string) => ['url', 'headers', 'triggers.0.contentTypes'].includes(p);
    const placed = placeIssues(
      [
        { path: 'url', message: 'must be https' },
        { path: 'headers.bad name', message: 'must be a valid HTTP header name' },
        { path: 'triggers.0.contentTypes.1', message: 'too long' },
        { path: 'quota', message: 'at most 3' },
        { path: '', message: 'busy' },
      ],
      shows,
    );
    expect(Object.fromEntries(placed)).toEqual({
      url: 'must be https',
      headers: 'bad name: must be a valid HTTP header name',
      'triggers.0.contentTypes': '1: too long',
      '': 'quota: at most 3; busy',
    });
  });
});
