import { Writable } from 'node:stream';
import pino from 'pino';
import { redactPaths } from '../../src/shared/redaction';

describe('log redaction', () => {
  it('censors headers, auth, secrets and tokens wherever a logged object holds them', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = pino({ redact: { paths: redactPaths, censor: '[redacted]' } }, sink);
    logger.info({
      webhook: {
        url: 'https://x',
        headers: { 'x-api-key': 'k1' },
        auth: { type: 'basic', password: 'p1' },
        secret: 'whsec_s1',
      },
      request: { headers: { authorization: 'Bearer t1' } },
      token: 't2',
    });
    expect(lines.join('')).not.toMatch(/k1|p1|whsec_s1|t1|t2/);
    expect(lines.join('')).toContain('https://x');
  });
});
