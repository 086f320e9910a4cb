import type { ComponentChildren } from 'preact';
import { useApp } from './context';
import type { Route } from './route';

/** A button that goes to `to`, another place of the page: it looks like a link, or like the screen's main action. */
export function RouteButton({ to, primary, children }: { to: Route; primary?: boolean; children: ComponentChildren }) {
  const { navigate } = useApp();
  return (
    <button type="button" class={primary ? 'primary' : 'link'} onClick={() => navigate(to)}>
      {children}
    </button>
  );
}
