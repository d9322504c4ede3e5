import * as fs from 'fs';
import * as path from 'path';
import { withToc } from '../../scripts/api-toc';

const SAMPLE = [
  '# API Reference <a name="API Reference" id="api-reference"></a>',
  '',
  '## Constructs <a name="Constructs" id="Constructs"></a>',
  '',
  '### ApiWebAcl <a name="ApiWebAcl" id="cdk-cognito-m2m.ApiWebAcl"></a>',
  '#### Initializers <a name="Initializers" id="cdk-cognito-m2m.ApiWebAcl.Initializer"></a>',
  '## Enums <a name="Enums" id="Enums"></a>',
  '### ScopeMatch <a name="ScopeMatch" id="cdk-cognito-m2m.ScopeMatch"></a>',
  '',
].join('\n');

describe('API.md table of contents (scripts/api-toc.ts)', () => {
  test('lists every type of every section, linked to its anchor, after the title', () => {
    expect(withToc(SAMPLE).split('\n').slice(0, 7)).toEqual([
      '# API Reference <a name="API Reference" id="api-reference"></a>',
      '',
      '<!-- api-toc:start -->',
      '- **Constructs** (1): [ApiWebAcl](#cdk-cognito-m2m.ApiWebAcl)',
      '- **Enums** (1): [ScopeMatch](#cdk-cognito-m2m.ScopeMatch)',
      '<!-- api-toc:end -->',
      '',
    ]);
  });

  test('running it again gives the same file', () => {
    const once = withToc(SAMPLE);
    expect(withToc(once)).toBe(once);
  });

  test('fails loudly if jsii-docgen changes its headings', () => {
    expect(() => withToc('# API Reference\n\n## Something else\n')).toThrow(/no sections found/);
  });

  test('the committed API.md carries a table naming every construct it documents', () => {
    const api = fs.readFileSync(path.join(__dirname, '..', '..', 'API.md'), 'utf8');
    expect(withToc(api)).toBe(api);
    const toc = api.split('<!-- api-toc:start -->')[1].split('<!-- api-toc:end -->')[0];
    for (const name of ['ScopedRestApi', 'M2mUserPool', 'TokenBudgets', 'M2mMonitoring', 'DeveloperPortal']) {
      expect(toc).toContain(`[${name}](#cdk-cognito-m2m.${name})`);
    }
  });
});
