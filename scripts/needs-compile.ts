/**
 * Whether the package tasks must compile first. `npx projen package:js` (and
 * python, java, dotnet, go) package what `compile` built: the jsii assembly
 * (`.jsii`), the JavaScript in `out/` and the bundled handlers in `assets/`.
 * On a fresh clone they are missing; after a change to what they are built
 * from they are stale. The task `package:compile` runs pre-compile and compile
 * only then (this script is its condition: exit 0 = compile, 1 = up to date),
 * so packaging right after `npm test` or another package task compiles nothing
 * again.
 */
import * as fs from 'fs';
import * as path from 'path';

/** What the package tasks need, relative to the repository root. */
export const BUILT = ['.jsii', 'out/index.js', 'assets'] as const;

/**
 * What the built files come from: the constructs (lib/), the handlers and the
 * web UI bundled into assets/, the README (jsii copies it into the assembly)
 * and package.json (jsii's configuration, the dependencies).
 */
export const SOURCES = ['lib', 'lambda', 'web', 'README.md', 'package.json', 'scripts/bundle-handlers.ts', 'scripts/build-web-ui.ts'] as const;

/** Why `root` must be compiled before packaging, or undefined when its build is current. */
export function compileReason(root: string): string | undefined {
  for (const built of BUILT) {
    if (!fs.existsSync(path.join(root, built))) return `${built} is missing`;
  }
  const assembly = fs.statSync(path.join(root, '.jsii')).mtimeMs;
  for (const source of SOURCES) {
    const newer = newerThan(path.join(root, source), assembly);
    if (newer) return `${path.relative(root, newer)} changed after the last compile`;
  }
  return undefined;
}

/** The first file under `p` (or `p` itself) modified after `mtimeMs`. */
function newerThan(p: string, mtimeMs: number): string | undefined {
  if (!fs.existsSync(p)) return undefined;
  const stat = fs.statSync(p);
  if (!stat.isDirectory()) return stat.mtimeMs > mtimeMs ? p : undefined;
  for (const entry of fs.readdirSync(p)) {
    if (entry === 'node_modules') continue;
    const found = newerThan(path.join(p, entry), mtimeMs);
    if (found) return found;
  }
  return undefined;
}

if (require.main === module) {
  const reason = compileReason(path.resolve(__dirname, '..'));
  if (reason) {
    console.log(`package: compiling first (${reason})`);
    process.exit(0);
  }
  process.exit(1);
}
