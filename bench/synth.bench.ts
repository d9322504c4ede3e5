/**
 * Synth benchmark: CPU time and peak memory of synthesizing an API of N
 * scoped methods with the library, against the same API in aws-cdk-lib alone.
 *
 *   npx ts-node --prefer-ts-exts bench/synth.bench.ts   (or: npx projen bench)
 *   SYNTH_BENCH_METHODS=100,600 SYNTH_BENCH_ROUNDS=1 npx ts-node --prefer-ts-exts bench/synth.bench.ts   (quick)
 *
 * Each synth runs in a fresh `node` process (bench/synth-app.ts) that
 * reports its own CPU time (user + system, start-up and module loading
 * included) and peak RSS. The library and aws-cdk-lib alone alternate, the
 * order flipping each round, so that a burst of noise on a shared machine
 * hits both; the ratio is the median of the per-round ratios. The library
 * and the app are transpiled to JavaScript first (esbuild, no type check), as
 * an app that installs the package loads it.
 *
 * Environment: SYNTH_BENCH_METHODS (comma-separated N, default
 * 100,600,2400,5000), SYNTH_BENCH_ROUNDS (default 3). Exits non-zero only
 * when a synth fails, not on a missed target.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
// esbuild is a devDependency on purpose: it bundles the handlers at build time, and transpiles the apps here.
// eslint-disable-next-line import/no-extraneous-dependencies
import { buildSync } from 'esbuild';
import { fmtRatio, median } from './stats';
import type { SynthRun } from './synth-app';

const root = path.join(__dirname, '..');
/** The product's targets: library CPU at most this many times aws-cdk-lib's, per number of methods. */
const TARGETS: Record<number, number> = { 2400: 2, 5000: 2.5 };
type Kind = 'library' | 'plain';

function numbers(name: string, fallback: string): number[] {
  const raw = process.env[name] ?? fallback;
  const out = raw.split(',').map((s) => Number(s.trim()));
  if (out.length === 0 || out.some((n) => !Number.isInteger(n) || n < 1)) {
    throw new Error(`${name}=${JSON.stringify(raw)} must be a comma-separated list of whole numbers of at least 1`);
  }
  return out;
}

/** Transpiles lib/ and the app into `dir`, beside links to node_modules and the handler bundles they load. */
function build(dir: string): string {
  const sources: string[] = [path.join(root, 'bench', 'synth-app.ts')];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) sources.push(p);
    }
  };
  walk(path.join(root, 'lib'));
  buildSync({ entryPoints: sources, outbase: root, outdir: dir, format: 'cjs', platform: 'node', target: 'node20', logLevel: 'warning' });
  fs.symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'));
  fs.symlinkSync(path.join(root, 'assets'), path.join(dir, 'assets'));
  return path.join(dir, 'bench', 'synth-app.js');
}

function synth(app: string, kind: Kind, methods: number, outdir: string): SynthRun {
  const r = spawnSync(process.execPath, [app, kind, String(methods), outdir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
  fs.rmSync(outdir, { recursive: true, force: true });
  if (r.status !== 0) throw new Error(`${kind} synth of ${methods} methods failed with status ${r.status}: ${r.stderr.slice(-2000)}`);
  const line = r.stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(line) as SynthRun;
}

function main(): void {
  const counts = numbers('SYNTH_BENCH_METHODS', '100,600,2400,5000');
  const [rounds] = numbers('SYNTH_BENCH_ROUNDS', '3');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'synth-bench-'));
  try {
    const app = build(tmp);
    console.log(`synth: library (ScopedRestApi, default Lambda authorizer) vs aws-cdk-lib alone (RestApi + Cognito authorizer); ${rounds} rounds, fresh processes`);
    for (const n of counts) {
      const runs: Record<Kind, SynthRun[]> = { library: [], plain: [] };
      const ratios: number[] = [];
      for (let round = 0; round < rounds; round++) {
        const order: Kind[] = round % 2 === 0 ? ['library', 'plain'] : ['plain', 'library'];
        const got = {} as Record<Kind, SynthRun>;
        for (const kind of order) got[kind] = synth(app, kind, n, path.join(tmp, `out-${kind}`));
        runs.library.push(got.library);
        runs.plain.push(got.plain);
        ratios.push(got.library.cpuMs / got.plain.cpuMs);
      }
      const cpu = (k: Kind) => median(runs[k].map((r) => r.cpuMs)) / 1000;
      const rss = (k: Kind) => Math.max(...runs[k].map((r) => r.peakRssMb));
      const target = TARGETS[n] === undefined ? 'no target' : `target <= ${TARGETS[n]}x`;
      console.log(`${String(n).padStart(5)} methods: CPU library ${cpu('library').toFixed(1)} s, aws-cdk-lib ${cpu('plain').toFixed(1)} s, `
        + `ratio ${fmtRatio(median(ratios))} (${target}; range ${fmtRatio(Math.min(...ratios))}-${fmtRatio(Math.max(...ratios))}); `
        + `peak RSS ${rss('library').toFixed(0)} MB vs ${rss('plain').toFixed(0)} MB (${fmtRatio(rss('library') / rss('plain'))}); `
        + `resources ${runs.library[0].resources} vs ${runs.plain[0].resources}`);
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

try {
  main();
} catch (err) {
  console.log(`benchmark failed: ${err instanceof Error ? err.stack : String(err)}`);
  process.exitCode = 1;
}
