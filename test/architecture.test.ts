/**
 * The import graph of src/, commands/ and cards/ (ARCHITECTURE.md): arrows only point down the
 * layers, and no file reaches itself through its imports (type-only imports count too).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..');

/** Lowest first. A file belongs to the first layer with a matching prefix; it may import its own layer and those below. */
export const LAYERS: { name: string; paths: string[] }[] = [
  { name: 'model', paths: ['src/model/'] },
  { name: 'errors', paths: ['src/errors.ts'] },
  // probe-policy.ts is parsed by config.ts (KRBOPS_PROBE_ALLOW): foundation, though it sits in collectors/.
  // So are the access policy's types and its reading (KRBOPS_ALLOW_*, krbops.yaml `access:`), in policy/.
  { name: 'foundation', paths: ['src/log.ts', 'src/timeout.ts', 'src/config.ts', 'src/fix/', 'src/spn/', 'src/kerberos/', 'src/collectors/probe-policy.ts', 'src/policy/config.ts', 'src/policy/types.ts'] },
  { name: 'directory', paths: ['src/directory/', 'src/inventory.ts'] },
  { name: 'collectors', paths: ['src/collectors/', 'src/adfs/'] },
  { name: 'rules', paths: ['src/rules/', 'src/engine.ts', 'src/etypes/', 'src/explain/'] },
  { name: 'state', paths: ['src/store/', 'src/notify.ts', 'src/metrics.ts'] },
  { name: 'services', paths: ['src/approvals/', 'src/jobs/', 'src/policy/', 'src/audit/'] },
  { name: 'commands', paths: ['commands/', 'src/core.ts'] },
  { name: 'cards', paths: ['cards/slack/', 'cards/teams/', 'cards/text/'] },
  { name: 'surfaces', paths: ['src/surfaces/', 'src/server.ts', 'src/serve.ts', 'src/cli.ts', 'src/demo.ts'] },
];

function layerOf(file: string): number {
  const i = LAYERS.findIndex((l) => l.paths.some((p) => (p.endsWith('/') ? file.startsWith(p) : file === p)));
  if (i < 0) throw new Error(`${file} belongs to no layer: add it to LAYERS in test/architecture.test.ts and to ARCHITECTURE.md`);
  return i;
}

function sources(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory()) return sources(rel);
    return e.name.endsWith('.ts') ? [rel] : [];
  });
}

/** file → the files of this tree it imports (relative specifiers, `.js` → `.ts`). */
export function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of ['src', 'commands', 'cards'].flatMap(sources)) {
    const info = ts.preProcessFile(readFileSync(path.join(ROOT, file), 'utf8'), true, true);
    const targets = info.importedFiles
      .map((i) => i.fileName)
      .filter((s) => s.startsWith('.'))
      .map((s) => path.posix.normalize(path.posix.join(path.posix.dirname(file), s)).replace(/\.js$/, '.ts'));
    graph.set(file, [...new Set(targets)]);
  }
  return graph;
}

/** Strongly connected components with more than one file (or a file importing itself): the cycles. */
function cycles(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) out.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return out;
}

describe('architecture: the import graph', () => {
  const graph = importGraph();

  it('reads the whole tree', () => {
    expect(graph.size).toBeGreaterThan(100);
    for (const file of graph.keys()) layerOf(file);
  });

  it('imports only point down the layers (or within one)', () => {
    const upward: string[] = [];
    for (const [file, targets] of graph) {
      for (const t of targets) {
        if (!graph.has(t)) continue;
        if (layerOf(t) > layerOf(file)) upward.push(`${file} (${LAYERS[layerOf(file)]!.name}) → ${t} (${LAYERS[layerOf(t)]!.name})`);
      }
    }
    expect(upward).toEqual([]);
  });

  it('the model imports nothing of krbops outside src/model', () => {
    const out = [...graph].filter(([f]) => f.startsWith('src/model/')).flatMap(([f, ts_]) => ts_.filter((t) => !t.startsWith('src/model/')).map((t) => `${f} → ${t}`));
    expect(out).toEqual([]);
  });

  it('has no import cycle', () => {
    expect(cycles(graph)).toEqual([]);
  });

  it('catches an upward import and a cycle (the checks can fail)', () => {
    const bad = new Map<string, string[]>([
      ['src/model/a.ts', ['src/rules/x.ts']],
      ['src/rules/x.ts', ['src/model/a.ts']],
    ]);
    expect(layerOf('src/model/a.ts')).toBeLessThan(layerOf('src/rules/x.ts'));
    expect(cycles(bad)).toEqual([['src/model/a.ts', 'src/rules/x.ts']]);
  });
});
