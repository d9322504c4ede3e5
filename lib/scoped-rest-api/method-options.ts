import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { ScopeMatch } from './scope-match';

/**
 * What any method of a `ScopedRestApi` may set besides its authorization
 * (which the API sets from the method's scopes, or none for a public method).
 */
export interface ScopedRestApiMethodOptions {
  /**
   * A friendly operation name for the method, e.g. `ListOrders` (SDK
   * generation and the API Gateway console).
   *
   * @default - no operation name
   */
  readonly operationName?: string;

  /**
   * Whether the method also needs an API key (`x-api-key`), e.g. to apply a
   * usage plan.
   *
   * @default false
   */
  readonly apiKeyRequired?: boolean;

  /**
   * The responses the method can send, with their headers and models.
   *
   * @default - none declared
   * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-method-settings-method-response.html
   */
  readonly methodResponses?: apigateway.MethodResponse[];

  /**
   * The request parameters API Gateway accepts (`method.request.querystring.x`:
   * true when required).
   *
   * @default - none
   */
  readonly requestParameters?: { [param: string]: boolean };

  /**
   * The models of request bodies, by content type.
   *
   * @default - none
   */
  readonly requestModels?: { [contentType: string]: apigateway.IModel };

  /**
   * The request validator of the method.
   *
   * @default - the API's `requestValidator` (bodies and parameters), unless `requestValidatorOptions` is set
   */
  readonly requestValidator?: apigateway.IRequestValidator;

  /**
   * A request validator made for this method.
   *
   * @default - the API's `requestValidator`
   */
  readonly requestValidatorOptions?: apigateway.RequestValidatorOptions;
}

/**
 * Options of a method gated by scopes.
 */
export interface ScopedMethodOptions extends ScopedRestApiMethodOptions {
  /**
   * The scopes that reach this method: scopes of the API's user pool.
   */
  readonly scopes: cognito.OAuthScope[];

  /**
   * Whether a token needs any one or all of `scopes`.
   *
   * @default ScopeMatch.ANY_OF
   */
  readonly scopeMatch?: ScopeMatch;

  /**
   * Which authorizer guards this method, on an API whose authorizer is
   * `M2mAuthorizer.automatic()`. The JWT authorizer cannot guard a method
   * with all-of scopes (an error).
   *
   * @default - the automatic choice: the JWT authorizer unless the method
   * needs the tenant-aware one (see `M2mAuthorizer.automatic()`)
   */
  readonly authorizer?: MethodAuthorizer;
}

/**
 * The authorizer of one method of an API whose authorizer is
 * `M2mAuthorizer.automatic()`.
 */
export enum MethodAuthorizer {
  /** API Gateway's JWT authorizer (`M2mAuthorizer.jwt()`). */
  JWT = 'JWT',
  /** The bundled tenant-aware Lambda authorizer (`M2mAuthorizer.tenantAware()`). */
  TENANT_AWARE = 'TENANT_AWARE',
}

/**
 * Options of a method that is public on purpose.
 */
export interface PublicMethodOptions extends ScopedRestApiMethodOptions {
  /**
   * Why the method needs no authorization, e.g. "Load-balancer health check;
   * returns no data". Recorded as the acknowledgement of the cdk-nag rules
   * AwsSolutions-APIG4 and AwsSolutions-COG4 on the method.
   */
  readonly reason: string;
}

/**
 * A method of a `ScopedRestApi` and the scopes that reach it.
 */
export interface ScopedRoute {
  /** HTTP method, upper case (`ANY` for any). */
  readonly httpMethod: string;
  /** Resource path, e.g. `/orders/{id}`. */
  readonly resourcePath: string;
  /** The scopes, as access tokens carry them; empty for a public method. */
  readonly scopes: string[];
  /** How the scopes combine. */
  readonly scopeMatch: ScopeMatch;
  /** Whether the method is public on purpose. */
  readonly isPublic: boolean;
  /**
   * The kind of the authorizer that guards the method (`M2mAuthorizer.kind`:
   * `jwt`, `lambda` or `cognito`).
   *
   * @default - none: the method is public
   */
  readonly authorizer?: string;
  /**
   * Why that authorizer guards the method.
   *
   * @default - none: the method is public
   */
  readonly authorizerReason?: string;
}

/** API Gateway's method options from ours: everything but the authorization, which the API adds. */
export function apiGatewayMethodOptions(o: ScopedRestApiMethodOptions, apiValidator: apigateway.IRequestValidator): apigateway.MethodOptions {
  return {
    operationName: o.operationName,
    apiKeyRequired: o.apiKeyRequired,
    methodResponses: o.methodResponses,
    requestParameters: o.requestParameters,
    requestModels: o.requestModels,
    requestValidator: o.requestValidator ?? (o.requestValidatorOptions ? undefined : apiValidator),
    requestValidatorOptions: o.requestValidatorOptions,
  };
}
