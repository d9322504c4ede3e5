/**
 * Makes the npm tarball that jsii-pacmak packed (dist/js/*.tgz) ship what
 * users need and nothing else: its package.json loses the repository's
 * scripts (`prepare` bundles the handlers in a clone; an installed package
 * has them built in `assets/`), devDependencies, jest configuration and
 * projen's marker. Run by `npx projen package:js` after jsii-pacmak.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** package.json fields that only matter inside this repository. */
export const REPOSITORY_ONLY_FIELDS = ['scripts', 'devDependencies', 'jest', 'devEngines', '//'] as const;

/** The package.json users receive. */
export function publishedManifest(manifest: Record<string, unknown>): Record<string, unknown> {
  const out = { ...manifest };
  for (const field of REPOSITORY_ONLY_FIELDS) delete out[field];
  return out;
}

/** Rewrites the package.json inside one npm tarball (gzipped tar with a `package/` folder). */
export function cleanTarball(tarball: string): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'published-package-'));
  try {
    execFileSync('tar', ['-xzf', tarball, '-C', dir]);
    const file = path.join(dir, 'package', 'package.json');
    const manifest = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
    fs.writeFileSync(file, `${JSON.stringify(publishedManifest(manifest), undefined, 2)}\n`);
    execFileSync('tar', ['-czf', tarball, '-C', dir, 'package']);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const distJs = path.join(__dirname, '..', 'dist', 'js');
  const tarballs = fs.existsSync(distJs) ? fs.readdirSync(distJs).filter((f) => f.endsWith('.tgz')) : [];
  if (tarballs.length === 0) {
    console.error('no tarball in dist/js: run jsii-pacmak --target js first');
    process.exit(1);
  }
  for (const t of tarballs) {
    cleanTarball(path.join(distJs, t));
    console.log(`dist/js/${t}: ${(fs.statSync(path.join(distJs, t)).size / 1024).toFixed(1)} KB, package.json without ${REPOSITORY_ONLY_FIELDS.join(', ')}`);
  }
}
