/**
 * The shape of the codebase a maintainer relies on: files small enough to
 * hold one job, synth-time state on the constructs it belongs to, and no
 * module that needs another to have finished loading first.
 */
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.join(__dirname, '..');
const SOURCE_DIRS = ['lib', 'lambda', 'web', 'token-client/src'];
const MAX_LINES = 500;

function sources(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) {
        if (e.name !== 'node_modules' && e.name !== 'dist') walk(p);
      } else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) {
        out.push(p);
      }
    }
  };
  walk(path.join(ROOT, dir));
  return out.sort();
}

const rel = (p: string) => path.relative(ROOT, p);

/** Relative modules a file imports at run time (`import type` is erased and cannot make a load-order cycle). */
function runtimeImports(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/^import\s+(type\s+)?[^'"]*?from\s+'(\.[^']*)';/gms)) {
    if (m[1]) continue;
    const base = path.resolve(path.dirname(file), m[2]);
    const target = [`${base}.ts`, path.join(base, 'index.ts')].find((c) => fs.existsSync(c));
    if (target) out.push(target);
  }
  return out;
}

describe('the codebase', () => {
  test(`every source file has fewer than ${MAX_LINES} lines`, () => {
    const long = SOURCE_DIRS.flatMap(sources)
      .map((f) => ({ file: rel(f), lines: fs.readFileSync(f, 'utf8').split('\n').length }))
      .filter((f) => f.lines >= MAX_LINES);
    expect(long).toEqual([]);
  });

  test('lib/ keeps no synth-time state in module-level WeakMaps or WeakSets (it lives on its constructs: pool-state, owned-state)', () => {
    const offenders = sources('lib').filter((f) => /^(?:export\s+)?(?:const|let|var)\s+\w+\s*=\s*new\s+Weak(?:Map|Set)\b/m.test(fs.readFileSync(f, 'utf8')));
    expect(offenders.map(rel)).toEqual([]);
  });

  test('no module of lib/ imports, at run time, a module that imports it back', () => {
    const files = sources('lib');
    const graph = new Map(files.map((f) => [f, runtimeImports(f)]));
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const stack: string[] = [];
    const visit = (f: string) => {
      state.set(f, 'open');
      stack.push(f);
      for (const d of graph.get(f) ?? []) {
        if (state.get(d) === 'open') cycles.push([...stack.slice(stack.indexOf(d)), d].map(rel).join(' -> '));
        else if (!state.has(d)) visit(d);
      }
      stack.pop();
      state.set(f, 'done');
    };
    for (const f of files) if (!state.has(f)) visit(f);
    expect(cycles).toEqual([]);
  });
});
