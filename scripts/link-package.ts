/**
 * Makes `cdk-cognito-m2m` resolve, from examples/, to this repository's
 * compiled package (`examples/node_modules/cdk-cognito-m2m` → the repository
 * root: `out/`, typings, `assets/`), as an installed package would, and
 * `cdk-cognito-m2m-token-client` to `token-client/` (its `dist/`). Run after
 * every compile (post-compile), so the type checker, ESLint and the examples
 * runner all see it.
 */
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..');

export function linkPackage(): void {
  link('cdk-cognito-m2m', ROOT, path.join(ROOT, 'out', 'index.js'), 'npx projen compile');
  // The token client package, for the consumer example's Lambda handler.
  const tokenClient = path.join(ROOT, 'token-client');
  link('cdk-cognito-m2m-token-client', tokenClient, path.join(tokenClient, 'dist', 'index.js'), 'npx projen token-client:compile');
}

function link(name: string, target: string, built: string, build: string): void {
  if (!fs.existsSync(built)) {
    throw new Error(`${path.relative(ROOT, built)} is missing: the examples use the compiled ${name} package; run \`${build}\` first`);
  }
  const at = path.join(ROOT, 'examples', 'node_modules', name);
  if (fs.existsSync(at)) return;
  fs.mkdirSync(path.dirname(at), { recursive: true });
  fs.symlinkSync(path.relative(path.dirname(at), target), at, 'dir');
}

if (require.main === module) linkPackage();
