import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { testEnv } from './env';
import { TEST_TOKEN } from './stack';

/** Where `shot` saves: docs/ under `npm run screenshots`, else a temporary folder. */
const SHOTS =
  process.env.HOOKLINE_SCREENSHOTS === '1'
    ? path.resolve(__dirname, '../../docs')
    : mkdtempSync(path.join(os.tmpdir(), 'ui-shots-'));

/**
 * A real headless Chromium (Debian's, provisioned by temporal/provision.sh) on the activity page of a stack at
 * `baseUrl`. Every request the page makes is seen: one for anywhere but Hookline is refused and kept in
 * `offMachine`; a script error, or anything the Content-Security-Policy refused, is kept in `pageProblems`.
 */
export async function openBrowser(baseUrl: string) {
  const browser: Browser = await chromium.launch({ executablePath: testEnv('chromium'), args: ['--no-sandbox'] });
  const page: Page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  const offMachine: string[] = [];
  const pageProblems: string[] = [];
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(`${baseUrl}/`)) return route.continue();
    offMachine.push(url);
    return route.abort('blockedbyclient');
  });
  page.on('pageerror', (err) => pageProblems.push(`page error: ${err.message}`));
  page.on('console', (msg) => {
    if (/Content.Security.Policy/i.test(msg.text())) pageProblems.push(`CSP: ${msg.text()}`);
  });
  return {
    browser,
    page,
    offMachine,
    pageProblems,
    shot: (name: string) => page.screenshot({ path: path.join(SHOTS, `ui-${name}.png`), fullPage: true }),
    /** The page's text, white space folded. */
    text: async () => (await page.locator('body').innerText()).replace(/\s+/g, ' '),
    /** Signs in to `project` with the stack's token, as a person would, and waits for its webhooks. */
    async signIn(project: string) {
      await page.goto(`${baseUrl}/ui`);
      // Signed out first: the tab's session (sessionStorage) would otherwise skip the sign-in screen.
      await page.evaluate('sessionStorage.clear()');
      await page.reload();
      await page.getByLabel('API token').fill(TEST_TOKEN);
      await page.getByLabel('Project').fill(project);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Webhooks' }).waitFor();
    },
  };
}
export type OpenBrowser = Awaited<ReturnType<typeof openBrowser>>;
