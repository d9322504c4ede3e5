/**
 * Translates the TypeScript examples of the jsii assembly (the README's ```ts
 * blocks and the API reference's @example blocks) into Python, Java, C# and Go
 * with jsii-rosetta, into `.jsii.tabl.json` next to `.jsii`, where jsii-pacmak
 * finds them: the package tasks then write each package's README, docstrings
 * and Javadoc in its own language. Each example is compiled inside
 * rosetta/default.ts-fixture first; one that compiles is translated with its
 * types, one that does not is translated without them (Go and Java get
 * untyped maps). Translations are reused while an example and the types it
 * uses are unchanged.
 *
 * Fails when an API reference example does not compile (a name it uses is
 * missing from the fixture, or the example is wrong); lists README examples
 * that do not compile.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

/** The parts of a jsii-rosetta tablet (`.jsii.tabl.json`) this script reads. */
export interface Tablet {
  readonly snippets: Record<string, {
    readonly didCompile?: boolean;
    readonly location: {
      readonly api: { readonly api: string; readonly fqn?: string; readonly memberName?: string; readonly moduleFqn?: string };
      readonly field?: { readonly field: string; readonly line?: number };
    };
  }>;
}

/** The examples that did not compile, named by where they are: API reference ones and README ones apart. */
export function notCompiled(tablet: Tablet): { apiReference: string[]; readme: string[] } {
  const apiReference: string[] = [];
  const readme: string[] = [];
  for (const snippet of Object.values(tablet.snippets)) {
    if (snippet.didCompile) continue;
    const { api, field } = snippet.location;
    if (api.api === 'moduleReadme') {
      readme.push(`README.md line ${field?.line ?? '?'}`);
    } else {
      apiReference.push([api.fqn, api.memberName].filter(Boolean).join('#'));
    }
  }
  return { apiReference: apiReference.sort(), readme: readme.sort((a, b) => a.localeCompare(b, 'en', { numeric: true })) };
}

if (require.main === module) {
  const root = path.resolve(__dirname, '..');
  const tabletFile = path.join(root, '.jsii.tabl.json');
  const fixture = path.join(root, 'rosetta', 'default.ts-fixture');
  const mtime = (f: string) => (fs.existsSync(f) ? fs.statSync(f).mtimeMs : 0);
  const tabletTime = mtime(tabletFile);
  if (tabletTime > mtime(path.join(root, '.jsii')) && tabletTime > mtime(fixture)) {
    console.log(`${path.relative(root, tabletFile)} is newer than .jsii and the fixture: nothing to translate`);
  } else {
    // Reused translations were made inside the fixture of their time: a changed fixture translates everything again.
    if (tabletTime > 0 && mtime(fixture) > tabletTime) fs.rmSync(tabletFile);
    const rosetta = path.join(path.dirname(require.resolve('jsii-rosetta/package.json')), 'bin', 'jsii-rosetta');
    execFileSync(process.execPath, [rosetta, 'extract'], { cwd: root, stdio: 'inherit' });
  }
  const tablet = JSON.parse(fs.readFileSync(tabletFile, 'utf8')) as Tablet;
  const { apiReference, readme } = notCompiled(tablet);
  console.log(`${path.relative(root, tabletFile)}: ${Object.keys(tablet.snippets).length} examples translated`);
  if (readme.length > 0) {
    console.log(`README examples that jsii-rosetta could not compile (translated without their types; diagnostics above): ${readme.join(', ')}`);
  }
  if (apiReference.length > 0) {
    console.error([
      `API reference examples that jsii-rosetta could not compile: ${apiReference.join(', ')}.`,
      'Without their types, Go and Java get untyped maps. Fix the example (diagnostics above), or declare the name',
      'it uses without importing it in rosetta/default.ts-fixture.',
    ].join('\n'));
    process.exit(1);
  }
}
