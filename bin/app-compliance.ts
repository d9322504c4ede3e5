import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct, IConstruct } from 'constructs';

/** The HIPAA Security and NIST 800-53 R5 packs (rules such as LambdaConcurrency, LambdaDLQ). */
export const HIPAA_NIST = ['HIPAA.Security', 'NIST.800.53.R5'];
/** The same plus PCI DSS 3.2.1 (rules such as LambdaInsideVPC). */
export const HIPAA_NIST_PCI = [...HIPAA_NIST, 'PCI.DSS.321'];

/** Acknowledges `<pack>-<rule>` in each of `packs`, with one reason. */
export function acknowledgeInPacks(scope: IConstruct, rule: string, packs: string[], reason: string): void {
  for (const pack of packs) Validations.of(scope).acknowledge({ id: `${pack}-${rule}`, reason });
}

/**
 * A customer-managed KMS key as the compliance packs expect one: rotated
 * yearly, retained, and creating grants only for AWS resources or services
 * (Control Tower CT.KMS.PR.3).
 */
export function customerManagedKey(scope: Construct, id: string, what: string): kms.Key {
  const key = new kms.Key(scope, id, {
    description: `Encrypts ${what}`,
    enableKeyRotation: true,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  key.addToResourcePolicy(new iam.PolicyStatement({
    effect: iam.Effect.DENY,
    principals: [new iam.AnyPrincipal()],
    actions: ['kms:CreateGrant'],
    resources: ['*'],
    conditions: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
  }));
  return key;
}

/**
 * A log group kept a year, encrypted with a key of its own (rotated yearly;
 * CloudWatch Logs of this account may use it; grants only for AWS services).
 */
export function encryptedLogGroup(scope: Construct, id: string, what: string, logGroupName?: string): logs.LogGroup {
  const stack = Stack.of(scope);
  const key = customerManagedKey(scope, `${id}Key`, what);
  key.addToResourcePolicy(new iam.PolicyStatement({
    principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
    actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'],
    resources: ['*'],
    conditions: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${stack.partition}:logs:${stack.region}:${stack.account}:log-group:*` } },
  }));
  return new logs.LogGroup(scope, id, {
    logGroupName,
    retention: logs.RetentionDays.ONE_YEAR,
    encryptionKey: key,
    removalPolicy: RemovalPolicy.RETAIN,
  });
}

/**
 * An IAM role whose grants go to one customer-managed policy (`policy`)
 * instead of an inline default policy (HIPAA, NIST and PCI `IAMNoInlinePolicy`).
 * A function using it should depend on `policy`.
 */
export class ManagedPolicyRole extends iam.Role {
  private managedPolicy?: iam.ManagedPolicy;

  /** The policy holding every grant made to the role. */
  public get policy(): iam.ManagedPolicy {
    if (!this.managedPolicy) {
      // The policy names the role (not the role the policy), so a resource whose
      // policy names the role (a KMS key) can be granted to it without a cycle.
      this.managedPolicy = new iam.ManagedPolicy(this, 'Policy', { description: `Permissions of ${this.node.path}`, roles: [this] });
    }
    return this.managedPolicy;
  }

  public addToPrincipalPolicy(statement: iam.PolicyStatement): iam.AddToPrincipalPolicyResult {
    this.policy.addStatements(statement);
    return { statementAdded: true, policyDependable: this.policy };
  }
}

/** Properties of a `BackendFunction`. */
export interface BackendFunctionProps {
  /** What the function does, for its description and the reviewers' reasons. */
  readonly description: string;
  /** The handler's source: `exports.handler = async (event) => …`. */
  readonly inlineCode: string;
  /**
   * Whether the function runs in Lambda's tenant isolation mode (an
   * execution environment per tenant, named by `X-Amz-Tenant-Id` on each
   * invocation); it cannot be changed after creation.
   *
   * @default false
   */
  readonly tenantIsolation?: boolean;
}

/**
 * The newest Node.js Lambda runtime the installed aws-cdk-lib lists
 * (`lambda.Runtime.ALL`): what cdk-nag's AwsSolutions-L1 expects of a
 * function, so a newer aws-cdk-lib moves the app's own functions with it
 * (nodejs24.x on aws-cdk-lib 2.257, nodejs26.x on 2.278).
 */
export function newestNodeRuntime(): lambda.Runtime {
  const major = (r: lambda.Runtime) => Number(/^nodejs(\d+)\.x$/.exec(r.name)?.[1] ?? 0);
  const node = lambda.Runtime.ALL.filter((r) => r.family === lambda.RuntimeFamily.NODEJS && major(r) > 0);
  return node.reduce((a, b) => (major(b) > major(a) ? b : a));
}

/**
 * The log group and role of an app's function: its logs encrypted with a key
 * of their own, its permissions in a customer-managed policy that may write
 * those logs (and, with active tracing, X-Ray traces).
 */
function functionLogsAndRole(scope: Construct): { logGroup: logs.LogGroup; role: ManagedPolicyRole } {
  const logGroup = encryptedLogGroup(scope, 'Logs', `the logs of ${scope.node.path}`);
  const role = new ManagedPolicyRole(scope, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  logGroup.grantWrite(role);
  Validations.of(role.policy).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason: 'Active tracing needs xray:PutTraceSegments and xray:PutTelemetryRecords, which support no resource-level permissions; '
      + 'they are the only actions on all resources in this policy.',
  });
  return { logGroup, role };
}

/**
 * A small API backend written the way the HIPAA, NIST 800-53 and PCI DSS
 * packs and AWS Control Tower's rules expect of an app's own function: its
 * log group kept a year and encrypted with a key of its own (rotated, grant
 * creation limited to AWS services), its permissions in a customer-managed
 * policy (its logs and X-Ray only), active tracing, and the settings it
 * leaves out acknowledged with their reasons on the function itself.
 *
 * Used by the reference app and the examples; in your app, write your
 * backend the same way (or put it in a VPC and give it a reservation).
 */
export class BackendFunction extends Construct {
  public readonly function: lambda.Function;

  constructor(scope: Construct, id: string, props: BackendFunctionProps) {
    super(scope, id);
    const { logGroup, role } = functionLogsAndRole(this);
    this.function = new lambda.Function(this, 'Function', {
      runtime: newestNodeRuntime(),
      architecture: lambda.Architecture.ARM_64,
      handler: 'index.handler',
      role,
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      tracing: lambda.Tracing.ACTIVE,
      timeout: Duration.seconds(5),
      memorySize: 256,
      description: props.description,
      code: lambda.Code.fromInline(props.inlineCode),
      ...(props.tenantIsolation ? { tenancyConfig: lambda.TenancyConfig.PER_TENANT } : {}),
    });
    this.function.node.addDependency(role.policy);

    acknowledgeInPacks(this.function, 'LambdaConcurrency', HIPAA_NIST,
      `${props.description}: invoked by API Gateway, whose stage throttling (100 requests per second, burst 200) bounds it; a reservation would take capacity from the account's unreserved pool.`);
    acknowledgeInPacks(this.function, 'LambdaDLQ', HIPAA_NIST,
      `${props.description}: invoked synchronously by API Gateway, which returns an error to the caller; a dead-letter queue receives failed asynchronous invocations only.`);
    acknowledgeInPacks(this.function, 'LambdaInsideVPC', HIPAA_NIST_PCI,
      `${props.description}: it computes its answer from the request and calls no other resource, so it needs no network access a VPC would control.`);
  }
}

/** Properties of a `ConsumerFunction`. */
export interface ConsumerFunctionProps {
  /** What the service does, for its description and the reviewers' reasons. */
  readonly description: string;
  /** The handler's TypeScript source, bundled with esbuild (the AWS SDK left to the Lambda runtime). */
  readonly entry: string;
  /** The tenant's credentials (TenantAppClient `secret`): the one secret the service may read. */
  readonly credentials: secretsmanager.ISecret;
  /** The function's variables. */
  readonly environment: Record<string, string>;
  /** @default Duration.seconds(20): the token client's deadline (15 s by default) and the API call */
  readonly timeout?: Duration;
}

/**
 * A tenant's service that gets tokens and calls an API, written the way
 * the compliance packs expect of an app's function (as `BackendFunction`):
 * its role may write its logs and traces and read the tenant's credentials,
 * nothing else; its logs are encrypted with a key of their own. It runs
 * when invoked by hand (`aws lambda invoke`), which the acknowledged rules
 * say. In a real deployment the service runs in the tenant's own stack or
 * account; the examples keep it in theirs to stay small.
 */
export class ConsumerFunction extends Construct {
  public readonly function: nodejs.NodejsFunction;

  constructor(scope: Construct, id: string, props: ConsumerFunctionProps) {
    super(scope, id);
    const { logGroup, role } = functionLogsAndRole(this);
    props.credentials.grantRead(role);
    this.function = new nodejs.NodejsFunction(this, 'Function', {
      entry: props.entry,
      description: props.description,
      runtime: newestNodeRuntime(),
      architecture: lambda.Architecture.ARM_64,
      role,
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      tracing: lambda.Tracing.ACTIVE,
      memorySize: 256,
      timeout: props.timeout ?? Duration.seconds(20),
      environment: props.environment,
      // The Lambda runtime provides the AWS SDK; the token client has no dependencies.
      bundling: { minify: true, externalModules: ['@aws-sdk/*'], logLevel: nodejs.LogLevel.WARNING },
    });
    this.function.node.addDependency(role.policy);

    const byHand = `${props.description} runs when invoked by hand (aws lambda invoke)`;
    acknowledgeInPacks(this.function, 'LambdaConcurrency', HIPAA_NIST, `${byHand}, one call at a time; it has no traffic to reserve capacity for.`);
    acknowledgeInPacks(this.function, 'LambdaDLQ', HIPAA_NIST, `${byHand}, synchronously: the caller gets the error; a dead-letter queue keeps failed asynchronous invocations only.`);
    acknowledgeInPacks(this.function, 'LambdaInsideVPC', HIPAA_NIST_PCI,
      `${byHand} and calls only Secrets Manager, the Cognito token endpoint or API and the API's public endpoint over TLS; it reaches no private resource.`);
  }
}

/**
 * The id aws-cdk-lib's policy validation gives the Control Tower plugin's
 * rules (`<plugin>::<rule>`); this file needs aws-cdk-lib only, so it does not
 * import bin/nag.ts.
 */
const CONTROL_TOWER_PLUGIN = 'cdk-validator-cfnguard';

/**
 * AWS Control Tower rules an app built with cdk-cognito-m2m's defaults does
 * not meet, with the reason each is accepted. Control Tower rules can only be
 * acknowledged for a whole app (the library never does), so an app states
 * the ones it accepts, and a team that must meet one sets the prop named.
 */
export const CONTROL_TOWER_REASONS: Record<string, string> = {
  lambda_inside_vpc_check: 'CT.LAMBDA.PR.3: this app runs its functions outside a VPC; they call only AWS service endpoints (Cognito, DynamoDB, SSM, S3, CloudFront) '
    + 'and no private resource. A team that must meet it sets the vpc props of M2mAuthorizer, DeveloperPortal and TenantClaim (README, Compliance).',
  lambda_function_public_access_prohibited_check: 'CT.LAMBDA.PR.2: every API Gateway invoke permission has SourceArn (the API\'s execute-api ARN) and SourceAccount, '
    + 'but in an environment-agnostic stack both are CloudFormation expressions, which the rule does not read as strings; with an explicit account (env) SourceAccount is a literal and the rule passes.',
  cloudfront_custom_ssl_certificate_check: 'CT.CLOUDFRONT.PR.6: the portal site uses CloudFront\'s *.cloudfront.net certificate because this app owns no domain; webUi.domainName and webUi.certificate give a custom one.',
  cloudfront_sni_enabled_check: 'CT.CLOUDFRONT.PR.7: SNI applies to a custom certificate, and the portal site has none without webUi.domainName and webUi.certificate, which serve it with SNI.',
  cloudfront_security_policy_check: 'CT.CLOUDFRONT.PR.9: the minimum TLS version (TLSv1.2_2021, set by the library) applies to a custom certificate only; CloudFront fixes it for *.cloudfront.net.',
  cloudfront_origin_failover_enabled_check: 'CT.CLOUDFRONT.PR.4: the portal site is the built web UI in one S3 bucket, written again by every deployment and cached at the edge; '
    + 'an origin group would need a second bucket in another Region kept in sync by another pipeline.',
  s3_bucket_acl_prohibited_check: 'CT.S3.PR.5: the portal site\'s access-log bucket must accept ACLs because CloudFront standard logging writes with them; '
    + 'the bucket blocks all public access and only the log delivery account is granted.',
  s3_bucket_logging_enabled_check: 'CT.S3.PR.2: the portal site\'s access-log bucket receives the logs of the site bucket and the distribution; '
    + 'logging its own access would log the logging. Every other bucket logs to it.',
  s3_bucket_object_lock_enabled_check: 'CT.S3.PR.9: S3 server access logging refuses a destination with a default retention period, and the site bucket\'s files are '
    + 'replaced by each deployment of the UI; both buckets are versioned, with earlier versions kept 30 days.',
};

/** Acknowledges the named Control Tower rules for the whole app, with the reasons above. */
export function acknowledgeControlTowerRules(scope: Construct, rules: string[]): void {
  for (const rule of rules) {
    const reason = CONTROL_TOWER_REASONS[rule];
    if (!reason) throw new Error(`No reason is written for the Control Tower rule ${rule}: add it to CONTROL_TOWER_REASONS or meet the rule`);
    Validations.of(scope).acknowledge({ id: `${CONTROL_TOWER_PLUGIN}::${rule}`, reason });
  }
}
