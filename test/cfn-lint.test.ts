/**
 * The cfn-lint gate of scripts/cfn-lint.ts (run by `npm test` over the
 * reference app and the examples) reports what it should: schema errors and
 * warnings fail, the ignores of .cfnlintrc.yaml hold, and the schema additions
 * accept what CloudFormation documents and nothing else: ALLOW_CLIENT_TOKEN_AUTH,
 * and the REST API JWT authorizer's JwtConfiguration.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { balance, CfnLint, distinctTemplates, ensureCfnLint, findTemplates, lintTemplates, parseFindings, writeSchemaAdditions } from '../scripts/cfn-lint';

let cfnLint: CfnLint;
let dir: string;
let schemaDir: string;

beforeAll(() => {
  cfnLint = ensureCfnLint();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cfn-lint-test-'));
  schemaDir = path.join(dir, 'schemas');
  writeSchemaAdditions(cfnLint, schemaDir);
}, 300_000);

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function template(name: string, resources: Record<string, unknown>): string {
  const file = path.join(dir, `${name}.template.json`);
  fs.writeFileSync(file, JSON.stringify({ Resources: resources }, undefined, 1));
  return file;
}

const pool = { Type: 'AWS::Cognito::UserPool', Properties: {} };
const client = (flows: string[]) => ({
  Type: 'AWS::Cognito::UserPoolClient',
  Properties: { UserPoolId: { Ref: 'Pool' }, GenerateSecret: true, ExplicitAuthFlows: flows },
});

test('a clean template passes, with the GetClientToken flow that cfn-lint\'s own schema lacks', async () => {
  const { findings, failures } = await lintTemplates(cfnLint, schemaDir, [template('clean', { Pool: pool, Client: client(['ALLOW_CLIENT_TOKEN_AUTH']) })]);
  expect(failures).toEqual([]);
  expect(findings).toEqual([]);
}, 60_000);

test('schema errors and warnings are reported; ignored rules are not', async () => {
  const file = template('bad', {
    Pool: pool,
    // E3030: not an allowed value (the addition lets ALLOW_CLIENT_TOKEN_AUTH through, nothing else)
    Client: client(['ALLOW_TOKEN_AUTH_TYPO']),
    // E3003: UserPoolId is required
    Orphan: { Type: 'AWS::Cognito::UserPoolClient', Properties: { ClientName: 'orphan' } },
    // W3005 (ignored in .cfnlintrc.yaml): DependsOn next to a Ref to the same resource
    Redundant: { ...client(['ALLOW_CLIENT_TOKEN_AUTH']), DependsOn: ['Pool'] },
    // W1020 (not ignored): Fn::Sub without a variable
    Named: { Type: 'AWS::Cognito::UserPoolClient', Properties: { UserPoolId: { Ref: 'Pool' }, ClientName: { 'Fn::Sub': 'plain' } } },
  });
  const { findings, failures } = await lintTemplates(cfnLint, schemaDir, [file]);
  expect(failures).toEqual([]);
  expect(findings.map((f) => f.rule).sort()).toEqual(['E3003', 'E3030', 'W1020']);
  expect(findings.find((f) => f.rule === 'E3030')!.message).toMatch(/'ALLOW_TOKEN_AUTH_TYPO' is not one of/);
}, 60_000);

const api = { Type: 'AWS::ApiGateway::RestApi', Properties: { Name: 'api' } };
const jwtAuthorizer = (config: unknown) => ({
  Type: 'AWS::ApiGateway::Authorizer',
  Properties: { RestApiId: { Ref: 'Api' }, Name: 'jwt', Type: 'JWT', IdentitySource: 'method.request.header.Authorization', JwtConfiguration: config },
});
const issuer = {
  Issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc',
  Audiences: ['client1'],
  AdditionalClaims: [{ ClaimName: 'token_use', Format: 'SINGLE_STRING', ExpectedValues: ['access'], Required: true }],
};

test('a JWT authorizer as M2mAuthorizer.jwt() renders it passes: the schema addition defines JwtConfiguration', async () => {
  const file = template('jwt', { Api: api, Jwt: jwtAuthorizer({ DefaultAlgorithms: ['RS256'], Issuers: [issuer] }) });
  const { findings, failures } = await lintTemplates(cfnLint, schemaDir, [file]);
  expect(failures).toEqual([]);
  expect(findings).toEqual([]);
}, 60_000);

test('the JwtConfiguration addition still checks what the documentation defines', async () => {
  const file = template('jwt-bad', {
    Api: api,
    // E3030: SINGLE_STRING is the only claim format; HS256 is no allowed algorithm
    BadValues: jwtAuthorizer({ DefaultAlgorithms: ['HS256'], Issuers: [{ ...issuer, AdditionalClaims: [{ ClaimName: 'tenant_id', Format: 'ARRAY' }] }] }),
    // E3003: an issuer needs Audiences
    NoAudiences: jwtAuthorizer({ DefaultAlgorithms: ['RS256'], Issuers: [{ Issuer: issuer.Issuer }] }),
    // E3002: no such property
    Unknown: jwtAuthorizer({ DefaultAlgorithms: ['RS256'], Issuers: [issuer], CacheTtl: 300 }),
  });
  const { findings, failures } = await lintTemplates(cfnLint, schemaDir, [file]);
  expect(failures).toEqual([]);
  expect(findings.map((f) => f.rule).sort()).toEqual(['E3002', 'E3003', 'E3030', 'E3030']);
}, 60_000);

test('parses cfn-lint\'s parseable format', () => {
  expect(parseFindings([
    '/tmp/a/B.template.json:12:5:12:20:E3030:\'X\' is not one of [\'A\']',
    'some other line',
    '/tmp/a/C.nested.template.json:3:1:3:9:W3005:\'P\' dependency already enforced',
  ].join('\n'))).toEqual([
    { file: '/tmp/a/B.template.json', line: 12, rule: 'E3030', message: '\'X\' is not one of [\'A\']' },
    { file: '/tmp/a/C.nested.template.json', line: 3, rule: 'W3005', message: '\'P\' dependency already enforced' },
  ]);
});

test('finds nested-stack templates, checks identical ones once, and spreads the work by size', () => {
  const root = fs.mkdtempSync(path.join(dir, 'assembly-'));
  fs.mkdirSync(path.join(root, 'asset.abc'));
  fs.mkdirSync(path.join(root, 'assembly-Stage'));
  fs.writeFileSync(path.join(root, 'Main.template.json'), '{"Resources":{"A":1}}');
  fs.writeFileSync(path.join(root, 'MainNested1.nested.template.json'), '{"Resources":{"B":1}}');
  fs.writeFileSync(path.join(root, 'MainNested2.nested.template.json'), '{"Resources":{"B":1}}');
  fs.writeFileSync(path.join(root, 'assembly-Stage', 'Staged.template.json'), `{"Resources":{"C":"${'x'.repeat(100)}"}}`);
  fs.writeFileSync(path.join(root, 'asset.abc', 'Bundled.template.json'), '{}');
  const found = findTemplates([root]);
  expect(found.map((f) => path.relative(root, f))).toEqual([
    'Main.template.json', 'MainNested1.nested.template.json', 'MainNested2.nested.template.json', path.join('assembly-Stage', 'Staged.template.json'),
  ]);
  const distinct = [...distinctTemplates(found).keys()];
  expect(distinct).toHaveLength(3);
  const groups = balance(distinct, 2);
  expect(groups).toHaveLength(2);
  expect(groups[0]).toEqual([path.join(root, 'assembly-Stage', 'Staged.template.json')]);
});
