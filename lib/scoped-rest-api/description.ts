import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import type { ScopedRoute } from './method-options';
import type { IM2mUserPool } from '../m2m-user-pool';
import type { ApiDescriptionInput } from '../private/openapi';
import { scopeDescriptions } from '../private/pool-state';
import { propError } from '../private/validation';

/** An API as its OpenAPI document and catalog entry describe it. */
export interface DescribedApi extends apigateway.RestApi {
  readonly m2mUserPool: IM2mUserPool;
}

/** What the OpenAPI document and the catalog entry say about an API: its routes as declared, its token URL and scope descriptions. */
export function describeApi(api: DescribedApi, routes: readonly ScopedRoute[], what: string): ApiDescriptionInput {
  const cfn = api.node.defaultChild as apigateway.CfnRestApi;
  if (!api.m2mUserPool.hasTokenEndpoint) {
    throw propError(api, 'userPool', api.m2mUserPool.node.path,
      `${what}: OpenAPI's OAuth 2.0 client-credentials scheme needs a token URL, and the pool has none (no domain; tenants use GetClientToken): give the pool a domainPrefix or customDomain`);
  }
  return {
    title: api.restApiName,
    description: cfn.description,
    // Without a stage (deploy: false and none assigned) the API has no URL yet.
    url: api.deploymentStage ? api.url : undefined,
    tokenUrl: api.m2mUserPool.tokenEndpoint,
    routes: routes.map((r) => ({
      method: r.httpMethod,
      path: r.resourcePath,
      scopes: r.scopes,
      scopeMatch: r.scopeMatch,
      isPublic: r.isPublic,
      authorizer: r.authorizer,
      authorizerReason: r.authorizerReason,
    })),
    scopeDescriptions: scopeDescriptions(api.m2mUserPool),
  };
}
