import { Duration, RemovalPolicy, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct, IConstruct } from 'constructs';
import type { HandlerPlacementOptions } from '../handler-placement';
import { acknowledgeInPacks } from './acknowledge';
import { logsEncryptionKey, ManagedPolicyRole } from './compliance';
import { holdingQueue } from './security-alarms';
import { propError } from './validation';

/** How a bundled handler is deployed. Construct ids are given so that logical ids stay stable. */
export interface HandlerFunctionProps {
  readonly ids: { readonly logs: string; readonly role: string; readonly function: string };
  readonly code: lambda.Code;
  /** The Node.js runtime (`handlerRuntime` checks the user's choice and gives the default). */
  readonly runtime: lambda.Runtime;
  readonly description: string;
  readonly roleDescription: string;
  readonly memorySize: number;
  readonly timeout: Duration;
  readonly environment: Record<string, string>;
  readonly logRetention?: logs.RetentionDays;
  readonly reservedConcurrentExecutions?: number;
  /** The VPC, subnets and security groups to run in; none: outside a VPC. */
  readonly network?: HandlerNetwork;
  /**
   * The IAM path of the function's role (`/.../`): the secret-lifecycle
   * audit tells the library's own callers from others by it.
   *
   * @default - the root path
   */
  readonly rolePath?: string;
  /**
   * Set for a function that an EventBridge schedule also invokes
   * asynchronously: a failed asynchronous invocation is retried
   * `retryAttempts` times, then kept in a KMS-encrypted dead-letter queue.
   */
  readonly asyncInvocations?: AsyncInvocations;
  /**
   * Why this function may run without reserved concurrency and outside a
   * VPC when the user leaves those settings out: acknowledged, with these
   * reasons, on the function only in that case (HIPAA and NIST
   * `LambdaConcurrency`; HIPAA, NIST and PCI `LambdaInsideVPC`).
   */
  readonly defaults: HandlerDefaultsReasons;
}

/** How a function's asynchronous invocations are retried and kept when they fail. */
export interface AsyncInvocations {
  /** Construct id of the dead-letter queue. */
  readonly queueId: string;
  /** Retries of a failed invocation, 0 to 2. */
  readonly retryAttempts: number;
  /** How long an event may wait for a retry before it goes to the queue. */
  readonly maxEventAge: Duration;
  /** What the invocation is, for the queue's description in errors and docs (e.g. `the hourly sweep`). */
  readonly what: string;
}

/** The reasons a reviewer reads for a handler's unset optional hardening. */
export interface HandlerDefaultsReasons {
  readonly unreserved: string;
  readonly outsideVpc: string;
}

/** Where a handler runs in a VPC. */
export interface HandlerNetwork {
  readonly vpc: ec2.IVpc;
  readonly vpcSubnets?: ec2.SubnetSelection;
  readonly securityGroups?: ec2.ISecurityGroup[];
}

/** A bundled handler, its role, and the dead-letter queue of its asynchronous invocations (when it has any). */
export interface HandlerFunction {
  readonly fn: lambda.Function;
  readonly role: iam.Role;
  readonly deadLetterQueue?: sqs.Queue;
}

/** TCP 443 out, the only traffic the library's functions need: AWS service endpoints and the pool's token endpoint. */
export const HTTPS_EGRESS_DESCRIPTION = 'HTTPS to AWS service endpoints (through VPC endpoints or a NAT gateway)';

/**
 * A bundled handler as every function of this library runs: Node.js (the
 * runtime given, by default the newest aws-cdk-lib knows) on arm64, active tracing, JSON logs at INFO to its own retained log group
 * encrypted with the stack's logs key, and a role whose customer-managed
 * policies allow writing those logs and traces and nothing else (callers add
 * what the handler needs).
 */
export function handlerFunction(scope: Construct, props: HandlerFunctionProps): HandlerFunction {
  const logGroup = new logs.LogGroup(scope, props.ids.logs, {
    retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
    removalPolicy: RemovalPolicy.RETAIN,
    encryptionKey: logsEncryptionKey(scope),
  });
  const role: iam.Role = new ManagedPolicyRole(scope, props.ids.role, {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    description: props.roleDescription,
    path: props.rolePath,
  });
  logGroup.grantWrite(role);
  const network = props.network;
  // aws-cdk-lib's default group allows all traffic out; the library's functions need HTTPS only.
  const securityGroups = network && (network.securityGroups ?? [httpsOnlySecurityGroup(scope, `${props.ids.function}SecurityGroup`, network.vpc)]);
  const async = props.asyncInvocations;
  const deadLetterQueue = async && holdingQueue(scope, async.queueId, `This queue is the dead-letter queue of ${async.what}'s failed asynchronous invocations`);
  const fn = new lambda.Function(scope, props.ids.function, {
    runtime: props.runtime,
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
    vpc: network?.vpc,
    vpcSubnets: network?.vpcSubnets,
    securityGroups,
    deadLetterQueue,
    retryAttempts: async?.retryAttempts,
    maxEventAge: async?.maxEventAge,
  });
  if (!deadLetterQueue) {
    // Invoked synchronously only (API Gateway, a Cognito trigger): the caller gets the error, nothing is queued to retry.
    acknowledgeInPacks(fn, 'LambdaDLQ',
      'Invoked synchronously only (by API Gateway or a Cognito trigger), which returns the error to the caller; a dead-letter queue receives failed asynchronous invocations only, and this function has none.');
  }
  if (props.reservedConcurrentExecutions === undefined) acknowledgeInPacks(fn, 'LambdaConcurrency', props.defaults.unreserved);
  if (network === undefined) acknowledgeInPacks(fn, 'LambdaInsideVPC', props.defaults.outsideVpc);
  return { fn, role, deadLetterQueue };
}

function httpsOnlySecurityGroup(scope: Construct, id: string, vpc: ec2.IVpc): ec2.SecurityGroup {
  const group = new ec2.SecurityGroup(scope, id, {
    vpc,
    description: `${scope.node.path}: HTTPS out only`,
    allowAllOutbound: false,
    allowAllIpv6Outbound: false,
  });
  group.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), HTTPS_EGRESS_DESCRIPTION);
  return group;
}

/**
 * Checks a construct's placement props (`prefix` names them in errors, e.g.
 * `authorizer.`) and returns the network to give `handlerFunction`.
 */
export function checkedNetwork(scope: IConstruct, prefix: string, p: HandlerPlacementOptions): HandlerNetwork | undefined {
  const reserved = p.reservedConcurrentExecutions;
  if (reserved !== undefined && !Token.isUnresolved(reserved) && (!Number.isInteger(reserved) || reserved < 1)) {
    throw propError(scope, `${prefix}reservedConcurrentExecutions`, reserved,
      'must be a whole number of at least 1 (0 would stop the function from ever running); leave it out for no reservation');
  }
  if (!p.vpc) {
    if (p.vpcSubnets !== undefined) throw propError(scope, `${prefix}vpcSubnets`, 'set', 'subnets apply to a VPC: set vpc too, or leave vpcSubnets out');
    if (p.securityGroups !== undefined) throw propError(scope, `${prefix}securityGroups`, 'set', 'security groups apply to a VPC: set vpc too, or leave securityGroups out');
    return undefined;
  }
  return { vpc: p.vpc, vpcSubnets: p.vpcSubnets, securityGroups: p.securityGroups };
}

/**
 * The reasons for a function that serves requests (an authorizer, a token
 * trigger, the portal API) and takes `reservedConcurrentExecutions` and
 * `vpc` props: `beyond` says what happens to calls beyond a reservation,
 * `reaches` lists the endpoints it calls.
 */
export function requestHandlerDefaults(beyond: string, reaches: string): HandlerDefaultsReasons {
  return {
    unreserved: `No concurrency is reserved by default: a reservation is also a ceiling (beyond it, ${beyond}) and is taken from the account's unreserved pool, `
      + 'which must keep at least 100; the reservedConcurrentExecutions prop reserves it (README, Compliance).',
    outsideVpc: `Runs outside a VPC by default: it calls only AWS service endpoints over TLS with IAM or public keys (${reaches}) and no private resource; `
      + 'the vpc prop places it in a VPC, which then needs a NAT gateway or VPC endpoints for those services (README, Compliance).',
  };
}
