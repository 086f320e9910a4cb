import { isPublicAddress, targetUrlProblem } from '../../src/shared/http/target-policy';

describe('target policy', () => {
  it.each([
    '127.0.0.1',
    '127.255.0.9',
    '10.0.0.1',
    '172.16.5.4',
    '192.168.0.1',
    '100.64.0.1',
    '169.254.169.254',
    '0.0.0.0',
    '255.255.255.255',
    '224.0.0.251',
    '192.0.2.10',
    '::1',
    '::',
    'fe80::1',
    'fd12:3456::1',
    'ff02::1',
    '::ffff:10.0.0.1',
    '::ffff:127.0.0.1',
    '64:ff9b::c0a8:0101',
    '2002:0a00:0001::1',
    '2001:db8::1',
  ])('%s is not public', (address) => {
    expect(isPublicAddress(address)).toBe(false);
  });

  it.each(['93.184.215.14', '8.8.8.8', '2606:4700:4700::1111', '::ffff:8.8.8.8', '64:ff9b::808:808'])(
    '%s is public',
    (address) => {
      expect(isPublicAddress(address)).toBe(true);
    },
  );

  it('allows anything http(s) when private targets are allowed', () => {
    expect(targetUrlProblem('http://127.0.0.1:8080/hook', true)).toBeUndefined();
    expect(targetUrlProblem('http://localhost/hook', true)).toBeUndefined();
    expect(targetUrlProblem('ftp://localhost/hook', true)).toMatch(/http\(s\)/);
  });

  it('otherwise requires https to a name or a public address', () => {
    expect(targetUrlProblem('https://hooks.example.com/x', false)).toBeUndefined();
    expect(targetUrlProblem('http://hooks.example.com/x', false)).toMatch(/https/);
    expect(targetUrlProblem('https://[::1]:8443/x', false)).toMatch(/::1/);
    expect(targetUrlProblem('https://0x7f000001/x', false)).toMatch(/127\.0\.0\.1/);
    expect(targetUrlProblem('https://app.localhost/x', false)).toMatch(/localhost/);
  });
});
