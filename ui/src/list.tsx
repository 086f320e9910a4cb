import type { ComponentChildren, Ref } from 'preact';
import type { Paged } from './paged';

interface ListSectionProps {
  /** The heading's id: it labels the section. */
  headingId: string;
  level: 2 | 3;
  title: ComponentChildren;
  /** To give the heading the focus from outside. */
  headingRef?: Ref<HTMLHeadingElement>;
  children: ComponentChildren;
}

/** A list's section, named by its heading, which can take the focus (a new screen focuses its first `h2`). */
export function ListSection({ headingId, level, title, headingRef, children }: ListSectionProps) {
  const Heading = level === 2 ? 'h2' : 'h3';
  return (
    <section aria-labelledby={headingId}>
      <Heading id={headingId} ref={headingRef} tabIndex={-1}>
        {title}
      </Heading>
      {children}
    </section>
  );
}

interface ToolbarProps<T> {
  list: Paged<T>;
  /** What "Refresh" does, when more than this list (by default, this list). */
  onRefresh?: () => void;
  children?: ComponentChildren;
}

/** "Refresh" and when the list was last loaded. */
function ListToolbar<T>({ list, onRefresh, children }: ToolbarProps<T>) {
  return (
    <div class="toolbar">
      {children}
      <button type="button" onClick={onRefresh ?? list.refresh}>
        Refresh
      </button>
      <span class="muted small">
        {list.updatedAt ? `Updated ${list.updatedAt.toLocaleTimeString()}` : 'Loading…'}
        {list.polling ? ' · refreshing every 2 s while pending' : ''}
      </span>
    </div>
  );
}

/** "Newer" and "Older"; aria-disabled rather than disabled, so that focus stays on the button while it loads. */
function Pager<T>({ list, label }: { list: Paged<T>; label: string }) {
  const button = (text: string, enabled: boolean, onClick: () => void) => (
    <button type="button" aria-disabled={enabled ? 'false' : 'true'} onClick={() => enabled && onClick()}>
      {text}
    </button>
  );
  return (
    <nav class="pager" aria-label={`${label} pages`}>
      {button('Newer', list.canNewer, list.newer)}
      {button('Older', list.canOlder, list.older)}
    </nav>
  );
}

/** A list's table, or why there is none yet. */
function ListBody<T>({ list, empty, children }: { list: Paged<T>; empty: string; children: ComponentChildren }) {
  if (!list.page) return <p class="muted">{list.loading ? 'Loading…' : 'Not loaded.'}</p>;
  if (list.page.items.length === 0) return <p class="muted">{empty}</p>;
  return (
    <div class="table-wrap" aria-busy={list.loading ? 'true' : 'false'}>
      {children}
    </div>
  );
}

interface PagedTableProps<T> extends ToolbarProps<T> {
  /** Names the pager ("… pages"). */
  label: string;
  /** What an empty list says. */
  empty: string;
  /** The column headings. */
  columns: string[];
  /** A last column of buttons, its heading for screen readers only. */
  action?: string;
  /** One item's row, with its key. */
  row: (item: T) => ComponentChildren;
}

/** A paged list: its toolbar ("Refresh", and `children` before it), its table with a header row, and its pager. */
export function PagedTable<T>({ list, onRefresh, children, label, empty, columns, action, row }: PagedTableProps<T>) {
  return (
    <>
      <ListToolbar list={list} onRefresh={onRefresh}>
        {children}
      </ListToolbar>
      <ListBody list={list} empty={empty}>
        <table>
          <thead>
            <tr>
              {columns.map((column) => (
                <th key={column} scope="col">
                  {column}
                </th>
              ))}
              {action && (
                <th scope="col">
                  <span class="visually-hidden">{action}</span>
                </th>
              )}
            </tr>
          </thead>
          <tbody>{list.page?.items.map(row)}</tbody>
        </table>
      </ListBody>
      <Pager list={list} label={label} />
    </>
  );
}
