import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct, IConstruct } from 'constructs';
import { bindCognitoAuthorizer, COGNITO_ACCESS_LOG_FIELDS, COGNITO_CALLER_CONTEXT, CognitoAuthorizerOptions } from './cognito-authorizer';
import { bindJwtAuthorizer, JWT_LIMITS, jwtAccessLogFields, jwtCallerContext, JwtAuthorizerOptions } from './jwt-authorizer';
import { bindTenantAwareAuthorizer, PortalPeopleBinding, TENANT_AWARE_CALLER_CONTEXT, tenantAwareAccessLogFields } from './tenant-aware-binding';
import type { TenantAwareAuthorizerOptions } from './tenant-aware-options';
import type { IM2mUserPool } from '../m2m-user-pool';
import { poolState } from '../private/pool-state';
import { propError } from '../private/validation';
import { MethodAuthorizer, ScopedRoute } from '../scoped-rest-api/method-options';

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
 * What an API knows about a scoped method when it picks the method's authorizer.
 *
 * @internal
 */
export interface MethodRequirements {
  /** `GET /orders`, for errors. */
  readonly label: string;
  readonly allOf: boolean;
  readonly override?: MethodAuthorizer;
  /** Whether the API has usage tiers. */
  readonly tiered: boolean;
  readonly userPool: IM2mUserPool;
}

/**
 * The authorizer that guards a method, and why.
 *
 * @internal
 */
export interface AuthorizerChoice {
  readonly authorizer: M2mAuthorizer;
  readonly reason: string;
}

/**
 * Options of the automatic choice between API Gateway's JWT authorizer and
 * the tenant-aware Lambda authorizer (`M2mAuthorizer.automatic()`).
 */
export interface AutomaticAuthorizerOptions {
  /**
   * Options of the tenant-aware authorizer, for the methods that need it.
   *
   * @default - the tenant-aware authorizer's defaults
   */
  readonly tenantAware?: TenantAwareAuthorizerOptions;

  /**
   * Options of the JWT authorizer, for the methods it is enough for.
   *
   * @default - the JWT authorizer's defaults
   */
  readonly jwt?: JwtAuthorizerOptions;
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
   * The cheapest authorizer that enforces what each method needs, chosen per
   * method when it is added: API Gateway's JWT authorizer (no Lambda
   * invocation), unless the method needs the tenant-aware Lambda authorizer
   * because
   *
   * - it requires all of its scopes (`ScopeMatch.ALL_OF`);
   * - `tenantAware.registry` is set (clients registered at run time, and
   *   suspension, are known to the registry only);
   * - the API has usage tiers (only the tenant-aware authorizer returns
   *   usage keys): add the tiers before the methods;
   * - no `TenantClaim` puts the tenant in the pool's tokens (the tenant then
   *   comes from the client directory): create it before the methods;
   * - the pool has more declared clients than a JWT authorizer's issuer
   *   lists audiences (50).
   *
   * A method may choose with `authorizer` (`MethodAuthorizer`). `api.routes`,
   * the OpenAPI document and the portal's catalog say which authorizer guards
   * each method and why. Backends learn the caller from the authorizer's
   * answer or the token's claims: `api.callerContextHeadersFor(authorizer)`
   * gives the mapping for each.
   *
   * The same caveat as `M2mAuthorizer.jwt()` applies: AWS does not document
   * whether the REST API JWT authorizer accepts Cognito access tokens (no
   * `aud`), so this choice is opt-in; the default stays `tenantAware()`.
   */
  public static automatic(options: AutomaticAuthorizerOptions = {}): M2mAuthorizer {
    return new AutomaticM2mAuthorizer(options);
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

  /**
   * The authorizer of a scoped method: this one, unless the API chooses per method.
   *
   * @internal
   */
  public _choose(scope: IConstruct, req: MethodRequirements): AuthorizerChoice {
    if (req.override !== undefined) {
      throw propError(scope, `${req.label}: authorizer`, req.override,
        `a method chooses its authorizer only on an API whose authorizer is M2mAuthorizer.automatic(); this API's is the ${this.kind} authorizer`);
    }
    return { authorizer: this, reason: `the API's authorizer: M2mAuthorizer.${this.kind === 'lambda' ? 'tenantAware' : this.kind}()` };
  }

  /**
   * The authorizer that returns usage keys for usage tiers: this one (which may not).
   *
   * @internal
   */
  public _forUsageTiers(): M2mAuthorizer {
    return this;
  }

  /**
   * The caller context of the methods `which` guards (all of them when undefined).
   *
   * @internal
   */
  public _callerContextOf(scope: IConstruct, userPool: IM2mUserPool, which?: MethodAuthorizer): Record<string, string> {
    const mine = this.kind === 'jwt' ? MethodAuthorizer.JWT : this.kind === 'lambda' ? MethodAuthorizer.TENANT_AWARE : undefined;
    if (which !== undefined && which !== mine) {
      throw propError(scope, 'callerContextHeadersFor(authorizer)', which, `no method of this API is guarded by it: the API's authorizer is the ${this.kind} authorizer`);
    }
    return this._callerContext(userPool);
  }
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

class AutomaticM2mAuthorizer extends M2mAuthorizer {
  public readonly kind = 'automatic';
  public readonly supportsAllOf = true;
  private readonly tenantAware: TenantAwareM2mAuthorizer;
  private readonly jwt: JwtM2mAuthorizer;

  constructor(private readonly options: AutomaticAuthorizerOptions) {
    super();
    this.tenantAware = new TenantAwareM2mAuthorizer(options.tenantAware ?? {});
    this.jwt = new JwtM2mAuthorizer(options.jwt ?? {});
  }

  public _accessLogFields(userPool: IM2mUserPool): Record<string, string> {
    // Both answers: the tenant-aware authorizer's fields, and the token's claims as the JWT authorizer passes them.
    const claims = jwtAccessLogFields(poolState(userPool).tenantClaimName);
    return {
      ...tenantAwareAccessLogFields(false),
      // tokenTenantId, tokenClientId, tokenScope; tokenId as it is.
      ...Object.fromEntries(Object.entries(claims).map(([k, v]) => [k.startsWith('token') ? k : `token${k[0].toUpperCase()}${k.slice(1)}`, v])),
    };
  }

  public _callerContext(): Record<string, string> {
    throw new Error('the caller context of an automatic authorizer depends on the method: use _callerContextOf');
  }

  public _callerContextOf(scope: IConstruct, userPool: IM2mUserPool, which?: MethodAuthorizer): Record<string, string> {
    if (which === undefined) {
      throw propError(scope, 'callerContextHeaders()', 'no authorizer',
        'on an API whose authorizer is M2mAuthorizer.automatic() the caller context depends on the method\'s authorizer: '
        + 'use callerContextHeadersFor(MethodAuthorizer.JWT or MethodAuthorizer.TENANT_AWARE) (api.routes says which guards each method)');
    }
    return (which === MethodAuthorizer.JWT ? this.jwt : this.tenantAware)._callerContext(userPool);
  }

  public _bind(): BoundM2mAuthorizer {
    throw new Error('an automatic authorizer is never bound itself: the API binds the authorizer _choose picks');
  }

  public _forUsageTiers(): M2mAuthorizer {
    return this.tenantAware;
  }

  public _choose(scope: IConstruct, req: MethodRequirements): AuthorizerChoice {
    const tenantAware = (reason: string): AuthorizerChoice => ({ authorizer: this.tenantAware, reason });
    if (req.override === MethodAuthorizer.TENANT_AWARE) return tenantAware('chosen for the method (authorizer: MethodAuthorizer.TENANT_AWARE)');
    if (req.override === MethodAuthorizer.JWT) {
      if (req.allOf) {
        throw propError(scope, `${req.label}: authorizer`, req.override,
          'the JWT authorizer only checks that ANY of the scopes is present, and the method requires ALL_OF: leave the choice to the API or choose MethodAuthorizer.TENANT_AWARE');
      }
      return { authorizer: this.jwt, reason: 'chosen for the method (authorizer: MethodAuthorizer.JWT)' };
    }
    if (req.allOf) return tenantAware('all-of scopes: the JWT authorizer checks that any one is present');
    if (this.options.tenantAware?.registry) return tenantAware('the registry\'s clients and their suspension: only the tenant-aware authorizer reads the registry');
    if (req.tiered) return tenantAware('usage tiers: only the tenant-aware authorizer returns usage keys');
    if (poolState(req.userPool).tenantClaimName === undefined) {
      return tenantAware('the tenant comes from the client directory: no TenantClaim puts it in the pool\'s tokens (create the TenantClaim before the methods)');
    }
    const declared = [req.userPool, ...(this.options.jwt?.additionalUserPools ?? [])].map((p) => poolState(p).tenants.size);
    if (Math.max(...declared) > JWT_LIMITS.audiencesPerIssuer) {
      return tenantAware(`more declared clients than a JWT authorizer's issuer lists audiences (${JWT_LIMITS.audiencesPerIssuer})`);
    }
    return { authorizer: this.jwt, reason: 'any-of scopes, declared clients and the tenant in the token: API Gateway\'s JWT authorizer is enough' };
  }
}
