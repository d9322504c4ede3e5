/**
 * Checks the CloudFormation templates of the reference app (bin/) and of
 * every example (examples/*.ts), nested stack templates included, against
 * CloudFormation's resource schemas with AWS's cfn-lint (`npx projen cfn-lint`,
 * part of `npm test`).
 *
 * 1. Installs cfn-lint CFN_LINT_VERSION into a virtualenv in `.venv-cfn-lint/`
 *    (git-ignored), reused while its version matches. Needs `python3` 3.9 or
 *    later with the venv module (`CFN_LINT_PYTHON` names another interpreter).
 * 2. Synthesizes the reference stack into a temporary directory (without the
 *    compliance packs: `npx cdk synth` and the tests run those), and takes the
 *    examples' cloud assemblies from `--examples-from DIR` (written there by
 *    the examples task with `EXAMPLES_CDK_OUT=DIR`) or, without that option,
 *    synthesizes them itself through scripts/synth-examples.ts.
 * 3. Lints every `*.template.json` (identical templates once), in one cfn-lint
 *    process per CPU, with the settings and explained ignores of `.cfnlintrc.yaml`,
 *    and exits 1 on any error or warning left.
 *
 * `--install-only` stops after step 1 (tests that read cfn-lint's schemas use it).
 */
import { ChildProcess, execFileSync, spawn } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..');

/** The cfn-lint release the templates are checked with; change it on purpose, after reading its changelog. */
export const CFN_LINT_VERSION = '1.58.0';

/** The virtualenv holding cfn-lint (git-ignored). */
export const VENV_DIR = path.join(ROOT, '.venv-cfn-lint');

/** The settings file: regions, and each ignored rule with its reason. */
export const CONFIG_FILE = path.join(ROOT, '.cfnlintrc.yaml');

/** Written into the virtualenv once cfn-lint is installed: its version. */
const MARKER = '.cfn-lint-version';

/** Runs cfn-lint's entry point with the virtualenv's interpreter, wherever the virtualenv was built. */
const RUN_CFN_LINT = 'import sys; from cfnlint.runner import main; sys.argv[0] = "cfn-lint"; sys.exit(main())';

/** An installed cfn-lint. */
export interface CfnLint {
  readonly python: string;
  readonly version: string;
  /** cfn-lint's copy of CloudFormation's resource schemas (`providers/<region>.json` → `resources/<hash>.json`). */
  readonly schemasDir: string;
}

/** One finding, from cfn-lint's parseable output. */
export interface Finding {
  readonly file: string;
  readonly line: number;
  readonly rule: string;
  readonly message: string;
}

function venvPython(venv: string): string {
  return process.platform === 'win32' ? path.join(venv, 'Scripts', 'python.exe') : path.join(venv, 'bin', 'python');
}

function installedIn(venv: string): CfnLint | undefined {
  const python = venvPython(venv);
  const marker = path.join(venv, MARKER);
  if (!fs.existsSync(python) || !fs.existsSync(marker)) return undefined;
  if (fs.readFileSync(marker, 'utf8').trim() !== CFN_LINT_VERSION) return undefined;
  try {
    // The interpreter the virtualenv links to may have been removed since.
    fs.realpathSync(python);
  } catch {
    return undefined;
  }
  const lib = process.platform === 'win32' ? [path.join(venv, 'Lib')] : fs.readdirSync(path.join(venv, 'lib')).map((d) => path.join(venv, 'lib', d));
  const schemasDir = lib.map((d) => path.join(d, 'site-packages', 'cfnlint', 'data', 'schemas')).find((d) => fs.existsSync(d));
  return schemasDir ? { python, version: CFN_LINT_VERSION, schemasDir } : undefined;
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Returns cfn-lint CFN_LINT_VERSION, installing it first when `.venv-cfn-lint/`
 * lacks it. One caller installs at a time (a lock directory; parallel jest
 * workers wait for it), into a virtualenv built beside `.venv-cfn-lint/` and
 * renamed into place, so nobody sees half an install.
 */
export function ensureCfnLint(log: (line: string) => void = () => undefined): CfnLint {
  const ready = installedIn(VENV_DIR);
  if (ready) return ready;
  const lock = `${VENV_DIR}.lock`;
  const deadline = Date.now() + 10 * 60_000;
  for (;;) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    // Another process installs: wait for it (a lock older than 10 minutes is left from a killed run).
    const done = installedIn(VENV_DIR);
    if (done) return done;
    let age = 0;
    try {
      age = Date.now() - fs.statSync(lock).mtimeMs;
    } catch {
      continue;
    }
    if (age > 10 * 60_000 || Date.now() > deadline) fs.rmSync(lock, { recursive: true, force: true });
    else sleep(500);
  }
  try {
    return installedIn(VENV_DIR) ?? install(log);
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

function install(log: (line: string) => void): CfnLint {
  const base = process.env.CFN_LINT_PYTHON ?? 'python3';
  const building = `${VENV_DIR}.build-${process.pid}-${Date.now()}`;
  log(`Installing cfn-lint ${CFN_LINT_VERSION} into ${path.relative(ROOT, VENV_DIR)}/ (${base})`);
  try {
    execFileSync(base, ['-c', 'import sys; sys.exit(0 if sys.version_info >= (3, 9) else "cfn-lint needs Python 3.9 or later, found " + sys.version)'], { stdio: 'pipe' });
    execFileSync(base, ['-m', 'venv', building], { stdio: 'pipe' });
    execFileSync(venvPython(building), ['-m', 'pip', 'install', '--disable-pip-version-check', '--no-input', '--quiet', `cfn-lint==${CFN_LINT_VERSION}`], { stdio: 'pipe' });
    fs.writeFileSync(path.join(building, MARKER), `${CFN_LINT_VERSION}\n`);
  } catch (err) {
    fs.rmSync(building, { recursive: true, force: true });
    const e = err as { stderr?: Buffer; message: string };
    throw new Error(`Could not install cfn-lint ${CFN_LINT_VERSION} with ${base} (set CFN_LINT_PYTHON to a Python 3.9+ interpreter with the venv module): ${e.stderr?.toString().trim() || e.message}`);
  }
  if (fs.existsSync(VENV_DIR) && !installedIn(VENV_DIR)) {
    // An older version (or a broken install): move it aside, then remove it.
    const old = `${VENV_DIR}.old-${process.pid}-${Date.now()}`;
    fs.renameSync(VENV_DIR, old);
    fs.rmSync(old, { recursive: true, force: true });
  }
  fs.renameSync(building, VENV_DIR);
  const installed = installedIn(VENV_DIR);
  if (!installed) throw new Error(`cfn-lint ${CFN_LINT_VERSION} is still missing from ${VENV_DIR} after installing it`);
  return installed;
}

/** The CloudFormation resource schema of a type, as cfn-lint ships it for a Region. */
export function resourceSchema(cfnLint: CfnLint, typeName: string, region = 'us-east-1'): any {
  const providers = JSON.parse(fs.readFileSync(path.join(cfnLint.schemasDir, 'providers', `${region}.json`), 'utf8'));
  const hash: string | undefined = providers[typeName];
  if (!hash) throw new Error(`cfn-lint ${cfnLint.version} has no schema for ${typeName} in ${region}`);
  return JSON.parse(fs.readFileSync(path.join(cfnLint.schemasDir, 'resources', `${hash}.json`), 'utf8'));
}

/** A value CloudFormation accepts in an enum property that cfn-lint's copy of the schema does not list yet. */
interface EnumValueAddition {
  readonly typeName: string;
  readonly property: string;
  readonly value: string;
  readonly reason: string;
}

/** A property CloudFormation accepts that cfn-lint's copy of the schema does not define yet, with its schema and definitions. */
interface PropertyAddition {
  readonly typeName: string;
  readonly property: string;
  readonly schema: object;
  readonly definitions: Record<string, object>;
  readonly reason: string;
}

/**
 * The JWT authorizer of REST APIs (M2mAuthorizer.jwt()), as CloudFormation's
 * template reference defines `AWS::ApiGateway::Authorizer` `JwtConfiguration`
 * and its `JwtIssuer` and `JwtAdditionalClaim` types (every property, its
 * type and whether it is required), with the values the API reference allows
 * (algorithms; `SINGLE_STRING`, the only claim format).
 *
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-apigateway-authorizer-jwtconfiguration.html
 * @see https://docs.aws.amazon.com/apigateway/latest/api/API_JwtAdditionalClaim.html
 */
const JWT_CONFIGURATION: PropertyAddition = {
  typeName: 'AWS::ApiGateway::Authorizer',
  property: 'JwtConfiguration',
  schema: { $ref: '#/definitions/JwtConfiguration' },
  definitions: {
    JwtConfiguration: {
      type: 'object',
      additionalProperties: false,
      properties: {
        DefaultAlgorithms: { type: 'array', items: { type: 'string', enum: ['RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512'] } },
        Issuers: { type: 'array', items: { $ref: '#/definitions/JwtIssuer' } },
      },
      required: ['DefaultAlgorithms', 'Issuers'],
    },
    JwtIssuer: {
      type: 'object',
      additionalProperties: false,
      properties: {
        Issuer: { type: 'string' },
        Audiences: { type: 'array', items: { type: 'string' } },
        AdditionalClaims: { type: 'array', items: { $ref: '#/definitions/JwtAdditionalClaim' } },
      },
      required: ['Issuer', 'Audiences'],
    },
    JwtAdditionalClaim: {
      type: 'object',
      additionalProperties: false,
      properties: {
        ClaimName: { type: 'string' },
        Format: { type: 'string', enum: ['SINGLE_STRING'] },
        ExpectedValues: { type: 'array', items: { type: 'string' } },
        Required: { type: 'boolean' },
      },
      required: ['ClaimName', 'Format'],
    },
  },
  reason: 'API Gateway\'s JWT authorizer for REST APIs (M2mAuthorizer.jwt()); cfn-lint\'s schema predates it',
};

/**
 * What CloudFormation accepts but cfn-lint's copy of the schema does not know
 * yet. Each addition goes into that copy (`--registry-schemas`), so the rules
 * keep checking everything else of the resource type.
 */
export const SCHEMA_ADDITIONS: ReadonlyArray<EnumValueAddition | PropertyAddition> = [
  {
    typeName: 'AWS::Cognito::UserPoolClient',
    property: 'ExplicitAuthFlows',
    value: 'ALLOW_CLIENT_TOKEN_AUTH',
    // GetClientToken (Aug 2026) needs this flow as the client's only one, and
    // AWS's own GetClientToken example deploys it with CloudFormation; cfn-lint's
    // enum (taken from the Cognito API model) predates it (E3030).
    reason: 'the GetClientToken flow (TenantAppClient clientTokenAuth); cfn-lint\'s enum predates it',
  },
  JWT_CONFIGURATION,
];

/**
 * Writes the schemas of SCHEMA_ADDITIONS into `dir` and returns the notes
 * about additions cfn-lint no longer needs.
 */
export function writeSchemaAdditions(cfnLint: CfnLint, dir: string): string[] {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const notes: string[] = [];
  const byType = new Map<string, any>();
  for (const a of SCHEMA_ADDITIONS) {
    const schema = byType.get(a.typeName) ?? resourceSchema(cfnLint, a.typeName);
    if ('schema' in a) {
      if (schema.properties?.[a.property] !== undefined) {
        notes.push(`cfn-lint ${cfnLint.version} already defines ${a.typeName}.${a.property}: remove its entry from SCHEMA_ADDITIONS`);
        continue;
      }
      schema.properties = { ...schema.properties, [a.property]: a.schema };
      schema.definitions = { ...schema.definitions, ...a.definitions };
    } else {
      const enumOf: string[] | undefined = schema.properties?.[a.property]?.items?.enum ?? schema.properties?.[a.property]?.enum;
      if (!enumOf) throw new Error(`cfn-lint ${cfnLint.version}: ${a.typeName}.${a.property} has no enum: remove its entry from SCHEMA_ADDITIONS`);
      if (enumOf.includes(a.value)) {
        notes.push(`cfn-lint ${cfnLint.version} already accepts ${a.typeName}.${a.property} ${a.value}: remove its entry from SCHEMA_ADDITIONS`);
        continue;
      }
      enumOf.push(a.value);
    }
    byType.set(a.typeName, schema);
  }
  for (const [typeName, schema] of byType) {
    fs.writeFileSync(path.join(dir, `${typeName.replace(/::/g, '-').toLowerCase()}.json`), JSON.stringify(schema));
  }
  return notes;
}

/** Every `*.template.json` under the directories (nested stacks and nested assemblies too), sorted. */
export function findTemplates(dirs: readonly string[]): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory() && !entry.name.startsWith('asset.')) walk(p);
      else if (entry.isFile() && entry.name.endsWith('.template.json')) found.push(p);
    }
  };
  dirs.forEach(walk);
  return found.sort();
}

/** Groups templates by content: cfn-lint checks each distinct template once. */
export function distinctTemplates(files: readonly string[]): Map<string, string[]> {
  const byHash = new Map<string, string[]>();
  for (const f of files) {
    const hash = crypto.createHash('sha256').update(fs.readFileSync(f)).digest('hex');
    byHash.set(hash, [...(byHash.get(hash) ?? []), f]);
  }
  return new Map([...byHash.values()].map((same) => [same[0], same]));
}

/** Splits files into at most `n` groups of about equal total size (largest first). */
export function balance(files: readonly string[], n: number): string[][] {
  const groups = Array.from({ length: Math.max(1, Math.min(n, files.length)) }, () => ({ size: 0, files: [] as string[] }));
  const sized = files.map((f) => ({ f, size: fs.statSync(f).size })).sort((a, b) => b.size - a.size);
  for (const { f, size } of sized) {
    const g = groups.reduce((min, x) => (x.size < min.size ? x : min));
    g.files.push(f);
    g.size += size;
  }
  return groups.map((g) => g.files).filter((g) => g.length > 0);
}

/** Parses cfn-lint's `--format parseable` lines (`file:line:col:endLine:endCol:rule:message`). */
export function parseFindings(output: string): Finding[] {
  const findings: Finding[] = [];
  for (const line of output.split('\n')) {
    const m = /^(.+?\.json):(\d+):\d+:\d+:\d+:([EWI]\d{4}):(.*)$/.exec(line.trim());
    if (m) findings.push({ file: m[1], line: Number(m[2]), rule: m[3], message: m[4] });
  }
  return findings;
}

/** The findings of a lint, and the output of cfn-lint runs that failed without findings (a crash, a bad option). */
export interface LintResult {
  readonly findings: Finding[];
  readonly failures: string[];
}

interface Run {
  readonly code: number;
  readonly output: string;
}

function run(command: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): { child: ChildProcess; done: Promise<Run> } {
  const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => { output += c.toString(); });
  child.stderr!.on('data', (c: Buffer) => { output += c.toString(); });
  const done = new Promise<Run>((resolve) => {
    child.on('error', (err) => resolve({ code: 127, output: `${output}${err.message}` }));
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), output }));
  });
  return { child, done };
}

const SYNTH_ENV = {
  AWS_REGION: 'us-east-1',
  CDK_DISABLE_CLI_TELEMETRY: 'true',
  TS_NODE_TRANSPILE_ONLY: 'true',
};

/** Synthesizes the reference stack, as bin/app.ts declares it, into `outdir`. */
function synthReference(outdir: string): Promise<Run> {
  const code = [
    "const { App } = require('aws-cdk-lib');",
    "const { ReferenceStack } = require('./bin/reference-stack');",
    `const app = new App({ outdir: ${JSON.stringify(outdir)} });`,
    "new ReferenceStack(app, 'CognitoM2mReference');",
    'app.synth();',
  ].join(' ');
  return run(process.execPath, ['-r', 'ts-node/register', '-e', code], { ...SYNTH_ENV, TS_NODE_PROJECT: path.join(ROOT, 'bin', 'tsconfig.json') }).done;
}

/** The example names (examples/*.ts without the extension). */
function exampleNames(): string[] {
  return fs.readdirSync(path.join(ROOT, 'examples'))
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .map((f) => f.slice(0, -'.ts'.length))
    .sort();
}

/** The examples' cloud assemblies: from `from` (one directory per example), or synthesized into `scratch`. */
async function exampleAssemblies(from: string | undefined, scratch: string): Promise<string[]> {
  const names = exampleNames();
  let dir = from;
  if (!dir) {
    dir = path.join(scratch, 'examples');
    const r = await run(process.execPath, ['-r', 'ts-node/register', path.join(__dirname, 'synth-examples.ts')], {
      ...SYNTH_ENV, EXAMPLES_CDK_OUT: dir, TS_NODE_PROJECT: path.join(__dirname, 'tsconfig.json'),
    }).done;
    const incomplete = names.some((n) => !fs.existsSync(path.join(dir!, n, 'manifest.json')));
    if (r.code !== 0 && incomplete) throw new Error(`synthesizing the examples failed:\n${r.output}`);
    // The examples runner also fails on compliance findings (`npx projen examples` reports them);
    // the templates it wrote are still what cfn-lint checks.
    if (r.code !== 0) console.log('Note: the examples runner reported failures other than synthesis (run `npx projen examples`); linting the templates it wrote');
  }
  const missing = names.filter((n) => !fs.existsSync(path.join(dir!, n, 'manifest.json')));
  if (missing.length > 0) {
    throw new Error(`${dir} has no cloud assembly for ${missing.join(', ')}: run the examples with EXAMPLES_CDK_OUT=${dir} first, or omit --examples-from`);
  }
  return names.map((n) => path.join(dir!, n));
}

/** Lints templates with the settings of CONFIG_FILE and the schema additions in `schemaDir`, one cfn-lint process per CPU. */
export async function lintTemplates(cfnLint: CfnLint, schemaDir: string, files: readonly string[]): Promise<LintResult> {
  const groups = balance(files, os.cpus().length);
  const runs = await Promise.all(groups.map((group) => run(cfnLint.python, [
    '-c', RUN_CFN_LINT,
    '--config-file', CONFIG_FILE,
    '--registry-schemas', schemaDir,
    '--format', 'parseable',
    '--', ...group,
  ]).done));
  const findings = runs.flatMap((r) => parseFindings(r.output));
  // Exit codes: 0 clean, 2/4/8 (or their sum) findings of a level; anything else is cfn-lint failing.
  const failures = runs.filter((r) => r.code !== 0 && (r.code > 14 || parseFindings(r.output).length === 0)).map((r) => r.output.trim());
  return { findings, failures };
}

async function main(argv: readonly string[]): Promise<number> {
  const started = Date.now();
  const fromIdx = argv.indexOf('--examples-from');
  const examplesFrom = fromIdx >= 0 ? path.resolve(ROOT, argv[fromIdx + 1] ?? '') : undefined;
  const log = (line: string): void => { console.log(line); };

  const cfnLint = ensureCfnLint(log);
  if (argv.includes('--install-only')) {
    log(`cfn-lint ${cfnLint.version} ready in ${path.relative(ROOT, VENV_DIR)}/ (${((Date.now() - started) / 1000).toFixed(1)}s)`);
    return 0;
  }
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-m2m-cfn-lint-'));
  try {
    const schemaDir = path.join(scratch, 'schemas');
    writeSchemaAdditions(cfnLint, schemaDir).forEach(log);

    // The reference app synthesizes while the examples' templates are linted.
    const referenceDir = path.join(scratch, 'reference');
    const reference = synthReference(referenceDir).then((r) => ({ ...r, seconds: (Date.now() - started) / 1000 }));
    const examples = findTemplates(await exampleAssemblies(examplesFrom, scratch));
    const exampleRun = lintTemplates(cfnLint, schemaDir, [...distinctTemplates(examples).keys()]);
    const ref = await reference;
    if (ref.code !== 0) throw new Error(`synthesizing the reference app failed:\n${ref.output}`);
    const referenceTemplates = findTemplates([referenceDir]);
    const distinct = distinctTemplates([...examples, ...referenceTemplates]).size;
    const [a, b] = await Promise.all([exampleRun, lintTemplates(cfnLint, schemaDir, [...distinctTemplates(referenceTemplates).keys()])]);
    const findings = [...a.findings, ...b.findings];
    const failures = [...a.failures, ...b.failures];

    const shown = (f: string): string => (f.startsWith(scratch) ? path.relative(scratch, f) : path.relative(ROOT, f));
    for (const f of findings) log(`${f.rule}  ${shown(f.file)}:${f.line}  ${f.message}`);
    failures.forEach((out) => process.stderr.write(`cfn-lint failed:\n${out}\n`));
    const total = examples.length + referenceTemplates.length;
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    const ok = findings.length === 0 && failures.length === 0 && total > 0;
    log(`${ok ? 'PASS' : 'FAIL'}  cfn-lint ${cfnLint.version}: ${total} template(s) (${distinct} distinct) of the reference app and ${exampleNames().length} example(s), `
      + `${findings.length} finding(s) (${seconds}s, reference app synthesized in ${ref.seconds.toFixed(1)}s; ignored rules and their reasons: .cfnlintrc.yaml)`);
    return ok ? 0 : 1;
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
}
