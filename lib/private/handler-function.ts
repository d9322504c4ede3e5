import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { acknowledgeRule } from './acknowledge';

/** How a bundled handler is deployed. Construct ids are given so that logical ids stay stable. */
export interface HandlerFunctionProps {
  readonly ids: { readonly logs: string; readonly role: string; readonly function: string };
  readonly code: lambda.Code;
  readonly description: string;
  readonly roleDescription: string;
  readonly memorySize: number;
  readonly timeout: Duration;
  readonly environment: Record<string, string>;
  readonly logRetention?: logs.RetentionDays;
  readonly reservedConcurrentExecutions?: number;
}

/**
 * A bundled handler as every function of this library runs: Node.js 24 on
 * arm64, active tracing, JSON logs at INFO to its own retained log group, and
 * a role that may write those logs and traces and nothing else (callers add
 * what the handler needs).
 */
export function handlerFunction(scope: Construct, props: HandlerFunctionProps): { fn: lambda.Function; role: iam.Role } {
  const logGroup = new logs.LogGroup(scope, props.ids.logs, {
    retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  const role = new iam.Role(scope, props.ids.role, {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    description: props.roleDescription,
  });
  logGroup.grantWrite(role);
  acknowledgeRule(role, 'AwsSolutions-IAM5[Resource::*]',
    'Active tracing needs xray:PutTraceSegments and xray:PutTelemetryRecords, which support no resource-level permissions.');
  const fn = new lambda.Function(scope, props.ids.function, {
    runtime: lambda.Runtime.NODEJS_24_X,
    architecture: lambda.Architecture.ARM_64,
    handler: 'index.handler',
    code: props.code,
    role,
    logGroup,
    memorySize: props.memorySize,
    timeout: props.timeout,
    reservedConcurrentExecutions: props.reservedConcurrentExecutions,
    tracing: lambda.Tracing.ACTIVE,
    loggingFormat: lambda.LoggingFormat.JSON,
    applicationLogLevelV2: lambda.ApplicationLogLevel.INFO,
    systemLogLevelV2: lambda.SystemLogLevel.WARN,
    description: props.description,
    environment: props.environment,
  });
  return { fn, role };
}
