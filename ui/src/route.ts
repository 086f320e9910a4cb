/** Where the page is, kept in the URL hash so that a reload keeps the place. Never holds the token. */
export type WebhookTab = 'log' | 'deliveries';

export type Route = { name: 'home' } | { name: 'webhook'; id: string; tab: WebhookTab } | { name: 'flow'; id: string };

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
  if (section === 'webhooks' && id) return { name: 'webhook', id, tab: rest === 'deliveries' ? 'deliveries' : 'log' };
  if (section === 'flows' && id) return { name: 'flow', id };
  return { name: 'home' };
}

export function formatHash(route: Route): string {
  switch (route.name) {
    case 'home':
      return '#/';
    case 'webhook':
      return `#/webhooks/${encodeURIComponent(route.id)}/${route.tab}`;
    case 'flow':
      return `#/flows/${encodeURIComponent(route.id)}`;
  }
}

/** Which screen a route shows: switching tabs stays on the same screen. */
export const screenOf = (route: Route): string => (route.name === 'home' ? 'home' : `${route.name}:${route.id}`);
