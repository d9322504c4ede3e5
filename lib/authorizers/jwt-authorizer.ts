import { Names } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { Construct } from 'constructs';
import type { BoundM2mAuthorizer } from './m2m-authorizer';
import { checkAdditionalPools } from './tenant-aware-binding';
import type { IM2mUserPool } from '../m2m-user-pool';
import { acknowledgeRule } from '../private/acknowledge';
import { poolState, RegisteredTenant } from '../private/pool-state';
import { onceAtSynth } from '../private/synth-once';
import { propError } from '../private/validation';
import type { ITenantAppClient } from '../tenant-app-client';

/**
 * Options of API Gateway's own JWT authorizer (`M2mAuthorizer.jwt()`).
 */
export interface JwtAuthorizerOptions {
  /**
   * The app clients whose tokens the API accepts: the audiences of their
   * pool's issuers. Every client must be a `TenantAppClient` of the API's
   * pool or of one of `additionalUserPools`.
   *
   * @default - every TenantAppClient of the API's user pool (and of `additionalUserPools`) declared in this app
   */
  readonly trustedClients?: ITenantAppClient[];

  /**
   * More user pools whose access tokens the authorizer accepts, besides the
   * API's own; each adds one issuer per issuer format it accepts.
   *
   * @default - the API's user pool only
   */
  readonly additionalUserPools?: IM2mUserPool[];
}

/** The authorization type of a method behind a JWT authorizer (aws-cdk-lib has no constant for it yet). */
export const JWT_AUTHORIZATION_TYPE = 'JWT' as apigateway.AuthorizationType;

/** The only signing algorithm Cognito uses for its tokens. */
const ALGORITHMS = ['RS256'];

/**
 * Limits of the native JWT authorizer the construct enforces at synth time.
 * The REST API JWT authorizer's own quotas were not published in AWS's
 * documentation when this was written; HTTP APIs allow 50 audiences per JWT
 * authorizer, which is used here until the REST figure is known.
 *
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-quotas.html
 */
export const JWT_LIMITS = {
  audiencesPerIssuer: 50,
};

/** A claim rule of a JWT authorizer's issuer (`JwtAdditionalClaim`). */
interface AdditionalClaim {
  readonly ClaimName: string;
  readonly Format: 'SINGLE_STRING';
  readonly ExpectedValues?: string[];
  readonly Required: boolean;
}

/** The `JwtConfiguration` of an `AWS::ApiGateway::Authorizer` of type `JWT`. */
export interface JwtConfiguration {
  readonly DefaultAlgorithms: string[];
  readonly Issuers: Array<{ readonly Issuer: string; readonly Audiences: string[]; readonly AdditionalClaims: AdditionalClaim[] }>;
}

/**
 * The issuers the authorizer trusts: one per pool and issuer format, whose
 * audiences are exactly the trusted clients of that pool, each requiring an
 * access token (`token_use` = `access`) and, when a `TenantClaim` adds one to
 * the pool's tokens, the tenant claim.
 */
export function jwtConfiguration(scope: Construct, userPool: IM2mUserPool, options: JwtAuthorizerOptions): JwtConfiguration {
  checkAdditionalPools(scope, userPool, options.additionalUserPools ?? []);
  const pools = [userPool, ...(options.additionalUserPools ?? [])];
  const byPool = new Map<IM2mUserPool, string[]>(pools.map((p) => [p, []]));
  const clients: ReadonlyArray<{ readonly pool: IM2mUserPool; readonly client: RegisteredTenant }> = options.trustedClients
    ? options.trustedClients.map((c, i) => {
      const pool = pools.find((p) => poolState(p).tenants.get(c.tenantId) === c);
      if (!pool) {
        throw propError(scope, `authorizer.trustedClients[${i}]`, c.node.path,
          'is not a TenantAppClient of the API\'s user pool or of authorizer.additionalUserPools: the JWT authorizer trusts clients by their pool\'s issuer');
      }
      return { pool, client: c };
    })
    : pools.flatMap((pool) => [...poolState(pool).tenants.values()].map((client) => ({ pool, client })));
  for (const { pool, client } of clients) byPool.get(pool)!.push(client.userPoolClientId);

  const issuers: JwtConfiguration['Issuers'][number][] = [];
  for (const pool of pools) {
    const audiences = byPool.get(pool)!;
    const where = pool === userPool ? 'userPool' : `authorizer.additionalUserPools[${pools.indexOf(pool) - 1}]`;
    if (audiences.length === 0) {
      throw propError(scope, where, pool.node.path,
        'has no trusted client: the JWT authorizer accepts the tokens of the clients it lists as audiences; declare the pool\'s clients (pool.addTenant) or list them in authorizer.trustedClients');
    }
    if (audiences.length > JWT_LIMITS.audiencesPerIssuer) {
      throw propError(scope, where, `${audiences.length} trusted clients`,
        `a JWT authorizer's issuer lists at most ${JWT_LIMITS.audiencesPerIssuer} audiences; use M2mAuthorizer.tenantAware(), whose client directory has no such limit`);
    }
    const state = poolState(pool);
    const claims: AdditionalClaim[] = [{ ClaimName: 'token_use', Format: 'SINGLE_STRING', ExpectedValues: ['access'], Required: true }];
    if (state.tenantClaimName !== undefined) claims.push({ ClaimName: state.tenantClaimName, Format: 'SINGLE_STRING', Required: true });
    for (const issuer of state.issuers) issuers.push({ Issuer: issuer, Audiences: [...audiences], AdditionalClaims: claims });
  }
  return { DefaultAlgorithms: [...ALGORITHMS], Issuers: issuers };
}

/** Where the caller's identity is for a backend behind the JWT authorizer: the token's claims. */
export function jwtCallerContext(tenantClaim: string | undefined): Record<string, string> {
  return {
    ...(tenantClaim !== undefined ? { 'X-Tenant-Id': `context.authorizer.claims.${tenantClaim}` } : {}),
    'X-Client-Id': 'context.authorizer.claims.client_id',
    'X-Scopes': 'context.authorizer.claims.scope',
  };
}

/**
 * Access-log fields of the JWT authorizer: the token's claims, its id (`jti`,
 * which authenticates nothing) included, so that a query over the access log
 * counts distinct tokens per client.
 */
export function jwtAccessLogFields(tenantClaim: string | undefined): Record<string, string> {
  return {
    ...(tenantClaim !== undefined ? { tenantId: `$context.authorizer.claims.${tenantClaim}` } : {}),
    clientId: '$context.authorizer.claims.client_id',
    scope: '$context.authorizer.claims.scope',
    tokenId: '$context.authorizer.claims.jti',
  };
}

/**
 * Creates API Gateway's JWT authorizer for an API (`M2mAuthorizer.jwt()`).
 * Its issuers and audiences are set at synthesis, once every client is declared.
 */
export function bindJwtAuthorizer(scope: Construct, userPool: IM2mUserPool, options: JwtAuthorizerOptions): BoundM2mAuthorizer {
  const api = scope as apigateway.RestApi;
  const cfn = new apigateway.CfnAuthorizer(scope, 'JwtAuthorizer', {
    restApiId: api.restApiId,
    name: Names.uniqueResourceName(scope, { maxLength: 120 }) + '-jwt',
    type: 'JWT',
    identitySource: 'method.request.header.Authorization',
  });
  onceAtSynth(cfn, () => cfn.addPropertyOverride('JwtConfiguration', jwtConfiguration(scope, userPool, options)));
  // aws-cdk-lib 2.278 checks every template against resource schemas that predate JwtConfiguration (so does cfn-lint,
  // which scripts/cfn-lint.ts gives the documented definition); the acknowledgement is scoped to this resource.
  acknowledgeRule(cfn, 'CloudFormation-Validate::F3002',
    'JwtConfiguration is the property CloudFormation\'s template reference defines for an AWS::ApiGateway::Authorizer of type JWT; the resource schema bundled with aws-cdk-lib\'s template validation does not have it yet, so it reports the property as not allowed.');
  acknowledgeRule(scope, 'AwsSolutions-COG4',
    'Scoped methods use API Gateway\'s JWT authorizer, which checks the Cognito access token\'s signature (RS256), issuer, audience (the trusted app clients), token_use and each method\'s scopes.');
  const authorizer: apigateway.IAuthorizer = { authorizerId: cfn.ref, authorizationType: JWT_AUTHORIZATION_TYPE };
  return {
    authorizer,
    authorizationType: JWT_AUTHORIZATION_TYPE,
    // aws-cdk-lib's Method renders scopes for COGNITO_USER_POOLS only: the API sets them on the method itself.
    authorizationScopes: () => undefined,
    scopesOnMethod: true,
  };
}
