import type { ComponentChildren } from 'preact';
import { useApp } from './context';
import type { Route } from './route';

/** A button that looks like a link and goes to `to`, another place of the page. */
export function RouteButton({ to, children }: { to: Route; children: ComponentChildren }) {
  const { navigate } = useApp();
  return (
    <button type="button" class="link" onClick={() => navigate(to)}>
      {children}
    </button>
  );
}
