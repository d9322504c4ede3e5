import { Duration } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { Construct } from 'constructs';
import type { BoundM2mAuthorizer } from './m2m-authorizer';
import type { IM2mUserPool } from '../m2m-user-pool';
import { checkDuration } from '../private/validation';

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

/** Access-log fields of the Cognito authorizer: only the token's claims (its id, `jti`, included: it authenticates nothing). */
export const COGNITO_ACCESS_LOG_FIELDS: Readonly<Record<string, string>> = {
  clientId: '$context.authorizer.claims.client_id',
  scope: '$context.authorizer.claims.scope',
  tokenId: '$context.authorizer.claims.jti',
};

/** The Cognito authorizer knows no tenant: the backend gets the token's claims. */
export const COGNITO_CALLER_CONTEXT: Readonly<Record<string, string>> = {
  'X-Client-Id': 'context.authorizer.claims.client_id',
  'X-Scopes': 'context.authorizer.claims.scope',
};

/** Creates the Cognito user-pool authorizer of an API (`M2mAuthorizer.cognito()`). */
export function bindCognitoAuthorizer(scope: Construct, userPool: IM2mUserPool, options: CognitoAuthorizerOptions): BoundM2mAuthorizer {
  const ttl = options.resultsCacheTtl ?? Duration.minutes(5);
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
