/* eslint-disable no-bitwise */ // masks of the index keys are bit sets
/**
 * The index that keeps planning near-linear: for a route `a`, the routes
 * whose requests `a`'s pattern can possibly match (see index.ts).
 */
import { FRESH, HTTP_VERBS, MAX_CANDIDATES, Route } from './route-tree';

/** The literals of a route's pattern (path parts and verb), which also path variables take in the enumeration. */
export class PatternLiterals {
  /** `[FRESH, ...literals]`: the values a path variable takes. */
  public readonly values: readonly string[];
  public readonly count: number;

  constructor(a: Route) {
    const lits = new Set<string>();
    for (const s of a.segments) if (s.kind === 'literal') lits.add(s.value);
    if (a.method !== 'ANY') lits.add(a.method);
    this.values = [FRESH, ...lits];
    this.count = lits.size;
  }
}

/** Stands for a verb of `ANY` or a path variable in the index: any value. Literals never contain `*`. */
const WILD = '*';
/** Longest run of parts the index keys on. */
const WINDOW = 4;

/**
 * Which routes `u` route `a`'s pattern may overlap: every pair whose
 * `overlapFlags` is not certainly 0 (a superset, checked exactly after).
 *
 * Model. `u`'s candidate requests read `stage/verb/s1/.../sn`: the stage
 * and the values of path variables are non-empty and have no `/` (a fresh
 * value or a literal of `a`), so for a route that is neither the root (whose
 * text ends with an empty part) nor has a `{proxy+}` (which can spell out
 * anything), every part is non-empty. `a`'s pattern reads `*\/V/p1/.../pk`
 * with `*` standing alone between `/`s and literals free of `*`, `?` and
 * `/`; so if it matches such a text, each `*` spans one or more whole parts
 * (an empty span would need an empty part) and each literal equals exactly
 * one part. Hence each maximal run of literals of the pattern (a "chunk")
 * lands on consecutive parts after the stage (the leading `*` spans at
 * least the stage), each equal to the literal or free (a path variable, or
 * the verb of an `ANY` route); and when the pattern ends with a literal, its
 * last chunk ends on the last part. Any run of ≤ `WINDOW` literals of a chunk
 * therefore equals, once the free positions of the window it lands on are
 * replaced by `*`, a window of `u`'s parts with free ones written `*`: it is
 * under one of the 2^r masked keys looked up below. Each run is a necessary
 * condition on its own, so only the one with the fewest routes is looked up.
 *
 * The other pairs: root and proxy routes are candidates for every `a`, a
 * pattern without literals for every `u`, the root's pattern only for root
 * routes (`quickReject` answers the rest), and `u` is a candidate for every
 * `a` whose enumeration of `u` would be too large (the answer is then
 * "overlaps", failing closed, whatever the patterns).
 */
export class OverlapCandidates {
  /** Masked windows of parts (verb included, stage excluded) → routes. */
  private readonly windows = new Map<string, number[]>();
  /** The same for windows that end on the last part. */
  private readonly endWindows = new Map<string, number[]>();
  /** Root and proxy routes. */
  private readonly everyPattern: number[] = [];
  private readonly roots: number[] = [];
  /** Pattern literal count → routes whose enumeration is then too large (fail closed). */
  private readonly tooLarge = new Map<number, number[]>();
  private readonly stamp: Int32Array;

  constructor(private readonly routes: readonly Route[], literals: readonly PatternLiterals[]) {
    this.stamp = new Int32Array(routes.length).fill(-1);
    const counts = [...new Set(literals.map((l) => l.count))];
    for (const u of routes) {
      if (u.segments.length === 0) this.roots.push(u.index);
      if (u.segments.length === 0 || u.segments[u.segments.length - 1].kind === 'proxy') {
        this.everyPattern.push(u.index);
        continue;
      }
      const parts = [u.method === 'ANY' ? WILD : u.method, ...u.segments.map((s) => (s.kind === 'literal' ? s.value : WILD))];
      for (let r = 1; r <= Math.min(WINDOW, parts.length); r++) {
        for (let start = 0; start + r <= parts.length; start++) add(this.windows, parts.slice(start, start + r).join('/'), u.index);
        add(this.endWindows, parts.slice(parts.length - r).join('/'), u.index);
      }
      const variables = u.segments.filter((s) => s.kind === 'param').length;
      const verbs = u.method === 'ANY' ? HTTP_VERBS.length : 1;
      for (const count of counts) {
        if (variables > 0 && enumerationTooLarge(verbs, variables, count)) add(this.tooLarge, count, u.index);
      }
    }
  }

  /** The candidate routes `u` for `a` (each once, in no particular order; may include `a`). */
  public of(a: Route, literals: PatternLiterals): number[] {
    if (a.segments.length === 0) return this.roots;
    const parts = [a.method === 'ANY' ? undefined : a.method, ...a.segments.map((s) => (s.kind === 'literal' ? s.value : undefined))];
    const chunks: string[][] = [];
    let run: string[] = [];
    for (const p of parts) {
      if (p !== undefined) {
        run.push(p);
      } else if (run.length > 0) {
        chunks.push(run);
        run = [];
      }
    }
    if (run.length > 0) chunks.push(run);
    if (chunks.length === 0) return this.routes.map((r) => r.index);
    // The most selective run of literals: least routes listed under its masked keys.
    let best: { map: Map<string, number[]>; run: readonly string[]; size: number } | undefined;
    const consider = (map: Map<string, number[]>, r: readonly string[]) => {
      let size = 0;
      forEachMask(r, (key) => { size += map.get(key)?.length ?? 0; });
      if (!best || size < best.size) best = { map, run: r, size };
    };
    if (parts[parts.length - 1] !== undefined) {
      const last = chunks[chunks.length - 1];
      consider(this.endWindows, last.slice(Math.max(0, last.length - WINDOW)));
    }
    for (const c of chunks) {
      const r = Math.min(WINDOW, c.length);
      for (let start = 0; start + r <= c.length; start++) consider(this.windows, c.slice(start, start + r));
    }
    const out: number[] = [];
    const take = (list: readonly number[] | undefined) => {
      for (const u of list ?? []) {
        if (this.stamp[u] !== a.index) { this.stamp[u] = a.index; out.push(u); }
      }
    };
    const chosen = best!;
    forEachMask(chosen.run, (key) => take(chosen.map.get(key)));
    take(this.everyPattern);
    take(this.tooLarge.get(literals.count));
    return out;
  }
}

function add<K>(map: Map<K, number[]>, key: K, value: number): void {
  const list = map.get(key);
  if (!list) map.set(key, [value]);
  else if (list[list.length - 1] !== value) list.push(value);
}

/** Calls `f` with the key of `run` under each of its 2^r masks (masked parts written `*`). */
function forEachMask(run: readonly string[], f: (key: string) => void): void {
  const parts = [...run];
  for (let mask = 0; mask < 1 << run.length; mask++) {
    for (let i = 0; i < run.length; i++) parts[i] = mask & (1 << i) ? WILD : run[i];
    f(parts.join('/'));
  }
}

/** Whether `overlapFlags` fails closed for a route without a proxy: `verbs` × (literals + 1)^variables candidates. */
function enumerationTooLarge(verbs: number, variables: number, literals: number): boolean {
  let count = verbs;
  for (let i = 0; i < variables; i++) {
    count *= literals + 1;
    if (count > MAX_CANDIDATES) return true;
  }
  return false;
}
