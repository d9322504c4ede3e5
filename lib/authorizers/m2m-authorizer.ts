import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { bindCognitoAuthorizer, COGNITO_ACCESS_LOG_FIELDS, COGNITO_CALLER_CONTEXT, CognitoAuthorizerOptions } from './cognito-authorizer';
import { bindJwtAuthorizer, jwtAccessLogFields, jwtCallerContext, JwtAuthorizerOptions } from './jwt-authorizer';
import { bindTenantAwareAuthorizer, PortalPeopleBinding, TENANT_AWARE_CALLER_CONTEXT, tenantAwareAccessLogFields } from './tenant-aware-binding';
import type { TenantAwareAuthorizerOptions } from './tenant-aware-options';
import type { IM2mUserPool } from '../m2m-user-pool';
import { poolState } from '../private/pool-state';
import type { ScopedRoute } from '../scoped-rest-api/method-options';

/**
 * An authorizer as a `ScopedRestApi` uses it.
 *
 * @internal
 */
export interface BoundM2mAuthorizer {
  readonly authorizer: apigateway.IAuthorizer;
  /** The authorizer's function, for a Lambda authorizer. */
  readonly function?: lambda.IFunction;
  readonly authorizationType: apigateway.AuthorizationType;
  /** True when the API must set the method's scopes itself (aws-cdk-lib renders them for Cognito authorizers only). */
  readonly scopesOnMethod?: boolean;
  /** `authorizationScopes` of a method gated by these scopes, if the authorizer uses them. */
  authorizationScopes(scopes: string[]): string[] | undefined;
}

/**
 * Which authorizer a `ScopedRestApi` puts in front of its scoped methods.
 */
export abstract class M2mAuthorizer {
  /**
   * The native Amazon Cognito user-pool authorizer: it requires an access
   * token and allows a method when the token holds ANY of the method's scopes.
   * It tells the backend nothing about the tenant beyond the token's claims.
   */
  public static cognito(options: CognitoAuthorizerOptions = {}): M2mAuthorizer {
    return new CognitoM2mAuthorizer(options);
  }

  /**
   * API Gateway's own JWT authorizer: it validates Cognito access tokens in
   * the gateway (signature, issuer, audience = the trusted app clients,
   * `token_use` = `access`, and the tenant claim when a `TenantClaim` adds
   * one) and allows a method when the token holds ANY of its scopes, with no
   * Lambda invocation. It cannot require all of a method's scopes, trust
   * clients registered at run time (a registry), suspend clients, or return
   * usage keys: a method that needs any of these fails synthesis, naming it.
   * The backend learns the caller from the token's claims.
   *
   * Whether API Gateway's REST API JWT authorizer accepts Cognito access
   * tokens, which carry the client in `client_id` and have no `aud`, is not
   * stated in its documentation (HTTP APIs check `client_id` when `aud` is
   * absent): test it in your account before relying on it.
   *
   * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/rest-api-jwt-authorizer.html
   */
  public static jwt(options: JwtAuthorizerOptions = {}): M2mAuthorizer {
    return new JwtM2mAuthorizer(options);
  }

  /**
   * The bundled tenant-aware Lambda authorizer (a TOKEN authorizer): it
   * verifies Cognito access tokens with aws-jwt-verify (signature, issuer,
   * `token_use=access`, a trusted client), supports any-of and all-of
   * scopes, answers with a policy allowing exactly the methods the token's
   * scopes reach, and passes `tenantId`, `clientId` and `scopes` to the backend.
   */
  public static tenantAware(options: TenantAwareAuthorizerOptions = {}): M2mAuthorizer {
    return new TenantAwareM2mAuthorizer(options);
  }

  /**
   * The bundled tenant-aware Lambda authorizer.
   *
   * @deprecated use `M2mAuthorizer.tenantAware()`, the same authorizer under a
   * name that reads well in every language (`lambda` is a keyword in Python).
   */
  public static lambda(options: TenantAwareAuthorizerOptions = {}): M2mAuthorizer {
    return M2mAuthorizer.tenantAware(options);
  }

  /**
   * The developer portal's authorizer: the tenant-aware authorizer with a
   * registry, which also accepts access tokens of the portal's sign-in pool
   * (its web client only) and gives each person the portal scope of their group.
   *
   * @internal
   */
  public static _portal(options: TenantAwareAuthorizerOptions, people: PortalPeopleBinding): M2mAuthorizer {
    return new TenantAwareM2mAuthorizer(options, people);
  }

  /**
   * A short name of the authorizer kind: `cognito` for the Cognito
   * user-pool authorizer, `jwt` for API Gateway's JWT authorizer, `lambda`
   * for the tenant-aware Lambda authorizer.
   */
  public abstract readonly kind: string;

  /**
   * Whether the authorizer can require ALL of a method's scopes (`ScopeMatch.ALL_OF`).
   */
  public abstract readonly supportsAllOf: boolean;

  /**
   * Access-log fields (name → `$context` variable) that say who called.
   *
   * @internal
   */
  public abstract _accessLogFields(userPool: IM2mUserPool): Record<string, string>;

  /**
   * Where the caller's identity is in API Gateway's `context` (header name → context path).
   *
   * @internal
   */
  public abstract _callerContext(userPool: IM2mUserPool): Record<string, string>;

  /**
   * Creates the authorizer for an API, once.
   *
   * @internal
   */
  public abstract _bind(scope: Construct, userPool: IM2mUserPool, routes: () => ScopedRoute[]): BoundM2mAuthorizer;
}

class CognitoM2mAuthorizer extends M2mAuthorizer {
  public readonly kind = 'cognito';
  public readonly supportsAllOf = false;

  constructor(private readonly options: CognitoAuthorizerOptions) {
    super();
  }

  public _accessLogFields(): Record<string, string> {
    return { ...COGNITO_ACCESS_LOG_FIELDS };
  }

  public _callerContext(): Record<string, string> {
    return { ...COGNITO_CALLER_CONTEXT };
  }

  public _bind(scope: Construct, userPool: IM2mUserPool): BoundM2mAuthorizer {
    return bindCognitoAuthorizer(scope, userPool, this.options);
  }
}

class TenantAwareM2mAuthorizer extends M2mAuthorizer {
  public readonly kind = 'lambda';
  public readonly supportsAllOf = true;

  constructor(private readonly options: TenantAwareAuthorizerOptions, private readonly people?: PortalPeopleBinding) {
    super();
  }

  public _accessLogFields(): Record<string, string> {
    return tenantAwareAccessLogFields(this.people !== undefined);
  }

  public _callerContext(): Record<string, string> {
    return { ...TENANT_AWARE_CALLER_CONTEXT };
  }

  public _bind(scope: Construct, userPool: IM2mUserPool, routes: () => ScopedRoute[]): BoundM2mAuthorizer {
    return bindTenantAwareAuthorizer(scope, userPool, routes, this.options, this.people);
  }
}

class JwtM2mAuthorizer extends M2mAuthorizer {
  public readonly kind = 'jwt';
  public readonly supportsAllOf = false;

  constructor(private readonly options: JwtAuthorizerOptions) {
    super();
  }

  public _accessLogFields(userPool: IM2mUserPool): Record<string, string> {
    return jwtAccessLogFields(poolState(userPool).tenantClaimName);
  }

  public _callerContext(userPool: IM2mUserPool): Record<string, string> {
    return jwtCallerContext(poolState(userPool).tenantClaimName);
  }

  public _bind(scope: Construct, userPool: IM2mUserPool): BoundM2mAuthorizer {
    return bindJwtAuthorizer(scope, userPool, this.options);
  }
}
