import { createTRPCClient, httpBatchLink, TRPCClientError } from '@trpc/client';
import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import type { AppRouter } from '../../src/api/router';

/** What the API answers, inferred from its router: the page cannot drift from the API. */
export type Outputs = inferRouterOutputs<AppRouter>;
export type Inputs = inferRouterInputs<AppRouter>;
export type Webhook = Outputs['webhooks']['get'];
export type Delivery = Outputs['deliveries']['get'];
export type LogEntry = Outputs['logs']['list']['items'][number];
export type Run = Outputs['flows']['runs']['items'][number];

export type Api = ReturnType<typeof createApi>;

/** The typed client, signed in with `token` (sent as a header, never in a URL). */
export function createApi(token: string) {
  return createTRPCClient<AppRouter>({
    links: [
      httpBatchLink({
        url: '/trpc',
        headers: () => ({ authorization: `Bearer ${token}` }),
        // A page of webhooks asks two lists per webhook at once: split the batch before its URL outgrows
        // what an HTTP server accepts in a request line (Node: 16 KiB of headers).
        maxURLLength: 6000,
      }),
    ],
  });
}

/** What the API said went wrong, in words a person can act on. */
export function describeError(err: unknown): string {
  if (err instanceof TRPCClientError) {
    const status = err.data?.httpStatus;
    if (status === 401) return 'The API refused the token: sign in again with a token from API_TOKENS.';
    return err.message;
  }
  if (err instanceof TypeError) return `The API could not be reached (${err.message}).`;
  return err instanceof Error ? err.message : String(err);
}

/** Where the page links a workflow: the Temporal Web UI, when the server knows its address. */
export interface UiConfig {
  temporalUiUrl?: string;
  namespace: string;
}

export async function loadConfig(): Promise<UiConfig> {
  const body: unknown = await (await fetch('/ui/config.json')).json();
  const field = (key: string) =>
    typeof body === 'object' && body !== null && key in body ? Reflect.get(body, key) : undefined;
  const namespace = field('namespace');
  const temporalUiUrl = field('temporalUiUrl');
  return {
    namespace: typeof namespace === 'string' ? namespace : 'default',
    ...(typeof temporalUiUrl === 'string' ? { temporalUiUrl } : {}),
  };
}
