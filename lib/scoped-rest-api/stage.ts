import { AspectPriority, Aspects, IAspect, Lazy, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { IConstruct } from 'constructs';
import type { ScopedRestApiProps } from './props';
import type { M2mAuthorizer } from '../authorizers/m2m-authorizer';
import type { IM2mUserPool } from '../m2m-user-pool';
import { acknowledgeInPacks } from '../private/acknowledge';
import { logsEncryptionKey } from '../private/compliance';
import { propError } from '../private/validation';

/**
 * The stage a `ScopedRestApi` deploys to unless told otherwise: `prod`, INFO
 * execution logs without data, detailed metrics, X-Ray tracing, 100 requests
 * per second (burst 200), an encrypted cache whenever the cache is on, and
 * (without a destination of the caller's) the access log set by `addAccessLog`.
 */
export function stageOptions(props: ScopedRestApiProps): apigateway.StageOptions | undefined {
  // RestApi refuses stage settings without a stage.
  if (props.deploy === false) return undefined;
  return {
    stageName: 'prod',
    loggingLevel: apigateway.MethodLoggingLevel.INFO,
    dataTraceEnabled: false,
    metricsEnabled: true,
    tracingEnabled: true,
    throttlingRateLimit: 100,
    throttlingBurstLimit: 200,
    ...props.deployOptions,
    // A cache holds tenants' answers: encrypted at rest whenever it is on (unencrypted is refused in checkProps).
    cacheDataEncrypted: props.deployOptions?.cachingEnabled ? true : props.deployOptions?.cacheDataEncrypted,
    // Without a destination the stage gets the log group of addAccessLog, in its format.
    accessLogFormat: props.deployOptions?.accessLogDestination ? props.deployOptions.accessLogFormat : undefined,
  };
}

/**
 * The access log of an API's stage, unless the caller chose a destination:
 * `props.accessLogGroup` or a new encrypted log group kept for a year and
 * retained, in the JSON format of `accessLogFormat`. Set after `super()`,
 * when the stage exists.
 */
export function addAccessLog(api: apigateway.RestApi, props: ScopedRestApiProps, authorizer: M2mAuthorizer): logs.ILogGroup | undefined {
  if (!(props.deploy ?? true) || props.deployOptions?.accessLogDestination) return undefined;
  const logGroup = props.accessLogGroup ?? new logs.LogGroup(api, 'AccessLogs', {
    retention: logs.RetentionDays.ONE_YEAR,
    removalPolicy: RemovalPolicy.RETAIN,
    encryptionKey: logsEncryptionKey(api),
  });
  const cfnStage = api.deploymentStage.node.defaultChild as apigateway.CfnStage;
  cfnStage.accessLogSetting = {
    destinationArn: logGroup.logGroupArn,
    // Rendered at synthesis: a TenantClaim created after the API still adds its claim to a JWT authorizer's fields.
    format: props.deployOptions?.accessLogFormat?.toString() ?? Lazy.string({ produce: () => accessLogFormat(authorizer, props.userPool) }),
  };
  return logGroup;
}

/** The JSON access-log line: request, outcome, latency and who called. */
function accessLogFormat(authorizer: M2mAuthorizer, userPool: IM2mUserPool): string {
  return apigateway.AccessLogFormat.custom(JSON.stringify({
    requestId: '$context.requestId',
    requestTime: '$context.requestTime',
    ip: '$context.identity.sourceIp',
    userAgent: '$context.identity.userAgent',
    httpMethod: '$context.httpMethod',
    resourcePath: '$context.resourcePath',
    path: '$context.path',
    protocol: '$context.protocol',
    status: '$context.status',
    responseLength: '$context.responseLength',
    responseLatency: '$context.responseLatency',
    integrationLatency: '$context.integrationLatency',
    errorMessage: '$context.error.message',
    authorizerError: '$context.authorizer.error',
    ...authorizer._accessLogFields(userPool),
  })).toString();
}

/** Refuses props that would log tokens, cache tenants' answers unencrypted or allow TLS 1.0. */
export function checkProps(scope: IConstruct, props: ScopedRestApiProps): void {
  if (props.deployOptions?.dataTraceEnabled) {
    throw propError(scope, 'deployOptions.dataTraceEnabled', 'true',
      'full request/response logging would write bearer tokens and payloads to CloudWatch Logs; leave it off');
  }
  if (props.deployOptions?.cachingEnabled && props.deployOptions.cacheDataEncrypted === false) {
    throw propError(scope, 'deployOptions.cacheDataEncrypted', 'false',
      'the stage cache holds tenants\' responses and is always encrypted at rest; leave cacheDataEncrypted out or set it to true');
  }
  const policy = props.domainName?.securityPolicy;
  if (policy !== undefined && policy === apigateway.SecurityPolicy.TLS_1_0) {
    throw propError(scope, 'domainName.securityPolicy', 'TLS_1_0', 'the API accepts TLS 1.2 or newer only; use SecurityPolicy.TLS_1_2');
  }
}

/**
 * Stage settings the library leaves off by default, acknowledged with their
 * reasons: the stage cache (unless turned on, then always encrypted), and a
 * client certificate while no integration is an HTTP one.
 */
export function acknowledgeStageDefaults(
  stage: apigateway.Stage, options: apigateway.StageOptions | undefined, methods: () => apigateway.Method[],
): void {
  if (!options?.cachingEnabled) {
    acknowledgeInPacks(stage, 'APIGWCacheEnabledAndEncrypted', STAGE_CACHE_OFF);
  }
  Aspects.of(stage).add(new ClientCertificateNotApplicable(stage, methods), { priority: AspectPriority.MUTATING });
}

/** The reason the stage cache stays off unless the user turns it on. */
const STAGE_CACHE_OFF = 'The stage cache is off by default: API Gateway keys a cached response on the path and the request parameters declared as cache keys, '
  + 'not on the caller, so a response cached for one tenant would be served to another. deployOptions.cachingEnabled turns it on (encrypted, from $0.02 an hour '
  + 'for a 0.5 GB cache cluster) for methods whose answers are the same for every tenant.';

/** Integration types that call a backend over HTTP(S), where a client certificate authenticates API Gateway. */
const HTTP_INTEGRATIONS = new Set(['HTTP', 'HTTP_PROXY']);

/**
 * Acknowledges APIGWSSLEnabled on a stage without a client certificate when
 * no method of the API has an HTTP integration (checked once every method is
 * declared, before compliance aspects such as cdk-nag's run).
 */
class ClientCertificateNotApplicable implements IAspect {
  constructor(private readonly stage: apigateway.Stage, private readonly methods: () => apigateway.Method[]) {}

  public visit(node: IConstruct): void {
    if (node !== this.stage) return;
    const cfn = this.stage.node.defaultChild as apigateway.CfnStage;
    if (cfn.clientCertificateId !== undefined) return;
    const types = this.methods().map((m) => {
      const integration = (m.node.defaultChild as apigateway.CfnMethod).integration as apigateway.CfnMethod.IntegrationProperty | undefined;
      return integration?.type;
    });
    if (types.some((t) => t === undefined || Token.isUnresolved(t) || HTTP_INTEGRATIONS.has(t))) return;
    acknowledgeInPacks(this.stage, 'APIGWSSLEnabled',
      `No method of this API has an HTTP integration (its integration types: ${[...new Set(types)].sort().join(', ') || 'none'}): API Gateway calls AWS services `
      + 'and Lambda functions through their APIs with IAM, where a client certificate authenticates nothing. Adding an HTTP integration brings this finding back; '
      + 'then set deployOptions.clientCertificateId.');
  }
}

/** Sets SourceAccount on API Gateway's Lambda invoke permissions that lack one. */
export class SourceAccountOnInvokePermissions implements IAspect {
  public visit(node: IConstruct): void {
    if (node instanceof lambda.CfnPermission && node.principal === 'apigateway.amazonaws.com' && node.sourceAccount === undefined) {
      node.sourceAccount = Stack.of(node).account;
    }
  }
}
