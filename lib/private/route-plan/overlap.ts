/* eslint-disable no-bitwise */ // overlap flags and the automaton's pattern sets are bit sets
/**
 * How a route's pattern overlaps the requests of another route: the walk of
 * the candidate requests as states of the patterns and of the resolution.
 */
import type { PatternLiterals } from './candidates';
import { FRESH, HTTP_VERBS, MAX_CANDIDATES, Route, RouteTree } from './route-tree';
import { ALIGNED, SHIFTED } from '../contracts/route-table';

/** Both overlap flags: nothing more to find. */
const BOTH = ALIGNED | SHIFTED;

/**
 * How `a`'s pattern can match requests API Gateway routes to `u`: ALIGNED | SHIFTED bits.
 *
 * The candidate requests: each verb of `u`; for each path variable a fresh
 * value or a literal of `a`'s pattern; for a proxy, 1 to (literals + 2) such
 * parts. When they are too many the answer is both (fail closed). Otherwise
 * they are walked part by part, carrying the state of the three patterns
 * (`GlobAutomaton`) and of the resolution (`RouteTree.resolutionNext`): what
 * the rest of a walk can give depends only on its place in `u`'s path, those
 * two states and the verbs left, so each such point is walked once, and not
 * at all when the patterns left alive can only give flags already found.
 */
export function overlapFlags(tree: RouteTree, literals: PatternLiterals, automaton: () => GlobAutomaton, u: Route): number {
  const values = literals.values;
  const verbs = u.method === 'ANY' ? HTTP_VERBS : [u.method];
  const maxProxy = literals.count + 2;
  // Count candidates first: fail closed when there are too many.
  let count = verbs.length;
  for (const s of u.segments) {
    if (s.kind === 'param') count *= values.length;
    if (s.kind === 'proxy') {
      let sum = 0;
      for (let n = 1; n <= maxProxy; n++) sum += values.length ** n;
      count *= sum;
    }
    if (count > MAX_CANDIDATES) return BOTH;
  }
  const glob = automaton();
  const segments = u.segments;
  /** The flags of the requests walked so far. */
  let found = 0;
  /** Adds the flags of a complete request: `g` and `r` after its whole text and path, `verbSet` a bit set over `verbs`. */
  const request = (g: number, r: number, verbSet: number) => {
    if (!glob.matches(g, PATTERN)) return;
    let routed = false;
    for (let k = 0; k < verbs.length && !routed; k++) routed = (verbSet & (1 << k)) !== 0 && tree.resolutionRoute(r, verbs[k]) === u.index;
    if (routed) found |= (glob.matches(g, ALIGNED_PATTERN) ? ALIGNED : 0) | (glob.matches(g, SHIFTED_PATTERN) ? SHIFTED : 0);
  };
  const walked = new Set<number | string>();
  /**
   * Walks the requests that continue from path part `i` (`n` proxy parts
   * taken). Afterwards `found` holds every flag they have: a point already
   * walked, or whose requests can only have flags already found, is skipped.
   */
  const walk = (i: number, n: number, g: number, r: number, verbSet: number): void => {
    if (!glob.canMatch(g, PATTERN) || tree.resolutionIsDead(r)) return;
    const missing = (glob.canMatch(g, ALIGNED_PATTERN) ? ALIGNED : 0) | (glob.canMatch(g, SHIFTED_PATTERN) ? SHIFTED : 0);
    if ((missing & ~found) === 0) return;
    const place = i * (maxProxy + 1) + n;
    // One number while it fits in 53 bits, else a string.
    const key = place < 64 && g < 2 ** 20 && r < 2 ** 20 ? ((r * 2 ** 20 + g) * 128 + verbSet) * 64 + place : `${place} ${g} ${r} ${verbSet}`;
    if (walked.has(key)) return;
    walked.add(key);
    if (i === segments.length) {
      request(segments.length === 0 ? glob.nextPart(g, '') : g, r, verbSet);
      return;
    }
    const s = segments[i];
    if (s.kind === 'literal') {
      walk(i + 1, 0, glob.nextPart(g, s.value), tree.resolutionNext(r, s.value), verbSet);
    } else if (s.kind === 'param') {
      for (let k = 0; k < values.length && found !== BOTH; k++) {
        walk(i + 1, 0, glob.nextPart(g, values[k]), tree.resolutionNext(r, values[k]), verbSet);
      }
    } else {
      if (n > 0) walk(i + 1, 0, g, r, verbSet);
      for (let k = 0; n < maxProxy && k < values.length && found !== BOTH; k++) {
        walk(i, n + 1, glob.nextPart(g, values[k]), tree.resolutionNext(r, values[k]), verbSet);
      }
    }
  };
  // The stage, then each verb; verbs that leave the patterns in the same state are walked together.
  const byState = new Map<number, number>();
  verbs.forEach((verb, k) => {
    const g = glob.nextPart(glob.afterStage, verb);
    byState.set(g, (byState.get(g) ?? 0) | (1 << k));
  });
  for (const [g, verbSet] of byState) {
    if (found === BOTH) break;
    walk(0, 0, g, tree.resolutionStart, verbSet);
  }
  return found;
}

/** `a`'s pattern, the aligned pattern (stage fixed) and the shifted one (`*\/` + pattern), in a `GlobAutomaton`. */
const PATTERN = 0;
const ALIGNED_PATTERN = 1;
const SHIFTED_PATTERN = 2;
const STAR = -1;
const END = -2;

/**
 * Glob patterns matched together by a DFA built on demand: a state is the
 * set of positions each pattern can be at after the text so far (`*` any
 * run of characters, `?` one character: `globMatch`'s language), a position
 * at the end of a pattern meaning it matches.
 */
export class GlobAutomaton {
  /** The patterns of `overlapFlags` for a route pattern. */
  public static of(pattern: string): GlobAutomaton {
    return new GlobAutomaton([pattern, FRESH + pattern.slice(1), `*/${pattern}`]);
  }

  /** The state after the stage (a fresh value). */
  public readonly afterStage: number;
  /** Per position: a character code, STAR, or END (after the last character of a pattern). */
  private readonly code: Int32Array;
  /** Per position: the index of its pattern. */
  private readonly owner: Uint8Array;
  /** Per state: its positions, ascending. */
  private readonly states: number[][] = [];
  /** Per state: bit k set when pattern k has matched the text so far. */
  private readonly matchedBits: number[] = [];
  /** Per state: bit k set when pattern k can still match some continuation. */
  private readonly liveBits: number[] = [];
  private readonly ids = new Map<string, number>();
  /** Per state: the state after a character (by code). */
  private readonly charSteps: Map<number, number>[] = [];
  /** Per state: the state after `/` + a path part. */
  private readonly partSteps: Map<string, number>[] = [];

  private constructor(patterns: readonly string[]) {
    const code: number[] = [];
    const owner: number[] = [];
    const starts: number[] = [];
    patterns.forEach((p, k) => {
      starts.push(code.length);
      for (let i = 0; i < p.length; i++) {
        code.push(p.charCodeAt(i) === 42 /* * */ ? STAR : p.charCodeAt(i));
        owner.push(k);
      }
      code.push(END);
      owner.push(k);
    });
    this.code = Int32Array.from(code);
    this.owner = Uint8Array.from(owner);
    let state = this.intern(this.closure(starts));
    for (let i = 0; i < FRESH.length; i++) state = this.step(state, FRESH.charCodeAt(i));
    this.afterStage = state;
  }

  /** The state after `/` + `part`. */
  public nextPart(state: number, part: string): number {
    const cache = this.partSteps[state];
    let to = cache.get(part);
    if (to === undefined) {
      to = this.step(state, 47 /* / */);
      for (let i = 0; i < part.length; i++) to = this.step(to, part.charCodeAt(i));
      cache.set(part, to);
    }
    return to;
  }

  public matches(state: number, pattern: number): boolean {
    return (this.matchedBits[state] & (1 << pattern)) !== 0;
  }

  public canMatch(state: number, pattern: number): boolean {
    return (this.liveBits[state] & (1 << pattern)) !== 0;
  }

  /** The state after the character `c`. */
  private step(state: number, c: number): number {
    const cache = this.charSteps[state];
    let to = cache.get(c);
    if (to === undefined) {
      const next: number[] = [];
      for (const j of this.states[state]) {
        const p = this.code[j];
        if (p === STAR) next.push(j);
        else if (p === c || p === 63 /* ? */) next.push(j + 1);
      }
      to = this.intern(this.closure(next));
      cache.set(c, to);
    }
    return to;
  }

  /** `positions` plus those a `*` lets through with an empty run, ascending, each once. */
  private closure(positions: readonly number[]): number[] {
    const out = new Set<number>();
    for (let j of positions) {
      out.add(j);
      while (this.code[j] === STAR) out.add(++j);
    }
    return [...out].sort((x, y) => x - y);
  }

  private intern(positions: number[]): number {
    const key = positions.join(',');
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.states.length;
      let matched = 0;
      let live = 0;
      for (const j of positions) {
        live |= 1 << this.owner[j];
        if (this.code[j] === END) matched |= 1 << this.owner[j];
      }
      this.states.push(positions);
      this.matchedBits.push(matched);
      this.liveBits.push(live);
      this.charSteps.push(new Map());
      this.partSteps.push(new Map());
      this.ids.set(key, id);
    }
    return id;
  }
}
