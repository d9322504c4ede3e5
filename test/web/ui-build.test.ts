import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { assertNoInlineCode, buildWebUi } from '../../scripts/build-web-ui';

let outDir: string;
let files: string[];
let html: string;
let js: string;
let lines: string[];

beforeAll(() => {
  // GIVEN a fresh directory
  outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'portal-ui-'));
  lines = [];
  // WHEN the site is built into it
  buildWebUi(outDir, (line) => lines.push(line));
  files = fs.readdirSync(outDir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => path.relative(outDir, path.join(d.parentPath, d.name)).split(path.sep).join('/'))
    .sort();
  html = fs.readFileSync(path.join(outDir, 'index.html'), 'utf8');
  js = fs.readFileSync(path.join(outDir, files.find((f) => f.endsWith('.js'))!), 'utf8');
});

afterAll(() => fs.rmSync(outDir, { recursive: true, force: true }));

test('the site is index.html and one hashed script and style sheet', () => {
  expect(files).toHaveLength(3);
  expect(files).toContain('index.html');
  expect(files.filter((f) => /^static\/app-[A-Z0-9]{8}\.js$/.test(f))).toHaveLength(1);
  expect(files.filter((f) => /^static\/app-[A-Z0-9]{8}\.css$/.test(f))).toHaveLength(1);
  expect(lines).toHaveLength(3);
});

test('index.html references exactly the built files', () => {
  const refs = [...html.matchAll(/\s(?:src|href)="([^"]+)"/g)].map((m) => m[1]).filter((r) => !r.startsWith('data:'));
  expect(refs.sort()).toEqual(files.filter((f) => f.startsWith('static/')).map((f) => `/${f}`).sort());
  expect(html).toMatch(/<script src="\/static\/app-[A-Z0-9]{8}\.js" defer><\/script>/);
  expect(html).toMatch(/<link rel="stylesheet" href="\/static\/app-[A-Z0-9]{8}\.css">/);
});

test('index.html has no inline script or style (script-src/style-src \'self\')', () => {
  const scripts = [...html.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/gi)];
  expect(scripts).toHaveLength(1);
  expect(scripts[0][1].trim()).toBe('');
  expect(html).not.toMatch(/<style\b/i);
  expect(html).not.toMatch(/\sstyle\s*=/i);
  expect(html).not.toMatch(/\son[a-z]+\s*=/i);
});

test('the inline-code check refuses what the policy would block', () => {
  expect(() => assertNoInlineCode('<script>alert(1)</script>')).toThrow(/inline <script>/);
  expect(() => assertNoInlineCode('<style>p{}</style>')).toThrow(/<style>/);
  expect(() => assertNoInlineCode('<p style="color:red">')).toThrow(/style= attribute/);
  expect(() => assertNoInlineCode('<button onclick="x()">')).toThrow(/event handler/);
  expect(() => assertNoInlineCode('<script src="/static/app.js"></script>')).not.toThrow();
});

test('the bundle keeps nothing in localStorage and writes no HTML strings', () => {
  expect(js).not.toContain('localStorage');
  expect(js).not.toMatch(/\.innerHTML\s*=/);
  expect(js).not.toMatch(/\.outerHTML\s*=|insertAdjacentHTML|document\.write/);
  // sessionStorage only holds the PKCE verifier and state during the sign-in redirect, and a failed revoke's notice during the sign-out redirect
  expect(js).toContain('sessionStorage');
});

test('a second build gives the same names (content hashes)', () => {
  const again = fs.mkdtempSync(path.join(os.tmpdir(), 'portal-ui-'));
  try {
    buildWebUi(again, () => undefined);
    expect(fs.readdirSync(path.join(again, 'static')).sort()).toEqual(fs.readdirSync(path.join(outDir, 'static')).sort());
  } finally {
    fs.rmSync(again, { recursive: true, force: true });
  }
});
