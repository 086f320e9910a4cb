import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { testEnv } from '../helpers/env';

const run = promisify(execFile);
const DIR = path.resolve(__dirname, '../../deploy/prometheus');

/**
 * The alert rules kept as code in deploy/ pass Prometheus's own checks and their unit tests (each alert fires on
 * its series and stays quiet on healthy ones), with Debian's promtool. That every metric they and the dashboard
 * name is exported: test/integration/metrics.test.ts, against a real scrape.
 */
describe('deploy/prometheus: alert rules', () => {
  it('promtool check rules: every rule parses', async () => {
    const { stdout } = await run(testEnv('promtool'), ['check', 'rules', 'hookline-rules.yml'], { cwd: DIR });
    expect(stdout).toMatch(/SUCCESS: 12 rules found/);
  });

  it('promtool test rules: each alert fires when it should, and only then', async () => {
    const { stdout } = await run(testEnv('promtool'), ['test', 'rules', 'hookline-rules.test.yml'], { cwd: DIR });
    expect(stdout).toMatch(/SUCCESS/);
  });
});
