import { spawn } from 'node:child_process';
import path from 'node:path';

/** `npm start` reads its configuration once; a bad value stops it before it connects to anything. */
describe('npm start', () => {
  it('refuses a bad configuration with a message naming each variable', async () => {
    const root = path.resolve(__dirname, '../..');
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, API_PORT: 'eighty', ROLE: 'everything' };
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(78);
    expect(stderr).toMatch(/^Invalid configuration:/);
    expect(stderr).toMatch(/^\s+API_PORT: /m);
    expect(stderr).toMatch(/^\s+ROLE: /m);
    expect(stderr).toMatch(/^\s+API_TOKENS: is required/m);
  });
});
