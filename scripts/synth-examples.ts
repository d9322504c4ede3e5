/**
 * Typechecks and synthesizes every example app in examples/ (`npx projen examples`,
 * part of `npm test`).
 *
 * 1. Typechecks examples/*.ts (and what they import) with the TypeScript
 *    compiler API and the compiler options of examples/tsconfig.json.
 * 2. Runs each example in its own Node.js process through ts-node (transpile
 *    only: step 1 did the type checking), with CDK_OUTDIR set to a fresh
 *    temporary directory and scripts/example-nag.ts preloaded, which runs
 *    cdk-nag's AwsSolutions pack after the example's `app.synth()`. An example
 *    fails when it exits non-zero, e.g. on an unacknowledged cdk-nag error.
 *
 * The examples import the library by its package name, as users do:
 * `examples/node_modules/cdk-cognito-m2m` links to this repository, so they
 * get the compiled package (`out/`, after `npx projen compile`), typings and
 * bundled assets included. Arguments name the examples to run (default: all).
 *
 * Prints one line per example and exits 1 if any example fails (or none exists).
 *
 * Environment: EXAMPLES_CONCURRENCY (default 2) examples run at once;
 * EXAMPLES_TIMEOUT_SECONDS (default 300) per example; EXAMPLES_CDK_OUT, when
 * set, keeps each example's cloud assembly in `$EXAMPLES_CDK_OUT/<example>/`
 * (emptied first) for scripts/cfn-lint.sh to read.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ts from 'typescript';
import { linkPackage } from './link-package';

const ROOT = path.resolve(__dirname, '..');
const EXAMPLES_DIR = path.join(ROOT, 'examples');
const TSCONFIG = path.join(EXAMPLES_DIR, 'tsconfig.json');
const CONCURRENCY = positiveInt(process.env.EXAMPLES_CONCURRENCY, 2);
const TIMEOUT_MS = positiveInt(process.env.EXAMPLES_TIMEOUT_SECONDS, 300) * 1000;

interface Result {
  readonly file: string;
  readonly ok: boolean;
  readonly seconds: number;
  readonly detail?: string;
}

function positiveInt(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

function rel(file: string): string {
  return path.relative(ROOT, file);
}

/** The example apps: examples/*.ts, excluding declaration files. */
function findExamples(only: readonly string[]): string[] {
  if (!fs.existsSync(EXAMPLES_DIR)) return [];
  return fs.readdirSync(EXAMPLES_DIR)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .filter((f) => only.length === 0 || only.includes(f))
    .sort()
    .map((f) => path.join(EXAMPLES_DIR, f));
}


/**
 * Typechecks the examples with examples/tsconfig.json's compiler options.
 * Returns the diagnostics, grouped by file (`''` for global ones).
 */
function typecheck(files: string[]): Map<string, readonly ts.Diagnostic[]> {
  const read = ts.readConfigFile(TSCONFIG, (p) => ts.sys.readFile(p));
  if (read.error) return new Map([['', [read.error]]]);
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, EXAMPLES_DIR, { noEmit: true }, TSCONFIG);
  const program = ts.createProgram({ rootNames: files, options: { ...parsed.options, noEmit: true } });
  const diagnostics = [...parsed.errors, ...ts.getPreEmitDiagnostics(program)]
    .filter((d) => d.category === ts.DiagnosticCategory.Error);
  const byFile = new Map<string, ts.Diagnostic[]>();
  for (const d of diagnostics) {
    const key = d.file ? path.resolve(d.file.fileName) : '';
    byFile.set(key, [...(byFile.get(key) ?? []), d]);
  }
  return byFile;
}

function formatDiagnostics(diagnostics: readonly ts.Diagnostic[]): string {
  return ts.formatDiagnostics(diagnostics, {
    getCanonicalFileName: (f) => f,
    getCurrentDirectory: () => ROOT,
    getNewLine: () => '\n',
  });
}

/** Runs one example in a child process with its own output directory. */
function runExample(file: string): Promise<Result> {
  const started = Date.now();
  const keepIn = process.env.EXAMPLES_CDK_OUT ? path.resolve(ROOT, process.env.EXAMPLES_CDK_OUT, path.basename(file, '.ts')) : undefined;
  if (keepIn) {
    fs.rmSync(keepIn, { recursive: true, force: true });
    fs.mkdirSync(keepIn, { recursive: true });
  }
  const outdir = keepIn ?? fs.mkdtempSync(path.join(os.tmpdir(), `cdk-m2m-${path.basename(file, '.ts')}-`));
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-r', 'ts-node/register', '-r', path.join(__dirname, 'example-nag.ts'), file], {
      cwd: ROOT,
      env: {
        ...process.env,
        CDK_OUTDIR: outdir,
        AWS_REGION: 'us-east-1',
        CDK_DISABLE_CLI_TELEMETRY: 'true',
        TS_NODE_PROJECT: TSCONFIG,
        TS_NODE_TRANSPILE_ONLY: 'true',
        TS_NODE_PREFER_TS_EXTS: 'true',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    let timedOut = false;
    const timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, TIMEOUT_MS);
    const finish = (ok: boolean, detail?: string): void => {
      clearTimeout(timer);
      const seconds = (Date.now() - started) / 1000;
      if (ok && !keepIn) {
        fs.rmSync(outdir, { recursive: true, force: true });
      }
      resolve({ file, ok, seconds, detail: ok ? undefined : `${detail}\n${output.trim()}\n(cloud assembly kept in ${outdir})` });
    };
    child.on('error', (err) => finish(false, `could not start: ${err.message}`));
    child.on('close', (code, signal) => {
      if (timedOut) finish(false, `timed out after ${TIMEOUT_MS / 1000} s`);
      else if (code === 0) finish(true);
      else finish(false, `exited with ${code ?? signal}`);
    });
  });
}

/** Runs `task` over `items`, at most `limit` at a time, keeping the order of results. */
async function mapLimit<T, R>(items: T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await task(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

async function main(): Promise<number> {
  linkPackage();
  const examples = findExamples(process.argv.slice(2));
  if (examples.length === 0) {
    process.stderr.write(`No example found: expected examples/*.ts in ${EXAMPLES_DIR}\n`);
    return 1;
  }

  const tcStart = Date.now();
  const diagnostics = typecheck(examples);
  const tcSeconds = (Date.now() - tcStart) / 1000;
  const exampleSet = new Set(examples.map((f) => path.resolve(f)));
  const elsewhere = [...diagnostics.entries()].filter(([f]) => !exampleSet.has(f)).flatMap(([, d]) => d);
  const total = [...diagnostics.values()].reduce((n, d) => n + d.length, 0);
  if (total > 0) {
    process.stderr.write(formatDiagnostics([...diagnostics.values()].flat()));
  }
  console.log(`${total === 0 ? 'PASS' : 'FAIL'}  typecheck of ${examples.length} example(s) (${tcSeconds.toFixed(1)}s)${total ? `: ${total} type error(s)` : ''}`);

  // An example with type errors of its own is not run; the others still are.
  const runnable = examples.filter((f) => !diagnostics.has(path.resolve(f)));
  const ran = await mapLimit(runnable, CONCURRENCY, async (file) => {
    const r = await runExample(file);
    console.log(`${r.ok ? 'PASS' : 'FAIL'}  ${rel(r.file)} (${r.seconds.toFixed(1)}s)`);
    if (r.detail) process.stderr.write(`---- ${rel(r.file)}: ${r.detail}\n----\n`);
    return r;
  });
  const skipped: Result[] = examples.filter((f) => diagnostics.has(path.resolve(f))).map((file) => {
    console.log(`FAIL  ${rel(file)} (0.0s): type errors, not run`);
    return { file, ok: false, seconds: 0 };
  });

  const failed = [...ran, ...skipped].filter((r) => !r.ok).length + (elsewhere.length > 0 ? 1 : 0);
  console.log(failed === 0
    ? `All ${examples.length} example(s) typechecked and synthesized.`
    : `${[...ran, ...skipped].filter((r) => !r.ok).length} of ${examples.length} example(s) failed${elsewhere.length ? '; type errors outside examples/ too' : ''}.`);
  return failed === 0 ? 0 : 1;
}

main().then((code) => { process.exitCode = code; }, (err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
