/**
 * The token lives in sessionStorage only: gone when the tab closes, never in the URL or localStorage. The last
 * project id (not a secret) is remembered in localStorage to prefill the form.
 */
export interface Session {
  token: string;
  projectId: string;
}

const SESSION_KEY = 'hookline.session';
const PROJECT_KEY = 'hookline.project';

/** The project id the API accepts. */
export const PROJECT_PATTERN = '[A-Za-z0-9_\\-]{1,64}';
const PROJECT_RE = /^[A-Za-z0-9_-]{1,64}$/;
export const isProjectId = (text: string): boolean => PROJECT_RE.test(text);

function read(storage: () => Storage, key: string): string | null {
  try {
    return storage().getItem(key);
  } catch {
    return null;
  }
}

function write(storage: () => Storage, key: string, value: string | null): void {
  try {
    if (value === null) storage().removeItem(key);
    else storage().setItem(key, value);
  } catch {
    // Storage refused (private mode, quota): the session lasts as long as the page.
  }
}

export function loadSession(): Session | null {
  const text = read(() => sessionStorage, SESSION_KEY);
  if (!text) return null;
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null) return null;
    const token = 'token' in value ? value.token : undefined;
    const projectId = 'projectId' in value ? value.projectId : undefined;
    return typeof token === 'string' && typeof projectId === 'string' && token !== '' && isProjectId(projectId)
      ? { token, projectId }
      : null;
  } catch {
    return null;
  }
}

export function saveSession(session: Session | null): void {
  write(() => sessionStorage, SESSION_KEY, session && JSON.stringify(session));
  if (session) write(() => localStorage, PROJECT_KEY, session.projectId);
}

export const lastProject = (): string => read(() => localStorage, PROJECT_KEY) ?? '';
