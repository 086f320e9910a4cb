import { ConfigError, loadConfig } from '../../src/config';

const base = { API_TOKENS: 'token-one,token-two' };

describe('config', () => {
  it('applies the contract defaults', () => {
    const c = loadConfig(base);
    expect(c).toMatchObject({
      API_HOST: '127.0.0.1',
      API_PORT: 3000,
      API_TOKENS: ['token-one', 'token-two'],
      TASK_QUEUE: 'hookline-deliveries',
      TEMPORAL_NAMESPACE: 'default',
      ROLE: 'all',
      ALLOW_PRIVATE_TARGETS: false,
      MAX_PAYLOAD_BYTES: 1_048_576,
      MAX_BATCH_BYTES: 67_108_864,
      MAX_WEBHOOKS_PER_PROJECT: 100,
      LOG_CAP_PER_WEBHOOK: 300,
      RUN_LOG_CAP_PER_FLOW: 300,
      FLOW_SYNC_TIMEOUT_MS: 30_000,
      PUBLIC_URL: 'http://127.0.0.1:3000',
    });
  });

  it.each([
    ['API_PORT', 'http'],
    ['API_PORT', '70000'],
    ['ROLE', 'both'],
    ['ALLOW_PRIVATE_TARGETS', 'maybe'],
    ['MAX_PAYLOAD_BYTES', '-1'],
    ['MONGODB_URI', 'postgres://x'],
    ['PUBLIC_URL', 'not a url'],
  ])('a bad %s stops start-up naming it', (name, value) => {
    expect(() => loadConfig({ ...base, [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, [name]: value })).toThrow(new RegExp(`^\\s+${name}:`, 'm'));
  });

  it('requires API_TOKENS', () => {
    expect(() => loadConfig({})).toThrow(/API_TOKENS: is required/);
  });

  it('names every bad variable at once', () => {
    const err = (() => {
      try {
        loadConfig({ API_PORT: 'x', ROLE: 'y' });
      } catch (e) {
        return e as Error;
      }
    })();
    expect(err?.message).toMatch(/API_PORT/);
    expect(err?.message).toMatch(/ROLE/);
    expect(err?.message).toMatch(/API_TOKENS/);
  });

  it('TLS certificate and key go together', () => {
    expect(() => loadConfig({ ...base, TEMPORAL_TLS_CERT: '/c.pem' })).toThrow(/TEMPORAL_TLS_KEY/);
  });
});
