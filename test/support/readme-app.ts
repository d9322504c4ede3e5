import * as fs from 'fs';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import * as ts from 'typescript';

/**
 * Runs the first ```ts snippet of the README section under `heading` as
 * written (the package name maps to the sources) and returns its app.
 */
export function readmeApp(heading: string): App {
  const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
  const section = readme.split(heading)[1];
  if (section === undefined) throw new Error(`README.md has no section "${heading}"`);
  const code = /```ts\n([\s\S]*?)```/.exec(section)![1];
  const js = ts.transpileModule(`${code}\nmodule.exports.app = app;\n`, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText;
  const mod: { exports: { app?: App } } = { exports: {} };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const load = (id: string) => (id === 'cdk-cognito-m2m' ? require('../../lib') : require(id));
  new Function('require', 'exports', 'module', js)(load, mod.exports, mod);
  return mod.exports.app!;
}

/** The heading of the README's configuration with every compliance prop set. */
export const REGULATED_HEADING = '### A configuration for regulated teams';
