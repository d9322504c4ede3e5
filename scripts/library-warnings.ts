/**
 * Finds the warnings an app gets when it synthesizes, and who caused them
 * (used by scripts/cdk-versions.sh, which compiles this file to JavaScript).
 *
 * Preloaded into an app's process (`node -r library-warnings.js app.js`,
 * with `LIBRARY_WARNINGS_REPORT` naming a file and `LIBRARY_WARNINGS_APP`
 * the app), it records, one JSON line per finding appended to the report:
 *
 * - every jsii deprecation message (`[WARNING] <api> is deprecated`, which
 *   aws-cdk-lib prints with `console.warn`), with the code that called the
 *   deprecated API, from the stack;
 * - every Node.js process warning (`process.on('warning')`), with its stack;
 * - every warning and error annotation in the construct tree after
 *   `app.synth()` (what `cdk synth` prints as `[Warning at /path]`), with
 *   the code that added it (the annotation's trace) and the nearest
 *   enclosing construct of this library (its jsii fqn);
 * - every unacknowledged violation in the cloud assembly's
 *   `validation-report.json` (aws-cdk-lib's policy validation: from 2.278 on
 *   its built-in CloudFormation validation runs on every synth and prints
 *   what it finds as warnings), with the construct and the nearest
 *   enclosing construct of this library;
 * - anything else written to stderr, as is.
 *
 * Each finding has a `source`: `library` (code in node_modules/cdk-cognito-m2m),
 * `app` (the reference app's or an example's own code), `aws-cdk-lib`
 * (aws-cdk-lib calling its own deprecated API), `cdk-nag`, `constructs`,
 * `node`, or `unknown` (stderr text nobody claimed).
 *
 * Run as a program (`node library-warnings.js summarize <report>`), it
 * prints every finding and exits 1 unless each one is an aws-cdk-lib
 * internal deprecation listed in `AWS_CDK_LIB_OWN` below, named by API and
 * calling module. No such listing exists today: the three aws-cdk-lib
 * versions checked print none.
 */
import * as fs from 'fs';
import { createRequire } from 'module';
import * as path from 'path';

export type Source = 'library' | 'app' | 'aws-cdk-lib' | 'cdk-nag' | 'constructs' | 'node' | 'unknown';

export interface Finding {
  readonly app: string;
  readonly kind: 'deprecation' | 'annotation' | 'validation' | 'node-warning' | 'stderr';
  readonly source: Source;
  readonly message: string;
  /** The calling frame (deprecations, process warnings, annotations with a trace) or the construct path. */
  readonly where: string;
  /** For an annotation: the construct path and the nearest enclosing construct of this library, if any. */
  readonly construct?: string;
  readonly libraryConstruct?: string;
}

/**
 * Deprecated aws-cdk-lib APIs that aws-cdk-lib itself calls, each with the
 * aws-cdk-lib module that calls it: printed whatever the library does, so
 * not the library's to fix. Add an entry only with the API's name, the
 * calling module and the aws-cdk-lib versions seen.
 */
export const AWS_CDK_LIB_OWN: ReadonlyArray<{ readonly api: string; readonly caller: RegExp; readonly seenOn: string }> = [];

const PACKAGE = 'cdk-cognito-m2m';

/** Who owns a stack frame's file. */
export function sourceOfFile(file: string): Source {
  if (file.startsWith('node:') || file.startsWith('internal/') || !file.includes('/')) return 'node';
  if (file.includes(`/node_modules/${PACKAGE}/`)) return 'library';
  if (file.includes('/node_modules/aws-cdk-lib/')) return 'aws-cdk-lib';
  if (file.includes('/node_modules/cdk-nag/')) return 'cdk-nag';
  if (file.includes('/node_modules/constructs/')) return 'constructs';
  return 'app';
}

interface Frame { readonly text: string; readonly file: string }

/** The frames of a V8 stack (`at fn (file:line:col)` or `at file:line:col`), or of an annotation trace (no `at`). */
export function framesOf(lines: readonly string[]): Frame[] {
  return lines.map((l) => l.trim().replace(/^at /, '')).filter((l) => l && !l.startsWith('Error')).map((text) => {
    const m = /\(([^()]+):\d+:\d+\)$/.exec(text) ?? /^([^\s()]+):\d+:\d+$/.exec(text);
    return { text, file: m ? m[1] : text };
  });
}

/** aws-cdk-lib's decorator wrappers around constructors and methods: between a deprecated API and its caller. */
const WRAPPERS = /\/aws-cdk-lib\/core\/lib\/(no-box-stack-traces|prop-injectable|metadata-resource)\.js$/;

/**
 * The frame that called a deprecated API, from the stack of jsii's
 * deprecation message: past jsii's checks (`.warnings.jsii.js`), the
 * deprecated API's own frame, and aws-cdk-lib's decorator wrappers.
 */
export function deprecationCaller(frames: readonly Frame[]): { api?: Frame; caller?: Frame } {
  let i = frames.findIndex((f) => f.file.endsWith('/.warnings.jsii.js'));
  if (i < 0) return {};
  while (i < frames.length && frames[i].file.endsWith('/.warnings.jsii.js')) i++;
  const api = frames[i++];
  while (i < frames.length && WRAPPERS.test(frames[i].file)) i++;
  return { api, caller: frames[i] };
}

/** The first frame outside aws-cdk-lib, constructs and Node.js: the code that asked aws-cdk-lib for what warned. */
export function firstOutsideFrame(frames: readonly Frame[]): Frame | undefined {
  return frames.find((f) => !['aws-cdk-lib', 'constructs', 'node'].includes(sourceOfFile(f.file)));
}

/** Whether a finding is one of aws-cdk-lib's own deprecations listed in `AWS_CDK_LIB_OWN`. */
export function isListedAwsCdkLibOwn(f: Finding): boolean {
  return f.kind === 'deprecation' && f.source === 'aws-cdk-lib'
    && AWS_CDK_LIB_OWN.some((e) => f.message.startsWith(`${e.api} is deprecated`) && e.caller.test(f.where));
}

function preload(report: string, app: string): void {
  Error.stackTraceLimit = 100;
  const record = (f: Omit<Finding, 'app'>): void => fs.appendFileSync(report, `${JSON.stringify({ app, ...f })}\n`);
  let claimed = 0;

  const warn = console.warn.bind(console);
  console.warn = (...args: unknown[]): void => {
    const text = args.map(String).join(' ');
    const m = /^\[WARNING\] (\S+) is deprecated/.exec(text);
    if (m) {
      const { api, caller } = deprecationCaller(framesOf((new Error().stack ?? '').split('\n').slice(1)));
      record({
        kind: 'deprecation',
        source: caller ? sourceOfFile(caller.file) : 'unknown',
        message: text.replace(/^\[WARNING\] /, '').replace(/\s+/g, ' '),
        where: `${caller?.text ?? '(no caller frame)'} calling ${api?.text ?? '?'}`,
      });
    }
    claimed++;
    try { warn(...args); } finally { claimed--; }
  };

  process.on('warning', (w) => {
    const frames = framesOf((w.stack ?? '').split('\n').slice(1));
    const caller = frames.find((f) => sourceOfFile(f.file) !== 'node');
    record({ kind: 'node-warning', source: caller ? sourceOfFile(caller.file) : 'node', message: `${w.name}: ${w.message}`, where: caller?.text ?? '(Node.js)' });
  });

  const write = process.stderr.write.bind(process.stderr) as (...a: unknown[]) => boolean;
  process.stderr.write = ((chunk: unknown, ...rest: unknown[]): boolean => {
    const text = String(chunk);
    // Node.js prints a process warning as `(node:<pid>) <name>: ...`; the 'warning' listener above records it.
    const nodeWarning = /^\(node:\d+\) /.test(text) || /^\(Use `node --trace-/.test(text);
    if (claimed === 0 && !nodeWarning && text.trim()) record({ kind: 'stderr', source: 'unknown', message: text.trim(), where: '(stderr)' });
    return write(chunk, ...rest);
  }) as typeof process.stderr.write;

  // The annotations, once the app is synthesized (the same aws-cdk-lib as the app's).
  const cdk = createRequire(path.join(process.cwd(), 'app.js'))('aws-cdk-lib');
  const synth = cdk.App.prototype.synth;
  let walked = false;
  cdk.App.prototype.synth = function synthAndRecord(this: any, ...args: unknown[]) {
    const assembly = synth.apply(this, args);
    if (walked) return assembly;
    walked = true;
    for (const c of this.node.findAll()) {
      for (const entry of c.node.metadata as Array<{ type: string; data: unknown; trace?: string[] }>) {
        if (entry.type !== 'aws:cdk:warning' && entry.type !== 'aws:cdk:error') continue;
        const frame = firstOutsideFrame(framesOf(entry.trace ?? []));
        const owner = libraryAncestor(c);
        record({
          kind: 'annotation',
          source: frame ? sourceOfFile(frame.file) : owner ? 'library' : 'app',
          message: `${entry.type === 'aws:cdk:error' ? 'error' : 'warning'}: ${String(entry.data)}`,
          where: frame?.text ?? '(no trace)',
          construct: `/${c.node.path}`,
          libraryConstruct: owner,
        });
      }
    }
    recordValidationReport(path.join(assembly.directory, 'validation-report.json'), this, record);
    return assembly;
  };
}

interface ValidationReport {
  readonly pluginReports?: Array<{
    readonly pluginName: string;
    readonly violations?: Array<{
      readonly ruleName: string;
      readonly description: string;
      readonly severity?: string;
      readonly violatingConstructs?: Array<{ readonly constructPath?: string; readonly stackTraces?: string[] }>;
    }>;
  }>;
}

/** The unacknowledged violations of aws-cdk-lib's policy validation report, if the synth wrote one. */
function recordValidationReport(file: string, app: any, record: (f: Omit<Finding, 'app'>) => void): void {
  if (!fs.existsSync(file)) return;
  const report = JSON.parse(fs.readFileSync(file, 'utf8')) as ValidationReport;
  for (const plugin of report.pluginReports ?? []) {
    for (const v of plugin.violations ?? []) {
      for (const c of v.violatingConstructs ?? [{}]) {
        const construct = c.constructPath ? findByPath(app, c.constructPath) : undefined;
        const owner = construct ? libraryAncestor(construct) : undefined;
        record({
          kind: 'validation',
          source: owner ? 'library' : 'app',
          message: `${plugin.pluginName} ${v.severity ?? 'error'} ${v.ruleName}: ${v.description}`,
          where: (c.stackTraces?.[0] ?? '(no trace)').replace(/\s*\n\s*/g, ' <- '),
          construct: c.constructPath ? `/${c.constructPath}` : undefined,
          libraryConstruct: owner,
        });
      }
    }
  }
}

function findByPath(app: any, constructPath: string): any {
  return app.node.findAll().find((c: any) => c.node.path === constructPath);
}

/** The nearest enclosing construct whose class this library exports (jsii fqn `cdk-cognito-m2m.*`): `<fqn> at /path`. */
function libraryAncestor(c: any): string | undefined {
  for (let s = c; s; s = s.node.scope) {
    const fqn: unknown = s.constructor?.[Symbol.for('jsii.rtti')]?.fqn;
    if (typeof fqn === 'string' && fqn.startsWith(`${PACKAGE}.`)) return `${fqn} at /${s.node.path}`;
  }
  return undefined;
}

function summarize(report: string): number {
  const findings: Finding[] = fs.existsSync(report)
    ? fs.readFileSync(report, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Finding)
    : [];
  const failing = findings.filter((f) => !isListedAwsCdkLibOwn(f));
  for (const f of findings) {
    const mark = isListedAwsCdkLibOwn(f) ? 'listed aws-cdk-lib own' : 'FAIL';
    process.stdout.write(`${mark}  ${f.app}  ${f.kind} from ${f.source}: ${f.message}\n    at ${f.where}${f.construct ? `\n    construct ${f.construct}${f.libraryConstruct ? ` (inside ${f.libraryConstruct})` : ''}` : ''}\n`);
  }
  const bySource = new Map<string, number>();
  for (const f of failing) bySource.set(f.source, (bySource.get(f.source) ?? 0) + 1);
  process.stdout.write(failing.length === 0
    ? `no warning, deprecation or stderr output (${findings.length} listed aws-cdk-lib own)\n`
    : `${failing.length} finding(s): ${[...bySource].sort(([a], [b]) => a.localeCompare(b)).map(([s, n]) => `${n} from ${s}`).join(', ')}\n`);
  return failing.length === 0 ? 0 : 1;
}

if (require.main === module) {
  const [command, report] = process.argv.slice(2);
  if (command !== 'summarize' || !report) {
    process.stderr.write(`usage: node ${path.basename(__filename)} summarize <report.jsonl>\n`);
    process.exit(2);
  }
  process.exit(summarize(report));
} else if (process.env.LIBRARY_WARNINGS_REPORT) {
  preload(process.env.LIBRARY_WARNINGS_REPORT, process.env.LIBRARY_WARNINGS_APP ?? path.basename(process.argv[1] ?? 'app'));
}
