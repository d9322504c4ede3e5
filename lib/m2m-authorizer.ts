import { Duration } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { Construct } from 'constructs';
import type { IM2mUserPool } from './m2m-user-pool';
import { checkDuration } from './private/validation';

/**
 * Options of the native Amazon Cognito user-pool authorizer.
 */
export interface CognitoAuthorizerOptions {
  /**
   * How long API Gateway caches the authorizer's answer for a token.
   *
   * @default Duration.minutes(5)
   * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-integrate-with-cognito.html
   */
  readonly resultsCacheTtl?: Duration;
}

/**
 * An authorizer as a `ScopedRestApi` uses it.
 *
 * @internal
 */
export interface BoundM2mAuthorizer {
  readonly authorizer: apigateway.IAuthorizer;
  readonly authorizationType: apigateway.AuthorizationType;
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
   * A short name of the authorizer kind, e.g. `cognito`.
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
  public abstract _accessLogFields(): Record<string, string>;

  /**
   * Creates the authorizer for an API, once.
   *
   * @internal
   */
  public abstract _bind(scope: Construct, userPool: IM2mUserPool): BoundM2mAuthorizer;
}

class CognitoM2mAuthorizer extends M2mAuthorizer {
  public readonly kind = 'cognito';
  public readonly supportsAllOf = false;

  constructor(private readonly options: CognitoAuthorizerOptions) {
    super();
  }

  public _accessLogFields(): Record<string, string> {
    return { clientId: '$context.authorizer.claims.client_id', scope: '$context.authorizer.claims.scope' };
  }

  public _bind(scope: Construct, userPool: IM2mUserPool): BoundM2mAuthorizer {
    const ttl = this.options.resultsCacheTtl ?? Duration.minutes(5);
    checkDuration(scope, 'authorizer.resultsCacheTtl', ttl, Duration.seconds(0), Duration.hours(1));
    const authorizer = new apigateway.CognitoUserPoolsAuthorizer(scope, 'CognitoAuthorizer', {
      cognitoUserPools: [userPool.userPool],
      identitySource: apigateway.IdentitySource.header('Authorization'),
      resultsCacheTtl: ttl,
    });
    return {
      authorizer,
      authorizationType: apigateway.AuthorizationType.COGNITO,
      authorizationScopes: (scopes) => scopes,
    };
  }
}
