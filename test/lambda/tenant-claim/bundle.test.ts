/**
 * The bundled trigger (what the construct deploys): small, no dependencies
 * besides the runtime-provided DynamoDB client, and, run as the
 * Lambda runtime would (a fresh Node.js process, configured by environment
 * variables only), it reads the directory from SSM and answers Cognito's events.
 */
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { promisify } from 'util';
import { CREDENTIALS, LocalSsm, REGION, startLocalSsm } from './local-ssm';
import { bundleHandler } from '../../../scripts/bundle-handlers';

const PATH = '/cdk-cognito-m2m/clients/IdentityTenantClaimAB12CD34/';

let dir: string;
let bundle: string;
let ssm: LocalSsm;
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tenant-claim-bundle-'));
  bundle = await bundleHandler('tenant-claim', dir);
  ssm = await startLocalSsm();
  ssm.parameters.set(`${PATH}Identity-0`, JSON.stringify({ declaredglobex: 'globex' }));
  // Not created by the library: must give madeupclient nothing.
  ssm.parameters.set(`${PATH}Identity-1`, JSON.stringify({ madeupclient: 'globex' }));
});
afterAll(async () => {
  fs.rmSync(dir, { recursive: true, force: true });
  await ssm.close();
});

test('the bundle is small and requires nothing but Node.js built-ins and the runtime-provided DynamoDB client', () => {
  const requires = [...new Set([...fs.readFileSync(bundle, 'utf8').matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]))].sort();
  // node:http(s) on the directory's first read (lambda/authorizer/ssm.ts: no SDK for SSM); DynamoDB only with TABLE_NAME.
  expect(requires).toEqual(['@aws-sdk/client-dynamodb', 'crypto', 'node:http', 'node:https']);
  expect(fs.statSync(bundle).size).toBeLessThan(16 * 1024);
});

test('run as the Lambda runtime would: a declared client gets its claim, an unknown one is refused, a sign-in passes; the refresh logs and counts a foreign parameter naming it', async () => {
  // The clock moves 5 minutes (the directory's refresh period) before the last token request: it starts the refresh,
  // which lists the path in the background; the process ends when the refresh has.
  const script = `
    const realNow = Date.now;
    let skew = 0;
    Date.now = () => realNow() + skew;
    const { handler } = require(${JSON.stringify(bundle)});
    const ev = (clientId, triggerSource = 'TokenGeneration_ClientCredentials') => ({
      version: '3', triggerSource, region: 'us-east-1', userPoolId: 'us-east-1_AbC123', userName: clientId,
      callerContext: { awsSdkVersion: 'aws-sdk-unknown-unknown', clientId },
      request: { userAttributes: {}, scopes: [], clientMetadata: { tenant_id: 'intruder' } },
      response: { claimsAndScopeOverrideDetails: null },
    });
    (async () => {
      const declared = await handler(ev('declaredglobex'));
      const unknown = await handler(ev('madeupclient')).then(() => 'issued', (e) => e.message);
      const signIn = await handler(ev('madeupclient', 'TokenGeneration_HostedAuth'));
      skew = 300000;
      await handler(ev('declaredglobex'));
      process.stderr.write(JSON.stringify({
        claims: declared.response.claimsAndScopeOverrideDetails.accessTokenGeneration.claimsToAddOrOverride,
        unknown,
        signIn: signIn.response,
      }));
    })();`;
  const r = await promisify(execFile)(process.execPath, ['-e', script], {
    env: {
      PATH: process.env.PATH,
      // The SDK is loadable, as in the Lambda runtime (the directory does not use it).
      NODE_PATH: path.join(__dirname, '..', '..', '..', 'node_modules'),
      CLIENT_TENANTS_PATH: PATH,
      CLIENT_TENANTS_PARAMETERS: '{"Identity":1}',
      AWS_LAMBDA_FUNCTION_NAME: 'Identity-TenantClaimFunction',
      TENANT_CLAIM_NAME: 'tenant_id',
      DENY_UNKNOWN_CLIENTS: 'true',
      // Loopback only: the local SSM, static credentials (no credential provider lookups).
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
      AWS_ENDPOINT_URL_SSM: ssm.endpoint,
      NODE_NO_WARNINGS: '1',
    },
    encoding: 'utf8',
    timeout: 20_000,
  });
  expect(JSON.parse(r.stderr.slice(r.stderr.lastIndexOf('{"claims"')))).toEqual({
    claims: { tenant_id: 'globex' },
    unknown: 'token refused: untrusted_client',
    signIn: { claimsAndScopeOverrideDetails: null },
  });
  expect(r.stdout.trim().split('\n').map((l) => JSON.parse(l))).toEqual([
    { level: 'info', msg: 'tenant claim added', clientId: 'declaredglobex', tenantId: 'globex' },
    { level: 'warn', msg: 'token refused', reason: 'untrusted_client', clientId: 'madeupclient' },
    { level: 'info', msg: 'tenant claim added', clientId: 'declaredglobex', tenantId: 'globex' },
    { level: 'warn', msg: 'untrusted directory parameter ignored', parameterName: `${PATH}Identity-1` },
    expect.objectContaining({ level: 'warn', msg: 'untrusted directory parameters', count: 1, functionName: 'Identity-TenantClaimFunction', UntrustedDirectoryParameters: 1 }),
  ]);
});
