/** A time in the browser's locale: the time alone for today, with the date otherwise. */
export function formatTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toDateString() === new Date().toDateString() ? date.toLocaleTimeString() : date.toLocaleString();
}

/** A time shown in the browser's locale, its ISO form in a tooltip. */
export function Time({ iso }: { iso: string | null }) {
  if (!iso) return <span class="muted">—</span>;
  return (
    <time dateTime={iso} title={iso}>
      {formatTime(iso)}
    </time>
  );
}

export function formatDuration(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}

export function durationBetween(start: string, end: string | null): number | null {
  if (!end) return null;
  const ms = Date.parse(end) - Date.parse(start);
  return Number.isFinite(ms) ? Math.max(0, ms) : null;
}

const TONES: Record<string, string> = { pending: 'pending', running: 'pending', done: 'done', error: 'error' };

/** A status as a word, coloured as well: never by colour alone. */
export function StatusBadge({ status }: { status: string }) {
  return <span class={`badge badge-${TONES[status] ?? 'neutral'}`}>{status}</span>;
}

/** When something ran, as rows of a `<dl class="facts">`. */
export function TimingFacts(props: { startedAt: string; finishedAt: string | null; durationMs: number | null }) {
  return (
    <>
      <dt>Started</dt>
      <dd>
        <Time iso={props.startedAt} />
      </dd>
      <dt>Finished</dt>
      <dd>
        <Time iso={props.finishedAt} />
      </dd>
      <dt>Duration</dt>
      <dd>{formatDuration(props.durationMs)}</dd>
    </>
  );
}

/** JSON text pretty-printed; anything else as it is. */
export function prettyText(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

/** A value the API already parsed (run bodies, step inputs and outputs), pretty-printed. */
export function prettyValue(value: unknown): string {
  if (typeof value === 'string') return prettyText(value);
  if (value === undefined || value === null) return '';
  return JSON.stringify(value, null, 2) ?? String(value);
}

/** What went wrong, marked as an error in words as well. */
export function ErrorText({ error }: { error: string }) {
  return (
    <p class="error-text">
      <strong>Error:</strong> {error}
    </p>
  );
}

export function Code({ text }: { text: string }) {
  return text === '' ? <p class="muted">(empty)</p> : <pre>{text}</pre>;
}

export function HeadersTable({ headers, caption }: { headers: Record<string, string>; caption: string }) {
  const entries = Object.entries(headers);
  if (entries.length === 0) return <p class="muted">No headers.</p>;
  return (
    <div class="table-wrap">
      <table class="kv">
        <caption class="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Header</th>
            <th scope="col">Value</th>
          </tr>
        </thead>
        <tbody>
          {entries.map(([name, value]) => (
            <tr key={name}>
              <td>
                <code>{name}</code>
              </td>
              <td class="wrap">
                <code>{value}</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
