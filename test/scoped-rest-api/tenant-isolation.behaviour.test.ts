/**
 * What a function in Lambda's tenant isolation mode is invoked with behind
 * `ScopedRestApi.tenantIsolatedIntegration()`, request by request: the
 * verified tenant, whatever `X-Amz-Tenant-Id` the caller sends.
 *
 * A real stack is synthesized (M2mAuthorizer.automatic(), a TenantClaim, a
 * PER_TENANT function; GET /orders behind API Gateway's JWT authorizer, POST
 * /orders behind the tenant-aware Lambda authorizer) and served on 127.0.0.1
 * by test/support/local-api-gateway.ts from the cloud assembly alone: each
 * method's authorizer and `Integration.RequestParameters` come from the
 * template; the tenant-aware authorizer is the real one, built from its
 * function's environment and the routes.json its asset ships; the JWT
 * authorizer is its `JwtConfiguration` checked with aws-jwt-verify against a
 * local JWKS; Lambda's Invoke API is a stand-in that records the
 * `X-Amz-Tenant-Id` lines and the proxy event of every call.
 *
 * What the emulation follows (AWS documentation):
 * - Parameter mapping for REST APIs: an integration request header is set
 *   from a declared `method.request.header.<name>`, a context variable
 *   (`context.authorizer.<key>`: the Lambda authorizer's context, stringified;
 *   `context.authorizer.claims.<claim>`: the token's claims) or a static value;
 *   any other expression fails the test
 *   (https://docs.aws.amazon.com/apigateway/latest/developerguide/rest-api-parameter-mapping-sources.html,
 *   https://docs.aws.amazon.com/apigateway/latest/developerguide/request-response-data-mappings.html).
 * - Lambda tenant isolation: API Gateway calls Invoke, which reads the tenant
 *   from its `X-Amz-Tenant-Id` header, set on a REST API by an integration
 *   request mapping; a call without a tenant fails
 *   (https://docs.aws.amazon.com/lambda/latest/dg/tenant-isolation-invoke.html).
 * - Lambda proxy integrations: the caller's headers reach the function inside
 *   the event, in `headers` (last value) and `multiValueHeaders`
 *   (https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html).
 * - JWT authorizers for REST APIs: issuer, audiences, algorithms, additional
 *   claims, any one of the method's scopes
 *   (https://docs.aws.amazon.com/apigateway/latest/developerguide/rest-api-jwt-authorizer.html);
 *   a Cognito access token's `client_id` stands for the absent `aud`, as HTTP
 *   APIs document (the README says why the REST behaviour is not established).
 */
import { randomUUID } from 'node:crypto';
import { App, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { M2mAuthorizer, M2mUserPool, MethodAuthorizer, ScopedRestApi, TenantClaim } from '../../lib';
import { KeyPair, makeKey, sign } from '../lambda/authorizer/helpers';
import {
  DeployedTemplate, evaluateMapping, integrationHeaders, Invocation, LocalApiGateway, LocalCognito, LocalLambda, MappingSources, request,
  startLocalApiGateway, startLocalCognito, startLocalLambda,
} from '../support/local-api-gateway';

const TENANT_HEADER = 'X-Amz-Tenant-Id';

/** The order service: one PER_TENANT function behind both authorizers, and, for contrast, behind a hand-written mapping of the caller's header. */
function synthesizeOrderService() {
  const app = new App();
  const stack = new Stack(app, 'Api', { env: { account: '111111111111', region: 'eu-west-1' } });
  const pool = new M2mUserPool(stack, 'Pool', { domainPrefix: 'acme-isolation' });
  const orders = pool.addResourceServer('Orders', { identifier: 'orders', scopes: [{ name: 'read', description: 'Read orders' }] });
  pool.addTenant('acme', { scopes: [orders.scope('read')] });
  pool.addTenant('globex', { scopes: [orders.scope('read')] });
  new TenantClaim(stack, 'TenantClaim', { userPool: pool });
  const handler = new lambda.Function(stack, 'Handler', {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200 })'),
    tenancyConfig: lambda.TenancyConfig.PER_TENANT,
  });
  const api = new ScopedRestApi(stack, 'Orders', { userPool: pool, authorizer: M2mAuthorizer.automatic() });
  const res = api.root.addResource('orders');
  const scopes = [orders.scope('read')];
  // The automatic choice: any-of scopes, declared clients, the tenant in the token → the JWT authorizer.
  api.addScopedMethod(res, 'GET', api.tenantIsolatedIntegration(handler, { authorizer: MethodAuthorizer.JWT }), { scopes });
  api.addScopedMethod(res, 'POST', api.tenantIsolatedIntegration(handler, { authorizer: MethodAuthorizer.TENANT_AWARE }), {
    scopes, authorizer: MethodAuthorizer.TENANT_AWARE,
  });
  // For contrast, not the library's helper: an integration that maps the caller's own header.
  api.addScopedMethod(api.root.addResource('spoofable'), 'GET', new apigateway.LambdaIntegration(handler, {
    requestParameters: { [`integration.request.header.${TENANT_HEADER}`]: `method.request.header.${TENANT_HEADER}` },
  }), { scopes, requestParameters: { [`method.request.header.${TENANT_HEADER}`]: false } });
  const assembly = app.synth();
  return { template: assembly.getStackArtifact(stack.artifactId).template, assemblyDir: assembly.directory };
}

/** Dotted paths of `value`'s strings equal to `needle`. */
function pathsHolding(value: unknown, needle: string, at = ''): string[] {
  if (value === needle) return [at];
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([k, v]) => pathsHolding(v, needle, at ? `${at}.${k}` : k));
}

let deployed: DeployedTemplate;
let key: KeyPair;
let cognito: LocalCognito;
let invoke: LocalLambda;
let gateway: LocalApiGateway;

beforeAll(async () => {
  const { template, assemblyDir } = synthesizeOrderService();
  deployed = new DeployedTemplate(template, 'eu-west-1', '111111111111');
  key = makeKey();
  cognito = await startLocalCognito(deployed, [key.jwk]);
  invoke = await startLocalLambda(deployed);
  gateway = await startLocalApiGateway(deployed, assemblyDir, cognito, invoke);
});

afterAll(async () => {
  await Promise.all([gateway?.close(), invoke?.close(), cognito?.close()]);
});

beforeEach(() => {
  invoke.invocations.length = 0;
});

/** A client-credentials access token of the tenant's app client, as Cognito issues it with the TenantClaim trigger. */
function accessToken(tenant: string, overrides: Record<string, unknown> = {}, signer: KeyPair = key): string {
  const now = Math.floor(Date.now() / 1000);
  const clientId = deployed.clientIdOf(tenant);
  return sign(signer, {
    sub: clientId,
    client_id: clientId,
    token_use: 'access',
    scope: 'orders/read',
    iss: deployed.issuer(),
    auth_time: now,
    iat: now,
    exp: now + 3600,
    version: 2,
    jti: randomUUID(),
    tenant_id: tenant,
    ...overrides,
  });
}

function call(verb: string, path: string, headers: Record<string, string | string[]>) {
  return request(`${gateway.url}${path}`, verb, headers, verb === 'POST' ? '{}' : undefined);
}

/** The one invocation since the test began. */
function onlyInvocation(): Invocation {
  expect(invoke.invocations).toHaveLength(1);
  return invoke.invocations[0];
}

const METHODS = [
  ['GET /orders, behind the JWT authorizer', 'GET', 'JWT', (authorizer: any) => authorizer.claims.tenant_id],
  ['POST /orders, behind the tenant-aware authorizer', 'POST', 'TOKEN', (authorizer: any) => authorizer.tenantId],
] as const;

test('the template puts GET /orders behind the JWT authorizer and POST /orders behind the TOKEN one, each mapping only X-Amz-Tenant-Id', () => {
  const methods = deployed.ofType('AWS::ApiGateway::Method').map(([, r]) => deployed.resolve(r.Properties));
  for (const [, verb, type] of METHODS) {
    const m = methods.find((p) => p.HttpMethod === verb && deployed.pathOf(p.ResourceId) === '/orders');
    expect(deployed.resource(m.AuthorizerId).Properties.Type).toBe(type);
    expect(Object.keys(m.Integration.RequestParameters)).toEqual([`integration.request.header.${TENANT_HEADER}`]);
  }
});

describe.each(METHODS)('%s', (_, verb, _type, tenantInContext) => {
  test.each([
    ['X-Amz-Tenant-Id: globex', TENANT_HEADER, 'globex'],
    ['x-amz-tenant-id: globex (lowercase)', 'x-amz-tenant-id', 'globex'],
    ['X-Amz-Tenant-Id twice (globex, initech)', TENANT_HEADER, ['globex', 'initech']],
    ['an empty X-Amz-Tenant-Id', TENANT_HEADER, ''],
  ])('acme\'s token with %s: Invoke gets X-Amz-Tenant-Id acme; the caller\'s value is only in the event\'s headers', async (__, name, sent) => {
    const res = await call(verb, '/orders', { Authorization: `Bearer ${accessToken('acme')}`, [name]: sent });

    expect(res).toEqual({ status: 200, body: JSON.stringify({ tenantId: 'acme' }) });
    const inv = onlyInvocation();
    expect(inv.tenantIds).toEqual(['acme']);
    expect(tenantInContext(inv.event.requestContext.authorizer)).toBe('acme');
    const values = [sent].flat();
    expect(inv.event.headers[name]).toBe(values[values.length - 1]);
    expect(inv.event.multiValueHeaders[name]).toEqual(values);
    for (const value of values.filter((v) => v !== '')) {
      expect(inv.headers.filter(([, v]) => v.includes(value))).toEqual([]);
      const where = pathsHolding(inv.event, value);
      expect(where.length).toBeGreaterThan(0);
      expect(where.filter((p) => p !== `headers.${name}` && !p.startsWith(`multiValueHeaders.${name}.`))).toEqual([]);
    }
  });

  test('globex\'s token (claiming acme in X-Amz-Tenant-Id) is invoked as globex', async () => {
    const res = await call(verb, '/orders', { Authorization: `Bearer ${accessToken('globex')}`, [TENANT_HEADER]: 'acme' });

    expect(res).toEqual({ status: 200, body: JSON.stringify({ tenantId: 'globex' }) });
    expect(onlyInvocation().tenantIds).toEqual(['globex']);
  });

  test.each([
    ['no Authorization header', () => undefined, 401],
    ['a bearer value that is not a JWT', () => 'Bearer not-a-jwt', 401],
    ['acme\'s token signed with another key', () => `Bearer ${accessToken('acme', {}, makeKey())}`, 401],
    ['acme\'s token, expired', () => `Bearer ${accessToken('acme', { exp: Math.floor(Date.now() / 1000) - 60 })}`, 401],
    ['a token of a client the API does not trust', () => `Bearer ${accessToken('acme', { client_id: 'untrustedclient0000000001', sub: 'untrustedclient0000000001' })}`, 401],
    ['acme\'s token without the method\'s scope', () => `Bearer ${accessToken('acme', { scope: 'orders/write' })}`, 403],
  ])('%s (and X-Amz-Tenant-Id: acme) never reaches Invoke', async (__, authorization, status) => {
    const value = authorization();
    const res = await call(verb, '/orders', { [TENANT_HEADER]: 'acme', ...(value === undefined ? {} : { Authorization: value }) });

    expect(res.status).toBe(status);
    expect(invoke.invocations).toEqual([]);
  });
});

test('contrast: an integration mapping the caller\'s own header is invoked as whatever the caller says', async () => {
  const res = await call('GET', '/spoofable', { Authorization: `Bearer ${accessToken('acme')}`, [TENANT_HEADER]: 'globex' });

  expect(res).toEqual({ status: 200, body: JSON.stringify({ tenantId: 'globex' }) });
  expect(onlyInvocation().tenantIds).toEqual(['globex']);
});

describe('the mapping evaluation', () => {
  const sources: MappingSources = {
    headers: [['X-Amz-Tenant-Id', 'globex'], ['x-amz-tenant-id', 'initech']],
    declared: { 'method.request.header.X-Amz-Tenant-Id': false },
    authorizer: { tenantId: 'acme', claims: { tenant_id: 'acme', exp: 1700000000 } },
  };

  test('reads the documented sources: authorizer context, token claims, a declared header (its last value), a static value', () => {
    expect(evaluateMapping('context.authorizer.tenantId', sources)).toBe('acme');
    expect(evaluateMapping('context.authorizer.claims.tenant_id', sources)).toBe('acme');
    expect(evaluateMapping('context.authorizer.claims.exp', sources)).toBe('1700000000');
    expect(evaluateMapping('method.request.header.X-Amz-Tenant-Id', sources)).toBe('initech');
    expect(evaluateMapping('\'fixed\'', sources)).toBe('fixed');
    expect(evaluateMapping('context.authorizer.clientId', sources)).toBeUndefined();
  });

  test.each([
    ['context.identity.sourceIp', /not emulated/],
    ['stageVariables.tenant', /not emulated/],
    ['method.request.multivalueheader.X-Amz-Tenant-Id', /not emulated/],
    ['method.request.querystring.tenant', /not emulated/],
    ['method.request.header.X-Tenant', /does not declare it/],
  ])('fails on %s instead of guessing', (expression, error) => {
    expect(() => evaluateMapping(expression, sources)).toThrow(error);
  });

  test('fails on a mapping target other than an integration request header', () => {
    expect(() => integrationHeaders({ 'integration.request.querystring.tenant': 'context.authorizer.tenantId' }, sources)).toThrow(/not emulated/);
  });
});
