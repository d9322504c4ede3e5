/** The package tasks compile only when they must, and refuse API reference examples that were translated without their types. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BUILT, compileReason, SOURCES } from '../../scripts/needs-compile';
import { notCompiled, Tablet } from '../../scripts/translate-snippets';

describe('compileReason (the package tasks compile first only when the build is missing or stale)', () => {
  let root: string;
  const COMPILED_AT = new Date('2026-01-01T10:00:00Z');
  const before = new Date(COMPILED_AT.getTime() - 60_000);
  const after = new Date(COMPILED_AT.getTime() + 60_000);

  function write(file: string, at: Date): void {
    const p = path.join(root, file);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, file);
    fs.utimesSync(p, at, at);
  }

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'needs-compile-'));
    // A compiled clone: sources older than the assembly.
    write('lib/index.ts', before);
    write('lambda/authorizer/index.ts', before);
    write('README.md', before);
    write('package.json', before);
    write('out/index.js', COMPILED_AT);
    write('assets/authorizer/index.js', COMPILED_AT);
    write('.jsii', COMPILED_AT);
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  test('a compiled clone whose sources did not change since needs no compile', () => {
    expect(compileReason(root)).toBeUndefined();
  });

  test.each(BUILT.map((b) => [b]))('a fresh clone (no %s) is compiled', (built) => {
    fs.rmSync(path.join(root, built), { recursive: true });
    expect(compileReason(root)).toBe(`${built} is missing`);
  });

  test('a source changed after the last compile (even deep in a folder) makes it stale, and is named', () => {
    write('lib/private/contracts/ids.ts', after);
    expect(compileReason(root)).toBe(`${path.join('lib', 'private', 'contracts', 'ids.ts')} changed after the last compile`);
  });

  test('the README counts: jsii copies it into the assembly', () => {
    write('README.md', after);
    expect(compileReason(root)).toBe('README.md changed after the last compile');
  });

  test('files that are not sources of the build do not count (tests, docs, node_modules)', () => {
    write('test/x.test.ts', after);
    write('docs/x.md', after);
    write('lib/node_modules/x/index.js', after);
    expect(compileReason(root)).toBeUndefined();
    expect(SOURCES).not.toContain('test');
  });
});

describe('notCompiled (examples jsii-rosetta had to translate without their types)', () => {
  const tablet: Tablet = {
    snippets: {
      a: { didCompile: true, location: { api: { api: 'type', fqn: 'cdk-cognito-m2m.M2mUserPool' } } },
      b: { didCompile: false, location: { api: { api: 'member', fqn: 'cdk-cognito-m2m.ScopedRestApi', memberName: 'addPart' } } },
      c: { didCompile: false, location: { api: { api: 'moduleReadme', moduleFqn: 'cdk-cognito-m2m' }, field: { field: 'markdown', line: 714 } } },
      d: { didCompile: false, location: { api: { api: 'moduleReadme', moduleFqn: 'cdk-cognito-m2m' }, field: { field: 'markdown', line: 96 } } },
      e: { location: { api: { api: 'type', fqn: 'cdk-cognito-m2m.TenantClaim' } } },
    },
  };

  test('splits API reference examples (which fail the package) from README ones (which are listed), by where they are', () => {
    expect(notCompiled(tablet)).toEqual({
      apiReference: ['cdk-cognito-m2m.ScopedRestApi#addPart', 'cdk-cognito-m2m.TenantClaim'],
      readme: ['README.md line 96', 'README.md line 714'],
    });
  });

  test('a tablet whose examples all compiled has nothing to report', () => {
    expect(notCompiled({ snippets: { a: tablet.snippets.a } })).toEqual({ apiReference: [], readme: [] });
  });
});
