/** The npm tarball users install: the repository's scripts, devDependencies and test config are not in its package.json. */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { cleanTarball, publishedManifest } from '../../scripts/published-package';

const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8'));

test('the published package.json keeps what npm and jsii need and drops what only the repository uses', () => {
  const published = publishedManifest(manifest);
  for (const field of ['scripts', 'devDependencies', 'jest', 'devEngines', '//']) expect(published).not.toHaveProperty([field]);
  for (const field of ['name', 'version', 'main', 'types', 'peerDependencies', 'jsii', 'license', 'repository', 'engines']) {
    expect(published[field]).toEqual(manifest[field]);
  }
  // The repository itself still has its prepare script (a clone bundles the handlers on npm install).
  expect(manifest.scripts.prepare).toMatch(/bundle-handlers/);
});

test('cleanTarball rewrites the package.json inside a tarball and leaves the other files', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tarball-'));
  try {
    fs.mkdirSync(path.join(dir, 'package', 'out'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'package', 'package.json'), JSON.stringify({ name: 'x', scripts: { prepare: 'build' }, devDependencies: { jest: '1' } }));
    fs.writeFileSync(path.join(dir, 'package', 'out', 'index.js'), 'module.exports = 1;\n');
    const tarball = path.join(dir, 'x.tgz');
    execFileSync('tar', ['-czf', tarball, '-C', dir, 'package']);
    cleanTarball(tarball);
    const out = path.join(dir, 'unpacked');
    fs.mkdirSync(out);
    execFileSync('tar', ['-xzf', tarball, '-C', out]);
    expect(JSON.parse(fs.readFileSync(path.join(out, 'package', 'package.json'), 'utf8'))).toEqual({ name: 'x' });
    expect(fs.readFileSync(path.join(out, 'package', 'out', 'index.js'), 'utf8')).toBe('module.exports = 1;\n');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the npm tarball ships what users need (compiled constructs, typings, the assembly, the bundled handlers) and no contributor material', () => {
  const root = path.join(__dirname, '..', '..');
  // --ignore-scripts: `prepare` would bundle the handlers again; npm test has just built them.
  const [pack] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' }));
  const files: string[] = pack.files.map((f: { path: string }) => f.path);
  const outside = files.filter((f) => !/^(out\/.*\.(js|d\.ts)|assets\/.+|\.jsii|README\.md|LICENSE|package\.json)$/.test(f));
  expect(outside).toEqual([]);
  for (const needed of ['out/index.js', 'out/index.d.ts', '.jsii', 'README.md', 'LICENSE', 'package.json']) expect(files).toContain(needed);
  expect(files.some((f) => f.startsWith('assets/authorizer/'))).toBe(true);
});
