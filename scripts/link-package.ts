/**
 * Makes `cdk-cognito-m2m` resolve, from examples/, to this repository's
 * compiled package (`examples/node_modules/cdk-cognito-m2m` → the repository
 * root: `out/`, typings, `assets/`), as an installed package would. Run after
 * every compile (post-compile), so the type checker, ESLint and the examples
 * runner all see it.
 */
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..');

export function linkPackage(): void {
  if (!fs.existsSync(path.join(ROOT, 'out', 'index.js'))) {
    throw new Error('out/index.js is missing: the examples use the compiled package; run `npx projen compile` first');
  }
  const link = path.join(ROOT, 'examples', 'node_modules', 'cdk-cognito-m2m');
  if (fs.existsSync(link)) return;
  fs.mkdirSync(path.dirname(link), { recursive: true });
  fs.symlinkSync(path.relative(path.dirname(link), ROOT), link, 'dir');
}

if (require.main === module) linkPackage();
