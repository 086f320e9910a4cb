import { useEffect, useRef, useState } from 'preact/hooks';
import { useApp } from './context';

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
  /** Something not in `items` is still under way (a delivery between two attempts): keep refreshing. */
  pending?: boolean;
}

/** A list paged by the API's opaque cursors, refreshed every 2 s while anything it shows is still pending. */
export interface Paged<T> {
  /** The page shown (null until the first one arrives). */
  page: Page<T> | null;
  loading: boolean;
  updatedAt: Date | null;
  /** Something shown is pending: the list refreshes itself. */
  polling: boolean;
  canNewer: boolean;
  canOlder: boolean;
  newer: () => void;
  older: () => void;
  refresh: () => void;
  /** Back to the newest page, loaded again. */
  first: () => void;
}

export const POLL_MS = 2000;

interface Position {
  key: string;
  /** The cursor of each page walked through; the last is the page shown (null = the newest). */
  stack: (string | null)[];
  tick: number;
}

interface Loaded<T> {
  key: string;
  cursor: string | null;
  page: Page<T>;
  at: Date;
}

/**
 * `key` names what is listed (project, filter…): when it changes, paging starts over. `load` fetches the page
 * after `cursor`; `isPending` says which items keep the list refreshing; `signal` reloads from outside.
 */
export function usePaged<T>(
  key: string,
  load: (cursor: string | null) => Promise<Page<T>>,
  isPending: (item: T) => boolean,
  /** Changed from outside to load the page shown again. */
  signal = 0,
): Paged<T> {
  const { report } = useApp();
  const loadRef = useRef(load);
  loadRef.current = load;
  const pendingRef = useRef(isPending);
  pendingRef.current = isPending;

  const [stored, setPosition] = useState<Position>({ key, stack: [null], tick: 0 });
  const position: Position = stored.key === key ? stored : { key, stack: [null], tick: stored.tick };
  const cursor = position.stack[position.stack.length - 1] ?? null;
  const [loaded, setLoaded] = useState<Loaded<T> | null>(null);
  const [loading, setLoading] = useState(false);

  useEffect(() => {
    let live = true;
    setLoading(true);
    loadRef
      .current(cursor)
      .then(
        (page) => {
          if (live) setLoaded({ key, cursor, page, at: new Date() });
        },
        (err: unknown) => {
          if (live) report(err);
        },
      )
      .finally(() => {
        if (live) setLoading(false);
      });
    return () => {
      live = false;
    };
  }, [key, cursor, position.tick, signal]);

  const shown = loaded && loaded.key === key ? loaded : null;
  const current = shown !== null && shown.cursor === cursor;
  const polling =
    shown !== null && (shown.page.pending === true || shown.page.items.some((item) => pendingRef.current(item)));

  const move = (stack: (string | null)[]) => setPosition({ key, stack, tick: position.tick + 1 });

  useEffect(() => {
    if (!polling) return;
    const timer = setTimeout(() => setPosition((p) => ({ ...p, tick: p.tick + 1 })), POLL_MS);
    return () => clearTimeout(timer);
  }, [loaded, polling]);

  const nextCursor = current ? shown.page.nextCursor : null;
  return {
    page: shown?.page ?? null,
    loading,
    updatedAt: shown?.at ?? null,
    polling,
    canNewer: position.stack.length > 1,
    canOlder: nextCursor !== null,
    newer: () => {
      if (position.stack.length > 1) move(position.stack.slice(0, -1));
    },
    older: () => {
      if (nextCursor !== null) move([...position.stack, nextCursor]);
    },
    refresh: () => move(position.stack),
    first: () => move([null]),
  };
}
