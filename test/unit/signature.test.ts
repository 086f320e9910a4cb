import { Webhook } from 'standardwebhooks';
import { generateSecret, signatureHeaders } from '../../src/shared/signature';

describe('Standard Webhooks signatures', () => {
  const body = JSON.stringify({ hello: 'wörld', quote: '"' });

  it('generates whsec_ secrets of at least 24 random bytes', () => {
    const secret = generateSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(Buffer.from(secret.slice(6), 'base64').length).toBeGreaterThanOrEqual(24);
    expect(generateSecret()).not.toBe(secret);
  });

  it('is verified by the standardwebhooks library', () => {
    const secret = generateSecret();
    const headers = signatureHeaders([secret], 'dlv_1', body);
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
  });

  it('a wrong secret or a changed body does not verify', () => {
    const headers = signatureHeaders([generateSecret()], 'dlv_1', body);
    expect(() => new Webhook(generateSecret()).verify(body, headers)).toThrow();
    const secret = generateSecret();
    const good = signatureHeaders([secret], 'dlv_1', body);
    expect(() => new Webhook(secret).verify(`${body} `, good)).toThrow();
  });

  it('signs with several secrets at once, each verifying', () => {
    const [current, previous] = [generateSecret(), generateSecret()];
    const headers = signatureHeaders([current, previous], 'dlv_2', body);
    expect(headers['webhook-signature']!.split(' ')).toHaveLength(2);
    expect(new Webhook(current).verify(body, headers)).toBeTruthy();
    expect(new Webhook(previous).verify(body, headers)).toBeTruthy();
  });
});
