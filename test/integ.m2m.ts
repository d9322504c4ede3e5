/**
 * Integration test (aws-cdk style): deploys a user pool, a scoped API with the
 * tenant-aware authorizer and a developer portal, plus a probe function
 * (test/integ/probe.ts) that gets real client-credentials tokens from the
 * token endpoint and calls the API, and asserts what it saw:
 *
 * - a CDK-declared tenant's token gets 200 on the method its scope reaches
 *   and 403 on the one it does not;
 * - a portal-registered client works, is suspended, and is denied within the
 *   documented bound (registry cache TTL + authorizer result cache TTL);
 * - after a rotation, tokens from the old and the new secret both work.
 *
 * `npm test` verifies the committed snapshot (test/integ.m2m.ts.snapshot/)
 * offline with integ-runner; a team with an AWS account deploys it for real
 * (see CONTRIBUTING.md, "Integration tests"). Every resource is destroyed
 * afterwards: the stack overrides the library's retain defaults.
 */
import * as path from 'path';
import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, RemovalPolicies, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { DeveloperPortal, M2mAuthorizer, M2mUserPool, ScopedRestApi, TenantRegistry } from '../lib';

const REGISTRY_TTL = Duration.seconds(5);
const RESULTS_TTL = Duration.seconds(5);

const app = new App();
const stack = new Stack(app, 'CdkCognitoM2mInteg');
// Domain prefixes are global per Region: a deployer whose prefix is taken sets INTEG_DOMAIN_PREFIX.
const domainPrefix = process.env.INTEG_DOMAIN_PREFIX || 'cdk-m2m-integ-7f3a';
const pool = new M2mUserPool(stack, 'Pool', { domainPrefix, deletionProtection: false });
const orders = pool.addResourceServer('Orders', {
  identifier: 'https://integ.example/orders',
  scopes: [{ name: 'read', description: 'Read orders' }, { name: 'write', description: 'Write orders' }],
});
const globex = pool.addTenant('globex', { scopes: [orders.scope('read')], accessTokenValidity: Duration.minutes(5) });

const registry = new TenantRegistry(stack, 'Registry', { deletionProtection: false });
const portal = new DeveloperPortal(stack, 'Portal', { userPool: pool, registry, grantableScopes: orders.scopes });
const ops = pool.addTenant('platform-ops', { scopes: [portal.adminScope], accessTokenValidity: Duration.minutes(5) });

const api = new ScopedRestApi(stack, 'Api', {
  userPool: pool,
  authorizer: M2mAuthorizer.tenantAware({ registry, registryCacheTtl: REGISTRY_TTL, resultsCacheTtl: RESULTS_TTL }),
});
const ok = new apigateway.MockIntegration({
  requestTemplates: { 'application/json': '{"statusCode": 200}' },
  integrationResponses: [{ statusCode: '200', responseTemplates: { 'application/json': '{"ok":true}' } }],
});
const ordersResource = api.root.addResource('orders');
api.addScopedMethod(ordersResource, 'GET', ok, { scopes: [orders.scope('read')], methodResponses: [{ statusCode: '200' }] });
api.addScopedMethod(ordersResource, 'POST', ok, { scopes: [orders.scope('write')], methodResponses: [{ statusCode: '200' }] });

const probe = new nodejs.NodejsFunction(stack, 'Probe', {
  entry: path.join(__dirname, 'integ', 'probe.ts'),
  runtime: lambda.Runtime.NODEJS_24_X,
  architecture: lambda.Architecture.ARM_64,
  timeout: Duration.minutes(2),
  logGroup: new logs.LogGroup(stack, 'ProbeLogs', { retention: logs.RetentionDays.ONE_WEEK }),
  environment: {
    TOKEN_ENDPOINT: pool.tokenEndpoint,
    API_URL: api.url,
    PORTAL_URL: portal.api.url.replace(/\/$/, ''),
    READ_SCOPE: orders.scope('read').scopeName,
    ADMIN_SCOPE: portal.adminScope.scopeName,
    GLOBEX_SECRET_ARN: globex.secret.secretArn,
    ADMIN_SECRET_ARN: ops.secret.secretArn,
    SUSPENSION_BOUND_SECONDS: String(REGISTRY_TTL.toSeconds() + RESULTS_TTL.toSeconds()),
  },
  bundling: { minify: true, externalModules: ['@aws-sdk/*'] },
});
globex.grantReadSecret(probe);
ops.grantReadSecret(probe);

// An integration test leaves nothing behind, unlike the library's retain defaults.
RemovalPolicies.of(stack).destroy();

const integ = new IntegTest(app, 'M2m', {
  testCases: [stack],
  // One Region keeps the token endpoint's domain prefix unique.
  regions: ['us-east-1'],
});
const invoke = (scenario: string) => integ.assertions.invokeFunction({
  functionName: probe.functionName,
  payload: JSON.stringify({ scenario }),
});

// One after the other: the portal scenarios share a tenant.
const scopes = invoke('scopes');
scopes.expect(ExpectedResult.objectLike({ Payload: { get: 200, post: 403 } }));
const suspension = invoke('portal');
suspension.expect(ExpectedResult.objectLike({ Payload: { before: 200, deniedWithinBound: true } }));
const rotation = invoke('rotation');
rotation.expect(ExpectedResult.objectLike({ Payload: { oldSecret: 200, newSecret: 200 } }));
scopes.next(suspension).next(rotation);

app.synth();
