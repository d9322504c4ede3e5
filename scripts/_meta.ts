import { build } from 'esbuild';
import { jwtVerifyDropIns } from './bundle-handlers';
void (async () => {
  const r = await build({ entryPoints: ['lambda/authorizer/index.ts'], outfile: '/tmp/x/index.js', bundle: true, platform: 'node', target: 'node20', format: 'cjs', minify: true, treeShaking: true, legalComments: 'none', external: ['@aws-sdk/*'], alias: { https: './lambda/shared/lazy-https.ts', stream: './lambda/shared/lazy-stream.ts' }, plugins: [jwtVerifyDropIns()], metafile: true, write: true });
  const out = Object.values(r.metafile!.outputs)[0];
  const rows = Object.entries(out.inputs).map(([k, v]) => [v.bytesInOutput, k] as const).sort((a, b) => b[0] - a[0]);
  let tot = 0; for (const [b, k] of rows) { tot += b; console.log(String(b).padStart(6), k); } console.log(tot);
})();
