import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
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
  // The worker's two entry points (workflows/, activities/) and the files that put the process together.
  const ROOTS = ['main.ts', 'worker.ts', 'database.ts', 'workflows', 'activities'];
  const everything = ['api', 'retention', 'outbound', 'inbound', 'shared', 'db', ...ROOTS, 'temporal.ts'];
  const FORBIDDEN: Record<string, string[]> = {
    api: ROOTS.filter((root) => root !== 'database.ts'),
    // The retention sweep removes both capabilities' records: above them, beside api.
    retention: ['api', ...ROOTS],
    inbound: ['api', 'retention', ...ROOTS],
    outbound: ['api', 'inbound', 'retention', ...ROOTS],
    shared: ['api', 'retention', 'outbound', 'inbound', 'db', ...ROOTS],
    db: ['api', 'retention', 'outbound', 'inbound', ...ROOTS],
    'config.ts': everything,
  };
  const againstTheGrain = () => edges.filter(([from, to]) => FORBIDDEN[top(from)]?.includes(top(to)));

  it('points one way: api and retention → inbound → outbound → shared and db; nothing but api imports what puts the process together', () => {
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

  /**
   * What the workflow bundle loads (src/workflows and all it imports, type-only imports aside) is deterministic
   * code: no Node built-in, no package but Temporal's workflow API and common types.
   */
  function workflowCodeProblems(entry = path.join(SRC, 'workflows/index.ts')): string[] {
    const ALLOWED = new Set(['@temporalio/workflow', '@temporalio/common']);
    const problems: string[] = [];
    const seen = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
      for (const node of source.statements) {
        let spec: string | undefined;
        if (ts.isImportDeclaration(node)) {
          const clause = node.importClause;
          const typeOnly =
            clause?.isTypeOnly ||
            (clause !== undefined &&
              !clause.name &&
              clause.namedBindings !== undefined &&
              ts.isNamedImports(clause.namedBindings) &&
              clause.namedBindings.elements.every((e) => e.isTypeOnly));
          if (!typeOnly && ts.isStringLiteral(node.moduleSpecifier)) spec = node.moduleSpecifier.text;
        } else if (ts.isExportDeclaration(node) && !node.isTypeOnly && node.moduleSpecifier) {
          if (ts.isStringLiteral(node.moduleSpecifier)) spec = node.moduleSpecifier.text;
        }
        if (spec === undefined) continue;
        const local = resolveImport(file, spec);
        if (local) visit(local);
        else if (!ALLOWED.has(spec)) problems.push(`${path.relative(SRC, file)} imports ${spec}`);
      }
    };
    visit(entry);
    return problems.map((p) => p.replace(/^.*\//, ''));
  }

  it('loads only deterministic code in the workflow bundle (src/workflows and what it reaches)', () => {
    expect(workflowCodeProblems()).toEqual([]);
  });

  it('finds code the workflow bundle may not load when there is some (the check can fail)', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'layout-'));
    try {
      writeFileSync(
        path.join(dir, 'entry.ts'),
        "export { x } from './helper';\nimport type { Agent } from 'undici';\nexport type A = Agent;\n",
      );
      writeFileSync(
        path.join(dir, 'helper.ts'),
        "import { createHash } from 'node:crypto';\nexport const x = createHash;\n",
      );
      expect(workflowCodeProblems(path.join(dir, 'entry.ts'))).toEqual(['helper.ts imports node:crypto']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
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
