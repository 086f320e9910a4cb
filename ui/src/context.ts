import { TRPCClientError } from '@trpc/client';
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Api, UiConfig } from './api';
import type { Route } from './route';

/** What every view of a signed-in project uses. */
export interface AppContextValue {
  api: Api;
  projectId: string;
  config: UiConfig;
  /** Shows an API error in the alert region; a 401 signs out. */
  report: (err: unknown) => void;
  /** Shows a message in the status region. */
  notify: (message: string) => void;
  /** Goes to `route`; `notice`, when given, is shown there (a new screen otherwise starts with no message). */
  navigate: (route: Route, notice?: string) => void;
}

export const AppContext = createContext<AppContextValue | null>(null);

export function useApp(): AppContextValue {
  const value = useContext(AppContext);
  if (!value) throw new Error('useApp outside a signed-in project');
  return value;
}

/** The API refused the token. */
export function isUnauthorized(err: unknown): boolean {
  if (!(err instanceof TRPCClientError)) return false;
  const data: unknown = err.data;
  return typeof data === 'object' && data !== null && 'httpStatus' in data && data.httpStatus === 401;
}
