import * as fs from 'fs';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import * as ts from 'typescript';

/**
 * Runs the first ```ts snippet of the section under `heading` of a Markdown
 * file (default: docs/compliance.md) as written (the package name maps to
 * the sources) and returns its app.
 */
export function readmeApp(heading: string, file = COMPLIANCE_DOC): App {
  const readme = fs.readFileSync(path.join(__dirname, '..', '..', file), 'utf8');
  const section = readme.split(heading)[1];
  if (section === undefined) throw new Error(`${file} has no section "${heading}"`);
  const code = /```ts\n([\s\S]*?)```/.exec(section)![1];
  const js = ts.transpileModule(`${code}\nmodule.exports.app = app;\n`, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText;
  const mod: { exports: { app?: App } } = { exports: {} };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const load = (id: string) => (id === 'cdk-cognito-m2m' ? require('../../lib') : require(id));
  new Function('require', 'exports', 'module', js)(load, mod.exports, mod);
  return mod.exports.app!;
}

/** Where the compliance material lives. */
export const COMPLIANCE_DOC = 'docs/compliance.md';

/** The heading of the configuration with every compliance prop set. */
export const REGULATED_HEADING = '### A configuration for regulated teams';
