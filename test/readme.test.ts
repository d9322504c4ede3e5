import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ts from 'typescript';

const ROOT = path.join(__dirname, '..');

/** The ```ts blocks of a Markdown file. */
function tsBlocks(file: string): string[] {
  const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
  return [...text.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
}

describe('README snippets', () => {
  test('every TypeScript snippet compiles against the library', () => {
    const blocks = tsBlocks('README.md');
    expect(blocks.length).toBeGreaterThanOrEqual(2);

    // Each block is its own module; the package name maps to the sources.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'readme-snippets-'));
    const files = blocks.map((code, i) => {
      const file = path.join(dir, `snippet${i}.ts`);
      fs.writeFileSync(file, code.replace(/from 'cdk-cognito-m2m'/g, `from '${path.join(ROOT, 'lib').replace(/\\/g, '/')}'`));
      return file;
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
  test.each(tsBlocks('README.md').map((code, i) => [i, code]))('snippet %i synthesizes as written', (_, code) => {
    expect(code).toMatch(/const app = new App\(/);
    const synth = /\bapp\.synth\(\)/.test(code) ? '' : '\napp.synth();\n';
    const js = ts.transpileModule(code + synth, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText;
    // The package name maps to the sources; everything else resolves from the repository.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const load = (id: string) => (id === 'cdk-cognito-m2m' ? require('../lib') : require(id));
    const run = new Function('require', 'exports', 'module', js);
    expect(() => run(load, {}, { exports: {} })).not.toThrow();
  });
});
