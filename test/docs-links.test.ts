import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.join(__dirname, '..');

/** Every Markdown file of the repository a reader may open (not node_modules, not generated output). */
const FILES = [
  'README.md', 'CONTRIBUTING.md', 'bench/README.md', 'examples/README.md', 'consumers/README.md', 'token-client/README.md',
  ...fs.readdirSync(path.join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`),
].filter((f) => fs.existsSync(path.join(ROOT, f)));

/** Markdown text outside fenced code blocks. */
function prose(text: string): string {
  return text.split(/^```.*$/m).filter((_, i) => i % 2 === 0).join('\n');
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
function anchors(file: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const m of prose(fs.readFileSync(path.join(ROOT, file), 'utf8')).matchAll(/^#{1,6} (.*)$/gm)) {
    const base = m[1].trim().toLowerCase().replace(/[^\p{L}\p{N}\- _]/gu, '').replace(/ /g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

/** The relative links of a file: `[text](target)` outside code, not http(s) or mailto. */
function links(file: string): string[] {
  return [...prose(fs.readFileSync(path.join(ROOT, file), 'utf8')).matchAll(/\]\(([^)\s]+)\)/g)]
    .map((m) => m[1])
    .filter((t) => !/^(https?:|mailto:)/.test(t));
}

describe('links between the README, docs/ and the repository', () => {
  test.each(FILES)('every relative link and anchor in %s resolves', (file) => {
    const broken = links(file).filter((target) => {
      const [where, anchor] = target.split('#');
      const resolved = where === '' ? file : path.normalize(path.join(path.dirname(file), where));
      if (!fs.existsSync(path.join(ROOT, resolved))) return true;
      return anchor !== undefined && resolved.endsWith('.md') && !anchors(resolved).has(anchor);
    });
    expect(broken).toEqual([]);
  });

  test('the check sees a broken anchor (it cannot pass vacuously)', () => {
    expect(anchors('README.md').has('quick-start')).toBe(true);
    expect(anchors('README.md').has('no-such-section')).toBe(false);
    expect(links('README.md').length).toBeGreaterThan(20);
  });

  test('the README starts with the two commands, then says what the library is, with a table of contents and an Install section', () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    expect(readme.split('\n').slice(0, 6).join('\n')).toMatch(/^# cdk-cognito-m2m\n\n```sh\nnpm install && npx cdk synth .*\nnpm test .*\n```/);
    const headings = [...prose(readme).matchAll(/^## (.*)$/gm)].map((m) => m[1]);
    expect(headings.slice(0, 4)).toEqual(['Contents', 'Install', 'Prerequisites', 'Quick start']);
    // Contributor material lives in CONTRIBUTING.md and bench/README.md, not in the package's description.
    expect(headings).not.toEqual(expect.arrayContaining(['Development', 'Integration tests', 'Performance']));
    expect(readme).not.toMatch(/library-acknowledgements:start/);
  });
});
