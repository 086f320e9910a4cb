import { TRPCClientError } from '@trpc/client';

/** A problem of one input field, by its dotted path (`triggers.0.actions`), as the API names it in `data.issues`. */
export interface FieldIssue {
  path: string;
  message: string;
}

const isIssue = (v: unknown): v is FieldIssue =>
  typeof v === 'object' &&
  v !== null &&
  'path' in v &&
  typeof v.path === 'string' &&
  'message' in v &&
  typeof v.message === 'string';

/** The problems an API error names field by field; null for an error that is not about the input. */
export function issuesOf(err: unknown): FieldIssue[] | null {
  if (!(err instanceof TRPCClientError)) return null;
  const data: unknown = err.data;
  if (typeof data !== 'object' || data === null || !('issues' in data) || !Array.isArray(data.issues)) return null;
  const issues = data.issues.filter(isIssue);
  return issues.length ? issues : null;
}

/**
 * Each issue at the field that shows it: the longest path a field of the form `shows` that starts the issue's
 * path (`headers.x-key` → `headers`), else '' (the form as a whole). Several at one field are joined.
 */
export function placeIssues(issues: FieldIssue[], shows: (path: string) => boolean): Map<string, string> {
  const placed = new Map<string, string>();
  for (const issue of issues) {
    const parts = issue.path === '' ? [] : issue.path.split('.');
    while (parts.length && !shows(parts.join('.'))) parts.pop();
    const at = parts.join('.');
    const rest = at === '' ? issue.path : issue.path.slice(at.length + 1);
    const text = at === issue.path ? issue.message : `${rest}: ${issue.message}`;
    placed.set(at, placed.has(at) ? `${placed.get(at)}; ${text}` : text);
  }
  return placed;
}
