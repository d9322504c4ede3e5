/**
 * Bundles every Lambda handler `lambda/<name>/index.ts` into
 * `assets/<name>/index.js` (esbuild: node20, CommonJS, minified, no source
 * map, tree-shaken) and prints each bundle's size.
 *
 * `@aws-sdk/*` stays external: the Node.js 20 Lambda runtime provides AWS SDK
 * v3, and bundling it would add hundreds of KB to every cold start. Everything
 * else (aws-jwt-verify included) is bundled so the function has no
 * node_modules and consumers need neither Docker nor esbuild. In the
 * authorizer, `https` and `stream` are aliased to shims that load them on
 * first use (cold start).
 */
import * as fs from 'fs';
import * as path from 'path';
import { buildSync } from 'esbuild';

const root = path.join(__dirname, '..');
const lambdaDir = path.join(root, 'lambda');

/**
 * Per-handler module substitutions. The authorizer only needs `https` and
 * `stream` (inside aws-jwt-verify) when its JWKS is not cached: shims load
 * them on first use, which takes about 6 ms off the cold start.
 */
const ALIASES: Record<string, Record<string, string>> = {
  authorizer: { https: './lambda/shared/lazy-https.ts', stream: './lambda/shared/lazy-stream.ts' },
};

/** Names of the handlers: directories of lambda/ with an index.ts. */
export function handlerNames(): string[] {
  return fs.readdirSync(lambdaDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && fs.existsSync(path.join(lambdaDir, d.name, 'index.ts')))
    .map((d) => d.name)
    .sort();
}

/** Bundles one handler into `<outDir>/<name>/index.js` (replacing that directory); returns the file. */
export function bundleHandler(name: string, outDir: string = path.join(root, 'assets')): string {
  const outfile = path.join(outDir, name, 'index.js');
  fs.rmSync(path.dirname(outfile), { recursive: true, force: true });
  buildSync({
    entryPoints: [path.join(lambdaDir, name, 'index.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: true,
    sourcemap: false,
    treeShaking: true,
    legalComments: 'none',
    external: ['@aws-sdk/*'],
    alias: ALIASES[name],
    absWorkingDir: root,
    logLevel: 'warning',
  });
  return outfile;
}

if (require.main === module) {
  const names = handlerNames();
  for (const name of names) {
    const file = bundleHandler(name);
    console.log(`assets/${name}/index.js  ${(fs.statSync(file).size / 1024).toFixed(1)} KB`);
  }
  if (names.length === 0) console.log('no handlers found in lambda/');
}
