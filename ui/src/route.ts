/** Where the page is, kept in the URL hash so that a reload keeps the place. Never holds the token. */
export type WebhookTab = 'log' | 'deliveries' | 'recoveries';

export type Route =
  | { name: 'home' }
  | { name: 'new-webhook' }
  | { name: 'webhook'; id: string; tab: WebhookTab }
  | { name: 'edit-webhook'; id: string }
  | { name: 'flow'; id: string };

const TABS: readonly WebhookTab[] = ['log', 'deliveries', 'recoveries'];

function decode(part: string): string | null {
  try {
    const text = decodeURIComponent(part);
    return text === '' ? null : text;
  } catch {
    return null;
  }
}

export function parseHash(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/');
  const [section, rawId, rest] = parts;
  const id = rawId === undefined ? null : decode(rawId);
  if (section === 'new-webhook') return { name: 'new-webhook' };
  if (section === 'webhooks' && id && rest === 'edit') return { name: 'edit-webhook', id };
  if (section === 'webhooks' && id) return { name: 'webhook', id, tab: TABS.find((t) => t === rest) ?? 'log' };
  if (section === 'flows' && id) return { name: 'flow', id };
  return { name: 'home' };
}

export function formatHash(route: Route): string {
  switch (route.name) {
    case 'home':
      return '#/';
    case 'new-webhook':
      return '#/new-webhook';
    case 'webhook':
      return `#/webhooks/${encodeURIComponent(route.id)}/${route.tab}`;
    case 'edit-webhook':
      return `#/webhooks/${encodeURIComponent(route.id)}/edit`;
    case 'flow':
      return `#/flows/${encodeURIComponent(route.id)}`;
  }
}

/** Which screen a route shows: switching tabs stays on the same screen. */
export const screenOf = (route: Route): string => ('id' in route ? `${route.name}:${route.id}` : route.name);
