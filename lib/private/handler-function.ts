import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { acknowledgeRule } from './acknowledge';
import { logsEncryptionKey, ManagedPolicyRole } from './compliance';

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
  /** The VPC, subnets and security groups to run in; none: outside a VPC. */
  readonly network?: HandlerNetwork;
}

/** Where a handler runs in a VPC. */
export interface HandlerNetwork {
  readonly vpc: ec2.IVpc;
  readonly vpcSubnets?: ec2.SubnetSelection;
  readonly securityGroups?: ec2.ISecurityGroup[];
}

/**
 * A bundled handler as every function of this library runs: Node.js 24 on
 * arm64, active tracing, JSON logs at INFO to its own retained log group
 * encrypted with the stack's logs key, and a role whose customer-managed
 * policies allow writing those logs and traces and nothing else (callers add
 * what the handler needs).
 */
export function handlerFunction(scope: Construct, props: HandlerFunctionProps): { fn: lambda.Function; role: iam.Role } {
  const logGroup = new logs.LogGroup(scope, props.ids.logs, {
    retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
    removalPolicy: RemovalPolicy.RETAIN,
    encryptionKey: logsEncryptionKey(scope),
  });
  const role: iam.Role = new ManagedPolicyRole(scope, props.ids.role, {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    description: props.roleDescription,
  });
  logGroup.grantWrite(role);
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
    vpc: props.network?.vpc,
    vpcSubnets: props.network?.vpcSubnets,
    securityGroups: props.network?.securityGroups,
  });
  // Every handler of this library is invoked synchronously (API Gateway, a
  // Cognito trigger): the caller gets the error, nothing is queued to retry.
  for (const pack of ['HIPAA.Security', 'NIST.800.53.R5']) {
    acknowledgeRule(fn, `${pack}-LambdaDLQ`,
      'Invoked synchronously only (by API Gateway or a Cognito trigger), which returns the error to the caller; a dead-letter queue receives failed asynchronous invocations only, and this function has none.');
  }
  return { fn, role };
}
