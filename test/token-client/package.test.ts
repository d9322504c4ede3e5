/**
 * The token-client package: compiles on its own (strict), has no runtime dependencies,
 * and its sources import only Node.js built-ins and each other.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import { builtinModules } from 'module';
import * as path from 'path';

const ROOT = path.join(__dirname, '..', '..');
const PKG = path.join(ROOT, 'token-client');

test('tsc -p token-client/tsconfig.json --noEmit passes', () => {
  const tsc = require.resolve('typescript/bin/tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', path.join(PKG, 'tsconfig.json'), '--noEmit'], { cwd: ROOT, encoding: 'utf8' });
  // tsc prints every type error to stdout and exits 2 on any.
  expect({ status: r.status, errors: r.stdout.trim() }).toEqual({ status: 0, errors: '' });
});

test('package.json: no runtime dependencies, output and README only, Node 22+ (Node 20 is end-of-life)', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(PKG, 'package.json'), 'utf8')) as Record<string, unknown>;
  expect(pkg).toMatchObject({
    name: 'cdk-cognito-m2m-token-client',
    version: '0.0.0',
    license: 'Apache-2.0',
    main: 'dist/index.js',
    types: 'dist/index.d.ts',
    engines: { node: '>= 22' },
  });
  expect(pkg.dependencies).toBeUndefined();
  expect(pkg.peerDependencies).toBeUndefined();
  expect(pkg.optionalDependencies).toBeUndefined();
  expect((pkg.files as string[]).every((f) => f.startsWith('dist/') || f === 'README.md')).toBe(true);
});

test('sources import only Node.js built-ins and local modules', () => {
  const dir = path.join(PKG, 'src');
  const specifiers = fs.readdirSync(dir).filter((f) => f.endsWith('.ts')).flatMap((f) =>
    [...fs.readFileSync(path.join(dir, f), 'utf8').matchAll(/(?:from|require\()\s*'([^']+)'/g)].map((m) => m[1]));
  expect(specifiers.length).toBeGreaterThan(0);
  const foreign = specifiers.filter((s) => !s.startsWith('./') && !builtinModules.includes(s.replace(/^node:/, '')));
  expect(foreign).toEqual([]);
});
