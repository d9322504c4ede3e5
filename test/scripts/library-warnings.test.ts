/**
 * scripts/library-warnings.ts, which scripts/cdk-versions.sh preloads into
 * each app it synthesizes: every kind of warning an app can give is
 * recorded, and blamed on the code that caused it (this library, the app,
 * aws-cdk-lib itself), so that the check fails on the library's warnings
 * and names aws-cdk-lib's own noise precisely.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildSync } from 'esbuild';
import { deprecationCaller, Finding, framesOf, sourceOfFile } from '../../scripts/library-warnings';

const ROOT = path.join(__dirname, '..', '..');

describe('who a frame belongs to', () => {
  test.each([
    ['/app/node_modules/cdk-cognito-m2m/lib/portal-user-pool.js', 'library'],
    ['/app/node_modules/aws-cdk-lib/core/lib/cfn-resource.js', 'aws-cdk-lib'],
    ['/app/node_modules/cdk-nag/lib/nag-pack.js', 'cdk-nag'],
    ['/app/node_modules/constructs/lib/construct.js', 'constructs'],
    ['node:internal/modules/cjs/loader', 'node'],
    ['/app/bin/reference-stack.js', 'app'],
  ])('%s: %s', (file, source) => {
    expect(sourceOfFile(file)).toBe(source);
  });

  test('a deprecation is blamed on the caller of the deprecated API, past jsii\'s checks and aws-cdk-lib\'s decorator wrappers', () => {
    const frames = framesOf([
      'Error',
      '    at console.warn (/w/library-warnings.js:1:1)',
      '    at Object.print (/app/node_modules/aws-cdk-lib/.warnings.jsii.js:1:10)',
      '    at Object.aws_cdk_lib_aws_lambda_FunctionProps (/app/node_modules/aws-cdk-lib/.warnings.jsii.js:1:20)',
      '    at new Function2 (/app/node_modules/aws-cdk-lib/aws-lambda/lib/function.js:1:30)',
      '    at new Function2 (/app/node_modules/aws-cdk-lib/core/lib/no-box-stack-traces.js:1:447)',
      '    at new Function2 (/app/node_modules/aws-cdk-lib/core/lib/prop-injectable.js:1:957)',
      '    at handlerFunction (/app/node_modules/cdk-cognito-m2m/lib/private/handler-function.js:40:14)',
      '    at new TenantClaim (/app/node_modules/cdk-cognito-m2m/lib/tenant-claim.js:90:5)',
    ]);
    const { api, caller } = deprecationCaller(frames);
    expect(api?.text).toBe('new Function2 (/app/node_modules/aws-cdk-lib/aws-lambda/lib/function.js:1:30)');
    expect(caller?.text).toBe('handlerFunction (/app/node_modules/cdk-cognito-m2m/lib/private/handler-function.js:40:14)');
    expect(sourceOfFile(caller!.file)).toBe('library');
  });

  test('aws-cdk-lib calling its own deprecated API is aws-cdk-lib\'s', () => {
    const { caller } = deprecationCaller(framesOf([
      '    at Object.print (/app/node_modules/aws-cdk-lib/.warnings.jsii.js:1:10)',
      '    at CfnResource.addDependency (/app/node_modules/aws-cdk-lib/core/lib/cfn-resource.js:1:5)',
      '    at operate (/app/node_modules/aws-cdk-lib/core/lib/deps.js:1:900)',
      '    at new PortalUserPool (/app/node_modules/cdk-cognito-m2m/lib/portal-user-pool.js:1:1)',
    ]));
    expect(caller && sourceOfFile(caller.file)).toBe('aws-cdk-lib');
  });
});

describe('preloaded into an app', () => {
  let dir: string;

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'library-warnings-'));
    buildSync({ entryPoints: [path.join(ROOT, 'scripts', 'library-warnings.ts')], outfile: path.join(dir, 'library-warnings.js'), platform: 'node', format: 'cjs', logLevel: 'warning' });
    // An installed app: aws-cdk-lib and constructs (this repository's), and a stand-in for the library.
    fs.mkdirSync(path.join(dir, 'node_modules', 'cdk-cognito-m2m'), { recursive: true });
    for (const dep of ['aws-cdk-lib', 'constructs']) fs.symlinkSync(path.join(ROOT, 'node_modules', dep), path.join(dir, 'node_modules', dep), 'dir');
    fs.writeFileSync(path.join(dir, 'node_modules', 'cdk-cognito-m2m', 'index.js'), `
const { Annotations, CfnResource } = require('aws-cdk-lib');
const { Construct } = require('constructs');
class Thing extends Construct {
  constructor(scope, id) {
    super(scope, id);
    const a = new CfnResource(this, 'A', { type: 'AWS::SNS::Topic' });
    const b = new CfnResource(this, 'B', { type: 'AWS::SNS::Topic' });
    a.addDependsOn(b); // deprecated in every aws-cdk-lib 2 this package accepts
    Annotations.of(b).addWarningV2('test:libraryWarning', 'the library warns');
  }
}
Thing[Symbol.for('jsii.rtti')] = { fqn: 'cdk-cognito-m2m.Thing', version: '0.0.0' };
module.exports = { Thing };
`);
    fs.writeFileSync(path.join(dir, 'app.js'), `
const { Annotations, App, Stack } = require('aws-cdk-lib');
const { Thing } = require('cdk-cognito-m2m');
const app = new App();
const stack = new Stack(app, 'S');
new Thing(stack, 'Thing');
Annotations.of(stack).addWarningV2('test:appWarning', 'the app warns');
process.emitWarning('something is off', 'ExperimentalWarning');
process.stderr.write('stray text\\n');
app.synth();
`);
  });

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('records the library\'s deprecation and warning, the app\'s warning, a process warning and stray stderr; the summary fails', () => {
    const report = path.join(dir, 'report.jsonl');
    const run = spawnSync(process.execPath, ['-r', './library-warnings.js', './app.js'], {
      cwd: dir,
      env: { ...process.env, LIBRARY_WARNINGS_REPORT: report, LIBRARY_WARNINGS_APP: 'test-app', CDK_OUTDIR: path.join(dir, 'out'), JSII_DEPRECATED: 'warn' },
      encoding: 'utf8',
    });
    expect({ status: run.status, stderr: run.status === 0 ? '' : run.stderr }).toEqual({ status: 0, stderr: '' });
    const findings = fs.readFileSync(report, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Finding);
    const brief = findings.map(({ kind, source, message, construct, libraryConstruct }) => ({ kind, source, message, construct, libraryConstruct }));
    expect(brief).toEqual(expect.arrayContaining([
      {
        kind: 'deprecation',
        source: 'library',
        message: expect.stringMatching(/^aws-cdk-lib\.CfnResource#addDependsOn is deprecated/),
        construct: undefined,
        libraryConstruct: undefined,
      },
      { kind: 'node-warning', source: 'app', message: 'ExperimentalWarning: something is off', construct: undefined, libraryConstruct: undefined },
      { kind: 'stderr', source: 'unknown', message: 'stray text', construct: undefined, libraryConstruct: undefined },
      { kind: 'annotation', source: 'library', message: 'warning: the library warns [ack: test:libraryWarning]', construct: '/S/Thing/B', libraryConstruct: 'cdk-cognito-m2m.Thing at /S/Thing' },
      { kind: 'annotation', source: 'app', message: 'warning: the app warns [ack: test:appWarning]', construct: '/S', libraryConstruct: undefined },
    ]));
    expect(findings).toHaveLength(5);
    expect(findings.find((f) => f.kind === 'deprecation')!.where).toMatch(/^new Thing \(.*node_modules\/cdk-cognito-m2m\/index\.js:9:\d+\) calling CfnResource\.addDependsOn/);

    const summary = spawnSync(process.execPath, ['./library-warnings.js', 'summarize', report], { cwd: dir, encoding: 'utf8' });
    expect(summary.status).toBe(1);
    expect(summary.stdout).toContain('5 finding(s): 2 from app, 2 from library, 1 from unknown');
  });

  test('an app that warns about nothing passes the summary', () => {
    fs.writeFileSync(path.join(dir, 'quiet.js'), 'const { App, Stack } = require(\'aws-cdk-lib\'); const app = new App(); new Stack(app, \'S\'); app.synth();\n');
    const report = path.join(dir, 'quiet.jsonl');
    const run = spawnSync(process.execPath, ['-r', './library-warnings.js', './quiet.js'], {
      cwd: dir, env: { ...process.env, LIBRARY_WARNINGS_REPORT: report, CDK_OUTDIR: path.join(dir, 'quiet-out') }, encoding: 'utf8',
    });
    expect(run.status).toBe(0);
    const summary = spawnSync(process.execPath, ['./library-warnings.js', 'summarize', report], { cwd: dir, encoding: 'utf8' });
    expect(summary.stdout).toBe('no warning, deprecation or stderr output (0 listed aws-cdk-lib own)\n');
    expect(summary.status).toBe(0);
  });
});
