/**
 * Bundles every Lambda handler `lambda/<name>/index.ts` into
 * `assets/<name>/index.js` (esbuild: node20, CommonJS, minified, no source
 * map, tree-shaken) and prints each bundle's size.
 *
 * `@aws-sdk/*` stays external: the Node.js 20 Lambda runtime provides AWS SDK
 * v3, and bundling it would add hundreds of KB to every cold start. Everything
 * else (aws-jwt-verify included) is bundled so the function has no
 * node_modules and consumers need neither Docker nor esbuild. In the
 * authorizer, `https` is aliased to a shim that loads it on first use (cold
 * start). aws-jwt-verify is bundled as published, through its public
 * exports only: none of its modules is replaced and no property is renamed
 * (docs/upgrading-aws-jwt-verify.md).
 */
import * as fs from 'fs';
import * as path from 'path';
import { build } from 'esbuild';
import { buildWebUi } from './build-web-ui';

const root = path.join(__dirname, '..');
const lambdaDir = path.join(root, 'lambda');

/**
 * Per-handler module substitutions. The authorizer only needs `https` when
 * its JWKS is not cached: a shim loads it on first use, which takes about
 * 5 ms off the cold start.
 */
const AUTHORIZER_ALIASES = { https: './lambda/shared/lazy-https.ts' };
const ALIASES: Record<string, Record<string, string>> = {
  'authorizer': AUTHORIZER_ALIASES,
  'authorizer-directory': AUTHORIZER_ALIASES,
  'authorizer-registry': AUTHORIZER_ALIASES,
  'authorizer-portal': AUTHORIZER_ALIASES,
};

/** Names of the handlers: directories of lambda/ with an index.ts. */
export function handlerNames(): string[] {
  return fs.readdirSync(lambdaDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && fs.existsSync(path.join(lambdaDir, d.name, 'index.ts')))
    .map((d) => d.name)
    .sort();
}

/** Bundles one handler into `<outDir>/<name>/index.js` (replacing that directory); returns the file. */
export async function bundleHandler(name: string, outDir: string = path.join(root, 'assets')): Promise<string> {
  const outfile = path.join(outDir, name, 'index.js');
  fs.rmSync(path.dirname(outfile), { recursive: true, force: true });
  await build({
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

async function main(): Promise<void> {
  const names = handlerNames();
  for (const name of names) {
    const file = await bundleHandler(name);
    console.log(`assets/${name}/index.js  ${(fs.statSync(file).size / 1024).toFixed(1)} KB`);
  }
  if (names.length === 0) console.log('no handlers found in lambda/');
  buildWebUi(path.join(root, 'assets', 'portal-ui'));
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
