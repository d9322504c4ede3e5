import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { acknowledgeRule } from './acknowledge';

/**
 * Adds the key-policy statement AWS Control Tower's CT.KMS.PR.3 asks for:
 * nobody may create a grant on the key unless the grant is for an AWS
 * resource (Secrets Manager, DynamoDB, Lambda create those) or the caller is
 * an AWS service.
 *
 * @see https://docs.aws.amazon.com/controltower/latest/controlreference/kms-rules.html#ct-kms-pr-3-description
 */
export function grantsOnlyForAwsServices(key: kms.Key): kms.Key {
  key.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'DenyGrantsExceptForAwsServices',
    effect: iam.Effect.DENY,
    principals: [new iam.AnyPrincipal()],
    actions: ['kms:CreateGrant'],
    resources: ['*'],
    conditions: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
  }));
  return key;
}

const LOGS_KEY_ID = 'CognitoM2mLogsKey';

/**
 * The customer-managed KMS key that encrypts the log groups this library
 * creates in a stack: one key per stack (about $1 a month), rotated yearly,
 * retained like the log groups it encrypts. Its policy lets CloudWatch Logs
 * of the stack's Region use it for this account's log groups only.
 *
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html
 */
export function logsEncryptionKey(scope: Construct): kms.IKey {
  const stack = Stack.of(scope);
  const existing = stack.node.tryFindChild(LOGS_KEY_ID);
  if (existing) return existing as kms.Key;
  const key = new kms.Key(stack, LOGS_KEY_ID, {
    description: 'Encrypts the CloudWatch Logs log groups of cdk-cognito-m2m (handler logs, API access logs)',
    enableKeyRotation: true,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  key.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'CloudWatchLogsOfThisAccount',
    principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
    actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncryptFrom', 'kms:ReEncryptTo', 'kms:GenerateDataKey', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:DescribeKey'],
    resources: ['*'],
    conditions: {
      ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${stack.partition}:logs:${stack.region}:${stack.account}:log-group:*` },
    },
  }));
  grantsOnlyForAwsServices(key);
  return key;
}

/**
 * A Lambda execution role whose statements live in customer-managed policies
 * instead of an inline default policy (HIPAA/NIST/PCI IAMNoInlinePolicy):
 * everything goes to `Policy`, except the X-Ray statement active tracing
 * adds, which goes to `TracingPolicy`, the only policy with an acknowledged
 * `Resource::*`.
 */
export class ManagedPolicyRole extends iam.Role {
  private policy?: iam.ManagedPolicy;
  private tracingPolicy?: iam.ManagedPolicy;

  public addToPrincipalPolicy(statement: iam.PolicyStatement): iam.AddToPrincipalPolicyResult {
    const tracing = statement.actions.length > 0 && statement.actions.every((a) => a.startsWith('xray:'));
    const policy = tracing ? this.tracing() : this.main();
    policy.addStatements(statement);
    return { statementAdded: true, policyDependable: policy };
  }

  private main(): iam.ManagedPolicy {
    if (!this.policy) {
      this.policy = new iam.ManagedPolicy(this, 'Policy', { description: `Permissions of ${this.node.path}` });
      this.addManagedPolicy(this.policy);
    }
    return this.policy;
  }

  private tracing(): iam.ManagedPolicy {
    if (!this.tracingPolicy) {
      this.tracingPolicy = new iam.ManagedPolicy(this, 'TracingPolicy', { description: `X-Ray active tracing of ${this.node.path}` });
      this.addManagedPolicy(this.tracingPolicy);
      acknowledgeRule(this.tracingPolicy, 'AwsSolutions-IAM5[Resource::*]',
        'Active tracing needs xray:PutTraceSegments and xray:PutTelemetryRecords, which support no resource-level permissions; this policy holds only those.');
    }
    return this.tracingPolicy;
  }
}
