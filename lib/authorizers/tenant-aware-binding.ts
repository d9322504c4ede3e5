import * as path from 'path';
import { Aspects, Duration, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { Construct } from 'constructs';
import type { BoundM2mAuthorizer } from './m2m-authorizer';
import { TenantAwareAuthorizer } from './tenant-aware-authorizer';
import type { TenantAwareAuthorizerOptions } from './tenant-aware-options';
import { IM2mUserPool, IssuerFormat } from '../m2m-user-pool';
import type { PortalUserPool } from '../portal-user-pool';
import { acknowledgeRule } from '../private/acknowledge';
import { AUTHORIZER_ENV, JWKS_TIMEOUT_MS } from '../private/contracts/authorizer';
import { DIRECTORY_ENV, MAX_OUTAGE_BACKOFF_MS } from '../private/contracts/client-directory';
import { PEOPLE_ENV, REGISTRY_CACHE_TTL_SECONDS, REGISTRY_ENV } from '../private/contracts/env';
import type { TrustedPoolEntry } from '../private/contracts/trusted-pools';
import { checkedNetwork, requestHandlerDefaults } from '../private/handler-function';
import { handlerRuntime } from '../private/node-runtime';
import { poolState } from '../private/pool-state';
import { buildRouteTable } from '../private/route-table';
import { LateFileCode, StageLateFileCode } from '../private/route-table-code';
import { TrustedClientsWiring, WireTrustedClients } from '../private/trusted-clients';
import { checkDuration, propError } from '../private/validation';
import type { ScopedRoute } from '../scoped-rest-api/method-options';

/**
 * Where `npx projen bundle` puts the authorizer (same depth from lib/ and out/):
 * with inline clients only, with the client directory in SSM (its code only
 * ships when the clients are wired as SSM parameters), with tenant-registry
 * support (the registry code and its DynamoDB lookup only ship when a registry
 * is set; the directory code too), and the portal's build (the registry's plus people).
 */
const AUTHORIZER_BUNDLE = path.join(__dirname, '..', '..', 'assets', 'authorizer');
const DIRECTORY_AUTHORIZER_BUNDLE = path.join(__dirname, '..', '..', 'assets', 'authorizer-directory');
const REGISTRY_AUTHORIZER_BUNDLE = path.join(__dirname, '..', '..', 'assets', 'authorizer-registry');
const PORTAL_AUTHORIZER_BUNDLE = path.join(__dirname, '..', '..', 'assets', 'authorizer-portal');

/**
 * The people a portal authorizer trusts besides M2M clients
 * (lambda/authorizer/people.ts reads these as PEOPLE_* variables).
 */
export interface PortalPeopleBinding {
  readonly pool: PortalUserPool;
  /** Full scope strings. */
  readonly adminScope: string;
  readonly tenantAdminScope: string;
}

/** Rejects headers that cannot be a bearer JWT before the function runs. */
const BEARER_JWT = '^Bearer [-0-9A-Za-z_]+\\.[-0-9A-Za-z_]+\\.[-0-9A-Za-z_]+$';

/** Access-log fields of the tenant-aware authorizer: what it answered API Gateway. */
export function tenantAwareAccessLogFields(people: boolean): Record<string, string> {
  return {
    tenantId: '$context.authorizer.tenantId',
    clientId: '$context.authorizer.clientId',
    ...(people ? { username: '$context.authorizer.username' } : {}),
    scope: '$context.authorizer.scopes',
    authorizerLatency: '$context.authorizer.integrationLatency',
  };
}

/** The tenant-aware authorizer's answer as the backend reads it. */
export const TENANT_AWARE_CALLER_CONTEXT: Readonly<Record<string, string>> = {
  'X-Tenant-Id': 'context.authorizer.tenantId',
  'X-Client-Id': 'context.authorizer.clientId',
  'X-Scopes': 'context.authorizer.scopes',
};

/**
 * Creates the tenant-aware authorizer of an API (`M2mAuthorizer.tenantAware()`):
 * its function, with the route table written at synthesis from `routes`, and
 * the TOKEN authorizer in front of it.
 */
export function bindTenantAwareAuthorizer(
  scope: Construct, userPool: IM2mUserPool, routes: () => ScopedRoute[], o: TenantAwareAuthorizerOptions, people?: PortalPeopleBinding,
): BoundM2mAuthorizer {
  const ttl = o.resultsCacheTtl ?? Duration.seconds(30);
  checkDuration(scope, 'authorizer.resultsCacheTtl', ttl, Duration.seconds(0), Duration.hours(1));
  const memorySize = o.memorySize ?? 512;
  if (!Number.isInteger(memorySize) || memorySize < 128 || memorySize > 10240) {
    throw propError(scope, 'authorizer.memorySize', memorySize, 'must be a whole number of MB from 128 to 10240');
  }
  const timeout = o.timeout ?? Duration.seconds(5);
  checkDuration(scope, 'authorizer.timeout', timeout, Duration.seconds(3), Duration.seconds(29));
  if (o.outageBackoff) checkDuration(scope, 'authorizer.outageBackoff', o.outageBackoff, Duration.seconds(0), Duration.millis(MAX_OUTAGE_BACKOFF_MS));

  if (people && !o.registry) throw propError(scope, 'authorizer.registry', 'undefined', 'the portal authorizer needs the tenant registry');
  let wire: WireTrustedClients | undefined;
  // Without a registry, the build depends on how the clients are wired: asked when the code is staged, after the wiring.
  // Budget suspensions (TokenBudgets, possibly added after the API) need the registry build too.
  const bundle = people ? PORTAL_AUTHORIZER_BUNDLE : o.registry ? REGISTRY_AUTHORIZER_BUNDLE
    : () => (root._budgetTable !== undefined ? REGISTRY_AUTHORIZER_BUNDLE : wiredBundle(wire?.wiring));
  const code = new LateFileCode(bundle, 'routes.json', () => JSON.stringify(buildRouteTable(routes())));

  const additional = o.additionalUserPools ?? [];
  checkAdditionalPools(scope, userPool, additional);
  const root = TenantAwareAuthorizer._create(scope, 'TenantAuthorizer', {
    ids: { logs: 'Logs', role: 'Role', function: 'Function' },
    code,
    description: 'Verifies Cognito M2M access tokens and allows the methods their scopes reach',
    roleDescription: 'Tenant-aware M2M authorizer: writes its own logs and traces, nothing else',
    memorySize,
    timeout,
    logRetention: o.logRetention,
    reservedConcurrentExecutions: o.reservedConcurrentExecutions,
    network: checkedNetwork(scope, 'authorizer.', o),
    runtime: handlerRuntime(scope, 'authorizer.runtime', o.runtime),
    defaults: requestHandlerDefaults('the authorizer is throttled and API Gateway denies the requests',
      'the user pool\'s JWKS, SSM Parameter Store for the client directory, DynamoDB for a registry'),
    environment: {
      [AUTHORIZER_ENV.userPoolId]: userPool.userPoolId,
      [AUTHORIZER_ENV.jwksTimeoutMs]: String(JWKS_TIMEOUT_MS.default),
    },
  });
  const fn = root._function;
  root._userPools.push(userPool, ...additional);
  root._portal = people !== undefined;
  root._registry = o.registry;
  if (userPool.issuerFormats.join() !== IssuerFormat.ORIGINAL) fn.addEnvironment(AUTHORIZER_ENV.userPoolIssuers, userPool.issuerFormats.join(','));
  if (o.outageBackoff) fn.addEnvironment(DIRECTORY_ENV.outageBackoffMs, String(o.outageBackoff.toMilliseconds()));
  if (additional.length > 0) {
    fn.addEnvironment(AUTHORIZER_ENV.additionalUserPools, Stack.of(fn).toJsonString(
      additional.map((p): TrustedPoolEntry => ({ userPoolId: p.userPoolId, issuerFormats: p.issuerFormats })),
    ));
  }
  // CLIENT_TENANTS or CLIENT_TENANTS_PATH, decided once every tenant is declared.
  wire = new WireTrustedClients(root, fn, () => [
    ...(o.trustedClients ?? [...poolState(userPool).tenants.values()]),
    ...additional.flatMap((p) => [...poolState(p).tenants.values()].map((c) => ({ client: c, userPoolId: p.userPoolId }))),
  ]);
  Aspects.of(scope).add(wire);
  // The code is staged when the aspects visit the function, a child of `root`: after the wiring (which visits `root`).
  Aspects.of(scope).add(new StageLateFileCode(fn, code));
  if (o.registry) {
    const registryTtl = o.registryCacheTtl ?? Duration.seconds(REGISTRY_CACHE_TTL_SECONDS.default);
    checkDuration(scope, 'authorizer.registryCacheTtl', registryTtl, Duration.seconds(REGISTRY_CACHE_TTL_SECONDS.min), Duration.seconds(REGISTRY_CACHE_TTL_SECONDS.max));
    fn.addEnvironment(REGISTRY_ENV.tableName, o.registry.tableName);
    fn.addEnvironment(REGISTRY_ENV.cacheTtlSeconds, String(registryTtl.toSeconds()));
    o.registry.grantLookup(fn);
  }
  if (people) {
    const p = people;
    fn.addEnvironment(PEOPLE_ENV.poolId, p.pool.userPoolId);
    fn.addEnvironment(PEOPLE_ENV.clientId, p.pool.webClient.userPoolClientId);
    fn.addEnvironment(PEOPLE_ENV.adminGroup, p.pool.adminGroupName);
    fn.addEnvironment(PEOPLE_ENV.tenantGroupPrefix, p.pool.tenantGroupPrefix);
    fn.addEnvironment(PEOPLE_ENV.adminScope, p.adminScope);
    fn.addEnvironment(PEOPLE_ENV.tenantAdminScope, p.tenantAdminScope);
  }
  const authorizer = new apigateway.TokenAuthorizer(scope, 'LambdaAuthorizer', {
    handler: fn,
    identitySource: apigateway.IdentitySource.header('Authorization'),
    validationRegex: BEARER_JWT,
    resultsCacheTtl: ttl,
  });
  acknowledgeRule(scope, 'AwsSolutions-COG4',
    'Scoped methods use the bundled Lambda authorizer, which verifies Cognito access tokens (signature, issuer, token_use, trusted client) with aws-jwt-verify and enforces each method\'s scopes.');
  return {
    authorizer,
    authorizationType: apigateway.AuthorizationType.CUSTOM,
    authorizationScopes: () => undefined,
    function: fn,
  };
}

/** The build of an authorizer without a registry: the directory's when its clients are SSM parameters, otherwise the plain one. */
function wiredBundle(wiring: TrustedClientsWiring | undefined): string {
  if (!wiring) throw new Error('The authorizer\'s code was staged before its trusted clients were wired: WireTrustedClients must visit first');
  return wiring.mode === 'directory' ? DIRECTORY_AUTHORIZER_BUNDLE : AUTHORIZER_BUNDLE;
}

/** Each additional pool once, and none of them the API's own (the tenant-aware and JWT authorizers). */
export function checkAdditionalPools(scope: Construct, own: IM2mUserPool, pools: IM2mUserPool[]): void {
  pools.forEach((p, i) => {
    if (p === own) throw propError(scope, `authorizer.additionalUserPools[${i}]`, p.node.path, 'is the API\'s own user pool, which is always trusted');
    if (pools.indexOf(p) !== i) throw propError(scope, `authorizer.additionalUserPools[${i}]`, p.node.path, 'is listed twice');
  });
}
