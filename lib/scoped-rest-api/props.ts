import { RemovalPolicy, Size } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { M2mAuthorizer } from '../authorizers/m2m-authorizer';
import type { IM2mUserPool } from '../m2m-user-pool';

/**
 * Properties of a `ScopedRestApi`.
 */
export interface ScopedRestApiProps {
  /**
   * The user pool whose access tokens the API accepts.
   */
  readonly userPool: IM2mUserPool;

  /**
   * The API's name.
   *
   * @default - the construct id
   */
  readonly restApiName?: string;

  /**
   * A description of the API.
   *
   * @default - no description
   */
  readonly description?: string;

  /**
   * Whether the API is deployed to a stage (`prod` by default) with its
   * access log, throttling and optional web ACL.
   *
   * @default true
   */
  readonly deploy?: boolean;

  /**
   * Settings of the stage. Request and response data is never logged
   * (`dataTraceEnabled: true` is refused: it would write bearer tokens to
   * CloudWatch Logs).
   *
   * @default - stage `prod`, INFO execution logs without data, detailed
   * metrics, X-Ray tracing, 100 requests per second (burst 200), JSON access
   * logs to `accessLogGroup`
   */
  readonly deployOptions?: apigateway.StageOptions;

  /**
   * Whether old deployments are kept when the API changes.
   *
   * @default false
   */
  readonly retainDeployments?: boolean;

  /**
   * A custom domain for the API. TLS 1.0 is refused.
   *
   * @default - no custom domain; with one, `SecurityPolicy.TLS_1_2` unless a stricter policy is given
   */
  readonly domainName?: apigateway.DomainNameOptions;

  /**
   * Whether clients may call the default `execute-api` endpoint (turn it off
   * when they must use the custom domain).
   *
   * @default false
   */
  readonly disableExecuteApiEndpoint?: boolean;

  /**
   * The endpoint types of the API.
   *
   * @default [EndpointType.REGIONAL]
   */
  readonly endpointTypes?: apigateway.EndpointType[];

  /**
   * A resource policy, e.g. to allow calls from some VPC endpoints or accounts only.
   *
   * @default - no resource policy
   */
  readonly policy?: iam.PolicyDocument;

  /**
   * Where API keys come from for usage plans: the `x-api-key` header, or
   * the authorizer's `usageIdentifierKey`.
   *
   * @default - the x-api-key header
   */
  readonly apiKeySourceType?: apigateway.ApiKeySourceType;

  /**
   * Media types API Gateway treats as binary.
   *
   * @default - none
   */
  readonly binaryMediaTypes?: string[];

  /**
   * Responses at least this large are compressed.
   *
   * @default - no compression
   */
  readonly minCompressionSize?: Size;

  /**
   * Whether the deployment fails on warnings of API Gateway.
   *
   * @default false
   */
  readonly failOnWarnings?: boolean;

  /**
   * Whether the API sets up API Gateway's account-level logging role
   * (`AWS::ApiGateway::Account`). Every `ScopedRestApi` of a stack shares one;
   * turn it off when something else in the account and Region manages it.
   *
   * @default true
   * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html
   */
  readonly cloudWatchRole?: boolean;

  /**
   * What happens to the shared logging role and account settings when they
   * leave the stack (the first API of the stack decides).
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly cloudWatchRoleRemovalPolicy?: RemovalPolicy;

  /**
   * The name of the CloudFormation export of the API's URL.
   *
   * @default - no export
   */
  readonly endpointExportName?: string;

  /**
   * The authorizer in front of the scoped methods.
   *
   * @default M2mAuthorizer.tenantAware()
   */
  readonly authorizer?: M2mAuthorizer;

  /**
   * The log group that receives the stage's access logs (JSON, one line per request).
   *
   * @default - a new log group kept for one year and retained on delete
   */
  readonly accessLogGroup?: logs.ILogGroup;

  /**
   * The ARN of a regional AWS WAFv2 web ACL to associate with the stage, e.g.
   * with AWS managed rules and a rate-based rule per client IP.
   *
   * @default - no web ACL
   * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-control-access-aws-waf.html
   */
  readonly webAclArn?: string;
}
