/**
 * Builds the developer portal's web UI (web/portal) into a static site:
 * `index.html`, `static/app-<hash>.js` and `static/app-<hash>.css`
 * (esbuild: browser, es2022, minified, no source map). The names carry a
 * content hash so the files can be cached forever; only index.html must not
 * be. index.html has no inline script or style, so the site works under
 * `script-src 'self'; style-src 'self'`; the build fails if that changes.
 *
 * Run directly, it builds into assets/portal-ui/ (scripts/bundle-handlers.ts
 * calls it too, so `npm install` and `npx projen bundle` build the site).
 */
import * as fs from 'fs';
import * as path from 'path';
import { buildSync } from 'esbuild';

const root = path.join(__dirname, '..');
const webDir = path.join(root, 'web', 'portal');

/** Fails when `html` has anything a `script-src 'self'; style-src 'self'` policy would block. */
export function assertNoInlineCode(html: string): void {
  const problems: string[] = [];
  for (const m of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)) {
    if (!/\ssrc=/.test(m[1]) || m[2].trim() !== '') problems.push('an inline <script>');
  }
  if (/<style\b/i.test(html)) problems.push('a <style> element');
  if (/\sstyle\s*=/i.test(html)) problems.push('a style= attribute');
  if (/\son[a-z]+\s*=/i.test(html)) problems.push('an on…= event handler attribute');
  if (/javascript:/i.test(html)) problems.push('a javascript: URL');
  if (problems.length > 0) throw new Error(`index.html has ${problems.join(', ')}: the site's Content-Security-Policy forbids inline code`);
}

/**
 * Builds the site into `outDir` (replacing it) and reports each file's size
 * through `log`.
 */
export function buildWebUi(outDir: string, log: (line: string) => void = console.log): void {
  const result = buildSync({
    entryPoints: { app: path.join(webDir, 'main.ts') },
    outdir: outDir,
    entryNames: 'static/[name]-[hash]',
    bundle: true,
    platform: 'browser',
    target: 'es2022',
    format: 'iife',
    minify: true,
    sourcemap: false,
    legalComments: 'none',
    charset: 'utf8',
    write: false,
    absWorkingDir: root,
    logLevel: 'warning',
  });
  const outputs = result.outputFiles.map((f) => ({ rel: path.relative(outDir, f.path).split(path.sep).join('/'), file: f }));
  const js = outputs.filter((o) => o.rel.endsWith('.js'));
  const css = outputs.filter((o) => o.rel.endsWith('.css'));
  if (js.length !== 1 || css.length !== 1 || outputs.length !== 2) {
    throw new Error(`expected one .js and one .css file from esbuild, got ${outputs.map((o) => o.rel).join(', ')}`);
  }

  const template = fs.readFileSync(path.join(webDir, 'index.html'), 'utf8');
  const placeholders: Record<string, string> = {
    '{{APP_JS}}': path.posix.basename(js[0].rel),
    '{{APP_CSS}}': path.posix.basename(css[0].rel),
  };
  let html = template;
  for (const [placeholder, name] of Object.entries(placeholders)) {
    if (html.split(placeholder).length !== 2) throw new Error(`web/portal/index.html must contain ${placeholder} exactly once`);
    html = html.replace(placeholder, name);
  }
  assertNoInlineCode(html);

  fs.rmSync(outDir, { recursive: true, force: true });
  const files: Array<[string, Uint8Array | string]> = [...outputs.map((o): [string, Uint8Array] => [o.rel, o.file.contents]), ['index.html', html]];
  for (const [rel, contents] of files) {
    const target = path.join(outDir, rel);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, contents);
    const shown = target.startsWith(root + path.sep) ? path.relative(root, target) : target;
    log(`${shown}  ${(Buffer.byteLength(contents) / 1024).toFixed(1)} KB`);
  }
}

if (require.main === module) {
  try {
    buildWebUi(path.join(root, 'assets', 'portal-ui'));
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  }
}
