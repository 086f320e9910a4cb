import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/**
 * The shape of `src/`, checked from its imports (type-only ones included: they couple folders too).
 * In every folder, its sub-folders and files form a graph by who imports whom; it must have no cycle, so no
 * folder imports a folder that imports it back. And at the top, dependencies point one way:
 * api → capabilities → shared and db, where of the two capabilities inbound may use outbound (a flow's publish
 * step publishes an outbound event) and never the reverse; the files that put the process together (main.ts,
 * worker.ts, database.ts, all-*.ts) are imported by no folder but api (which takes database.ts's types), and
 * config.ts imports nothing of src.
 */
const SRC = path.join(__dirname, '../../src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return sourceFiles(full);
    return name.endsWith('.ts') ? [full] : [];
  });
}

function resolveImport(from: string, spec: string): string | undefined {
  if (!spec.startsWith('.')) return undefined;
  const base = path.resolve(path.dirname(from), spec);
  return [`${base}.ts`, path.join(base, 'index.ts')].find((f) => {
    try {
      return statSync(f).isFile();
    } catch {
      return false;
    }
  });
}

/** Every import inside src: [importer, imported], as paths relative to src. */
const edges: [string, string][] = sourceFiles(SRC).flatMap((file) =>
  ts
    .preProcessFile(readFileSync(file, 'utf8'), true, true)
    .importedFiles.map((i) => resolveImport(file, i.fileName))
    .filter((target): target is string => target !== undefined && target.startsWith(SRC))
    .map((target): [string, string] => [path.relative(SRC, file), path.relative(SRC, target)]),
);

/** Where a file sits among the children of `dir`: the child folder it is in, or the file itself. */
function childOf(dir: string, file: string): string | undefined {
  const rel = dir === '' ? file : path.relative(dir, file);
  if (rel.startsWith('..')) return undefined;
  return rel.split(path.sep)[0];
}

/** The graph of `dir`'s children, and one cycle in it if there is one. */
function cycleAmongChildren(dir: string): string[] | undefined {
  const graph = new Map<string, Set<string>>();
  for (const [from, to] of edges) {
    const a = childOf(dir, from);
    const b = childOf(dir, to);
    if (a === undefined || b === undefined || a === b) continue;
    if (!graph.has(a)) graph.set(a, new Set());
    graph.get(a)!.add(b);
  }
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): string[] | undefined => {
    if (state.get(node) === 'done') return undefined;
    if (state.get(node) === 'open') return [...stack.slice(stack.indexOf(node)), node];
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(node, 'done');
    return undefined;
  };
  for (const node of graph.keys()) {
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return undefined;
}

const folders = (dir: string): string[] =>
  readdirSync(path.join(SRC, dir))
    .filter((name) => statSync(path.join(SRC, dir, name)).isDirectory())
    .flatMap((name) => {
      const sub = path.join(dir, name);
      return [sub, ...folders(sub)];
    });

describe('the layout of src/', () => {
  it('finds the imports it checks', () => {
    expect(edges.length).toBeGreaterThan(100);
    expect(edges).toContainEqual(['api/routers/events.ts', 'outbound/events/publish.ts']);
  });

  it.each(['', ...folders('')])('has no cycle among the folders and files of src/%s', (dir) => {
    expect(cycleAmongChildren(dir)).toBeUndefined();
  });

  const top = (file: string) => file.split(path.sep)[0]!;
  const ROOTS = ['main.ts', 'worker.ts', 'database.ts', 'all-workflows.ts', 'all-activities.ts'];
  const everything = ['api', 'outbound', 'inbound', 'shared', 'db', ...ROOTS, 'temporal.ts'];
  const FORBIDDEN: Record<string, string[]> = {
    api: ROOTS.filter((root) => root !== 'database.ts'),
    inbound: ['api', ...ROOTS],
    outbound: ['api', 'inbound', ...ROOTS],
    shared: ['api', 'outbound', 'inbound', 'db', ...ROOTS],
    db: ['api', 'outbound', 'inbound', ...ROOTS],
    'config.ts': everything,
  };
  const againstTheGrain = () => edges.filter(([from, to]) => FORBIDDEN[top(from)]?.includes(top(to)));

  it('points one way: api → inbound → outbound → shared and db; nothing but api imports what puts the process together', () => {
    expect(againstTheGrain()).toEqual([]);
  });

  it('finds an import against the grain when there is one (the check can fail)', () => {
    edges.push(['outbound/events/publish.ts', 'inbound/flows/service.ts'], ['shared/ids.ts', 'config.ts']);
    try {
      expect(againstTheGrain()).toEqual([['outbound/events/publish.ts', 'inbound/flows/service.ts']]);
      edges.push(['db/mongo.ts', 'worker.ts']);
      expect(againstTheGrain()).toContainEqual(['db/mongo.ts', 'worker.ts']);
    } finally {
      edges.splice(-3);
    }
  });

  it('finds a cycle when there is one (the check can fail)', () => {
    edges.push(['db/mongo.ts', 'api/trpc.ts']);
    try {
      expect(cycleAmongChildren('')).toEqual(expect.arrayContaining(['db', 'api']));
    } finally {
      edges.pop();
    }
  });
});
