import { Token } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { IConstruct } from 'constructs';
import type { MethodAuthorizer } from './method-options';
import { propError } from '../private/validation';

/**
 * Options of `ScopedRestApi.tenantIsolatedIntegration()`.
 */
export interface TenantIsolatedIntegrationOptions {
  /**
   * The authorizer of the methods the integration serves, on an API whose
   * authorizer is `M2mAuthorizer.automatic()` (`api.routes` says which
   * guards each method): the tenant comes from its answer or the token's claims.
   *
   * @default - the API's authorizer
   */
  readonly authorizer?: MethodAuthorizer;
}

/** The header Lambda's tenant isolation mode reads the tenant from, on Invoke. */
export const TENANT_ID_HEADER = 'X-Amz-Tenant-Id';

/**
 * A Lambda proxy integration whose `X-Amz-Tenant-Id` (Lambda's tenant
 * isolation mode) is the verified tenant, mapped from the authorizer's
 * answer or the token's claims, never from the request.
 *
 * @param tenantSource where the verified tenant is in API Gateway's context (`context.authorizer.…`)
 */
export function tenantIsolatedIntegration(scope: IConstruct, handler: lambda.IFunction, tenantSource: string): apigateway.LambdaIntegration {
  if (handler instanceof lambda.Function) {
    const mode = (handler.node.defaultChild as lambda.CfnFunction).tenancyConfig as lambda.CfnFunction.TenancyConfigProperty | undefined;
    if (!mode || (!Token.isUnresolved(mode) && mode.tenantIsolationMode !== 'PER_TENANT')) {
      throw propError(scope, 'tenantIsolatedIntegration(handler)', handler.node.path,
        `is not in tenant isolation mode, so Lambda would ignore ${TENANT_ID_HEADER}: create it with tenancyConfig: lambda.TenancyConfig.PER_TENANT`);
    }
  }
  return new apigateway.LambdaIntegration(handler, {
    // A request parameter the caller sends is in the event only; the Invoke header is this mapping, from the verified identity.
    requestParameters: { [`integration.request.header.${TENANT_ID_HEADER}`]: tenantSource },
  });
}
