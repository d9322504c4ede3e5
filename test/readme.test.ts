import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ts from 'typescript';

const ROOT = path.join(__dirname, '..');

/** The Markdown files a user reads: the README and the pages under docs/. */
const DOCS = ['README.md', ...fs.readdirSync(path.join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

/** The ```<language> blocks of a Markdown file. */
function blocks(file: string, language = 'ts'): string[] {
  const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
  return [...text.matchAll(new RegExp('```' + language + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]);
}

const SNIPPETS: Array<[string, number, string]> = DOCS.flatMap((file) => blocks(file).map((code, i): [string, number, string] => [file, i, code]));

describe('TypeScript snippets of the README and docs/', () => {
  test('the README and docs/ have snippets, and every one compiles against the library', () => {
    expect(blocks('README.md').length).toBeGreaterThanOrEqual(8);
    expect(SNIPPETS.length).toBeGreaterThan(blocks('README.md').length);

    // Each block is its own module; the package name maps to the sources.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'readme-snippets-'));
    const files = SNIPPETS.map(([file, i, code]) => {
      const out = path.join(dir, `${file.replace(/[/.]/g, '_')}_${i}.ts`);
      fs.writeFileSync(out, code.replace(/from 'cdk-cognito-m2m'/g, `from '${path.join(ROOT, 'lib').replace(/\\/g, '/')}'`));
      return out;
    });
    const program = ts.createProgram(files, {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.CommonJS,
      moduleResolution: ts.ModuleResolutionKind.Node10,
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      esModuleInterop: true,
      types: ['node'],
      typeRoots: [path.join(ROOT, 'node_modules', '@types')],
      baseUrl: ROOT,
      paths: { '*': [path.join(ROOT, 'node_modules', '*')] },
    });
    const errors = ts.getPreEmitDiagnostics(program)
      .filter((d) => d.file && files.includes(path.resolve(d.file.fileName)))
      .map((d) => `${path.basename(d.file!.fileName)}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
    expect(errors).toEqual([]);
  });

  /**
   * Every snippet is a whole app (`const app = new App()`), so each is run as
   * written and its app synthesized (validation included: an API without
   * methods, a method without scopes or a bad prop fails here).
   */
  test.each(SNIPPETS)('%s snippet %i synthesizes as written', (_, __, code) => {
    expect(code).toMatch(/const app = new App\(/);
    const synth = /\bapp\.synth\(\)/.test(code) ? '' : '\napp.synth();\n';
    const js = ts.transpileModule(code + synth, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText;
    // The package name maps to the sources; everything else resolves from the repository.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const load = (id: string) => (id === 'cdk-cognito-m2m' ? require('../lib') : require(id));
    const run = new Function('require', 'exports', 'module', js);
    // A snippet that reports a failure the way a CLI app does (process.exitCode) fails too: the cdk-nag one does on any finding.
    const before = process.exitCode;
    process.exitCode = undefined;
    try {
      expect(() => run(load, {}, { exports: {} })).not.toThrow();
      expect(process.exitCode ?? 0).toBe(0);
    } finally {
      process.exitCode = before;
    }
  });
});

describe('the README\'s Quick start in Python, Java and Go', () => {
  // scripts/language-consumers.sh builds and synthesizes these files against the packages and compares
  // their templates with the TypeScript Quick start's: the README shows them as they are.
  test.each([
    ['python', 'consumers/python/app.py'],
    ['java', 'consumers/java/src/main/java/com/acme/orders/OrdersApp.java'],
    ['go', 'consumers/go/main.go'],
  ])('the %s block is an excerpt of %s, line for line', (language, file) => {
    const [block, ...more] = blocks('README.md', language);
    expect(more).toEqual([]);
    const source = fs.readFileSync(path.join(ROOT, file), 'utf8');
    const lines = block.trimEnd().split('\n');
    expect(lines.length).toBeGreaterThan(40);
    // Contiguous runs of the file's lines (the Java block leaves out the class's Javadoc only).
    let at = 0;
    const sourceLines = source.split('\n');
    for (const line of lines) {
      const found = sourceLines.indexOf(line, at);
      expect({ line, found: found >= 0 }).toEqual({ line, found: true });
      at = found + 1;
    }
    expect(source.trimEnd().endsWith(lines[lines.length - 1])).toBe(true);
  });
});
