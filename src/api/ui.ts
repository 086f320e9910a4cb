import { readFile } from 'node:fs/promises';
import type http from 'node:http';
import path from 'node:path';
import { build } from 'esbuild';

/** The activity page's sources (ui/): bundled once per process, in memory, and served under /ui. */
const UI_DIR = path.resolve(__dirname, '../../ui');

interface Asset {
  type: string;
  body: Buffer;
}

// Every asset comes from this server and the page talks to nothing else, so no request leaves the machine.
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-cache',
};

async function buildAssets(config: { temporalUiUrl?: string; namespace: string }): Promise<Map<string, Asset>> {
  const bundle = await build({
    entryPoints: [path.join(UI_DIR, 'src/main.tsx')],
    bundle: true,
    minify: true,
    format: 'esm',
    target: 'es2022',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    write: false,
    outfile: 'app.js',
    legalComments: 'none',
    logLevel: 'silent',
  });
  const js = bundle.outputFiles.find((f) => f.path.endsWith('app.js'));
  if (!js) throw new Error('the activity page did not bundle');
  return new Map<string, Asset>([
    ['/ui', { type: 'text/html; charset=utf-8', body: await readFile(path.join(UI_DIR, 'index.html')) }],
    ['/ui/app.js', { type: 'text/javascript; charset=utf-8', body: Buffer.from(js.contents) }],
    ['/ui/app.css', { type: 'text/css; charset=utf-8', body: await readFile(path.join(UI_DIR, 'app.css')) }],
    ['/ui/config.json', { type: 'application/json', body: Buffer.from(JSON.stringify(config)) }],
  ]);
}

/**
 * `GET /ui` (the activity page) and its assets under `/ui/`. The page signs in with an API token and calls
 * `/trpc` like any client; the bundle is built at the first request (or `warm()`), from ui/ with esbuild.
 */
export function createUi(config: { temporalUiUrl?: string; namespace: string }) {
  let assets: Promise<Map<string, Asset>> | undefined;
  const load = () => (assets ??= buildAssets(config));
  return {
    warm: async () => void (await load()),
    /** Bytes of each asset, for the README's figure and the tests. */
    sizes: async () => new Map([...(await load())].map(([name, a]) => [name, a.body.length])),
    async serve(pathname: string, res: http.ServerResponse): Promise<void> {
      const asset = (await load()).get(pathname === '/ui/' ? '/ui' : pathname);
      if (!asset) {
        res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'not_found' }));
        return;
      }
      res.writeHead(200, { 'content-type': asset.type, ...SECURITY_HEADERS }).end(asset.body);
    },
  };
}

export type Ui = ReturnType<typeof createUi>;
