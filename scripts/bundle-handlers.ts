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
 * start), aws-jwt-verify's JSON parser, signature check and JWKS cache are
 * replaced by drop-ins (see JWT_VERIFY_DROP_INS), and internal property
 * names are shortened (see AUTHORIZER_MANGLED_PROPS).
 */
import * as fs from 'fs';
import * as path from 'path';
import { build, Plugin } from 'esbuild';
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
  'authorizer-registry': AUTHORIZER_ALIASES,
  'authorizer-portal': AUTHORIZER_ALIASES,
};

/**
 * Property names esbuild shortens in the authorizer bundles (`mangleProps`,
 * about 2.5 KB of 28). A name belongs here only if no object from outside
 * the bundle has it: not a Node.js API, not a key of JSON (tokens, JWKS,
 * routes.json, CLIENT_TENANTS), of an API Gateway event or answer, of a log
 * line or of an AWS SDK call. These are aws-jwt-verify's verifier internals
 * (its classes, the options the authorizer passes, the `#node-web-compat`
 * seam) and the authorizer's own (configuration, dependencies, caches,
 * grants). The build fails if a name is still in the output after mangling
 * (a quoted key, an `in` check, a message): that code reads it as a string,
 * and renaming would break it.
 */
export const AUTHORIZER_MANGLED_PROPS: readonly string[] = [
  // aws-jwt-verify
  'issuersConfig', 'publicKeyCache', 'getIssuerConfig', 'getVerifyParameters', 'withJwksUri', 'verifyDecomposedJwt',
  'verifyDecomposedJwtSync', 'transformJwkToKeyObjectSyncFn', 'transformJwkToKeyObjectAsyncFn', 'publicKeys', 'putKeyObjectInCache',
  'clearCache', 'parseUserPoolId', 'USER_POOL_ID_REGEX', 'jwksCache', 'includeRawJwtInErrors', 'customJwtCheck', 'withRawJwt', 'rawJwt',
  'failedAssertion', 'decomposedJwt', 'verifyProperties', 'headerB64', 'payloadB64', 'signatureB64', 'jwsSigningInput', 'keyObject',
  'graceSeconds', 'transformJwkToKeyObjectSync', 'transformJwkToKeyObjectAsync', 'verifySignatureSync', 'verifySignatureAsync',
  'parseB64UrlString', 'transformPemToJwk', 'defaultFetchTimeouts', 'setTimeoutUnref', 'socketIdle', 'getCachedJwk', 'getJwk', 'getJwks',
  'addJwks',
  // the authorizer
  'scopeIdx', 'reachesAny', 'apiPrefix', 'tokenCacheMaxEntries', 'tokenCacheMaxBytes', 'jwksTimeoutMs', 'maxTokenBytes', 'usageIdentifier',
  'jwksPath', 'penaltyBoxSeconds', 'jwksFailureBackoffMs', 'jwksTransport', 'penaltySeconds', 'failureBackoffMs', 'timeoutMs', 'byKid',
  'recheckAt', 'scopeIndexes', 'expiresAt', 'checkAfter', 'maxEntries', 'maxBytes', 'logLevel', 'tokenCache', 'policies', 'isDebug',
  'fromJson', 'clientIds',
];
const MANGLED: Record<string, readonly string[]> = {
  'authorizer': AUTHORIZER_MANGLED_PROPS,
  'authorizer-registry': AUTHORIZER_MANGLED_PROPS,
  'authorizer-portal': AUTHORIZER_MANGLED_PROPS,
};

/** Fails when a mangled name is still in the bundle (see AUTHORIZER_MANGLED_PROPS). */
export function assertMangled(code: string, names: readonly string[], bundle: string): void {
  const left = names.filter((n) => new RegExp(`(?<![\\w$])${n}(?![\\w$])`).test(code));
  if (left.length > 0) {
    throw new Error(`${bundle}: ${left.join(', ')} still appear after property mangling (read as a string somewhere): `
      + 'remove them from AUTHORIZER_MANGLED_PROPS in scripts/bundle-handlers.ts');
  }
}

/**
 * aws-jwt-verify modules replaced by drop-ins with the same results for what
 * aws-jwt-verify imports from them (see each drop-in's header), keyed by the
 * specifier aws-jwt-verify imports them with; `original` is the replaced
 * file, next to the importer, and `exports` its exports when the drop-in was
 * reviewed. The build fails when the original's exports change (an upgrade
 * must be reviewed), and esbuild fails it when a drop-in lacks a name that
 * aws-jwt-verify imports.
 */
const JWT_VERIFY_DROP_INS: Record<string, { readonly file: string; readonly original: string; readonly exports: readonly string[] }> = {
  './safe-json-parse.js': { file: 'lambda/authorizer/safe-json-parse.ts', original: 'safe-json-parse.js', exports: ['isJsonObject', 'safeJsonParse'] },
  '#node-web-compat': { file: 'lambda/authorizer/node-web-compat.ts', original: 'node-web-compat-node.js', exports: ['nodeWebCompat'] },
  './jwk.js': {
    file: 'lambda/authorizer/jwks.ts',
    original: 'jwk.js',
    exports: [
      'SimpleJwksCache', 'SimplePenaltyBox', 'assertIsJwk', 'assertIsJwks', 'assertIsSignatureJwk', 'fetchJwk', 'fetchJwks', 'findJwkInJwks',
      'isJwk', 'isJwks',
    ],
  },
};
/** aws-jwt-verify files the drop-ins import (not in the package's exports): specifier → file in dist/esm. */
const JWT_VERIFY_INTERNALS: Record<string, string> = {
  '#aws-jwt-verify/node-web-compat-node': 'node-web-compat-node.js',
};
const IN_JWT_VERIFY = /[\\/]node_modules[\\/]aws-jwt-verify[\\/]/;

/** Resolves aws-jwt-verify's own imports of the modules in JWT_VERIFY_DROP_INS to the drop-ins. */
export function jwtVerifyDropIns(): Plugin {
  return {
    name: 'aws-jwt-verify-drop-ins',
    setup(pluginBuild) {
      pluginBuild.onResolve({ filter: /^(?:\.\/[a-z-]+\.js|#[a-z/-]+)$/ }, (args) => {
        const internal = JWT_VERIFY_INTERNALS[args.path];
        if (internal) return { path: path.join(path.dirname(require.resolve('aws-jwt-verify/jwt')), '..', 'esm', internal) };
        const dropIn = JWT_VERIFY_DROP_INS[args.path];
        if (!dropIn || !IN_JWT_VERIFY.test(args.importer)) return undefined;
        const original = fs.readFileSync(path.join(path.dirname(args.importer), dropIn.original), 'utf8');
        const names = [...original.matchAll(/^export (?:async )?(?:function|const|class) (\w+)/gm)].map((m) => m[1]).sort();
        if (names.join() !== [...dropIn.exports].sort().join()) {
          return {
            errors: [{
              text: `aws-jwt-verify's ${dropIn.original} exports ${names.join(', ')}, the drop-in ${dropIn.file} expects `
            + `${dropIn.exports.join(', ')}: review the drop-in against the new version`,
            }],
          };
        }
        return { path: path.join(root, dropIn.file) };
      });
    },
  };
}

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
    plugins: ALIASES[name] === AUTHORIZER_ALIASES ? [jwtVerifyDropIns()] : [],
    mangleProps: MANGLED[name] ? new RegExp(`^(?:${MANGLED[name].join('|')})$`) : undefined,
    absWorkingDir: root,
    logLevel: 'warning',
  });
  if (MANGLED[name]) assertMangled(fs.readFileSync(outfile, 'utf8'), MANGLED[name], `assets/${name}/index.js`);
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
