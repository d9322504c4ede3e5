import * as path from 'path';
import { ArnFormat, Duration, Lazy, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as cognito from 'aws-cdk-lib/aws-cognito';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { acknowledgeRule, nagShown } from './acknowledge';
import {
  BINDING_CLIENT_METADATA, BINDING_LOGICAL_ID_TAG, BINDING_STACK_TAG, CLIENT_ROTATION_ENV, SECRET_NOT_BOUND_REASON, SWEEP_EVENT,
  SWEEP_INTERVAL_MINUTES,
} from './contracts/client-rotation';
import { handlerFunction } from './handler-function';
import { newestNodeRuntime } from './node-runtime';
import { poolState, RotationPlacement } from './pool-state';
import { deadLetterAlarm, libraryRolePath, SecurityAlarms } from './security-alarms';
import type { IM2mUserPool } from '../m2m-user-pool';

/** Where `npx projen bundle` puts the rotation handler (same depth from lib/ and out/). */
const CLIENT_ROTATION_BUNDLE = path.join(__dirname, '..', '..', 'assets', 'client-rotation');

/**
 * The rotation function of one user pool and grace period, shared by every
 * rotating `TenantAppClient` of the pool with that grace period (so 1,000
 * tenants need one function, one role and one sweep rule, not 1,000).
 *
 * Which secrets it rotates is bound at deploy time (`bind`): each rotated
 * secret is tagged with its stack and logical id and its CloudFormation
 * Metadata names its app client; the function rotates a secret only when
 * CloudFormation confirms both (lambda/client-rotation/binding.ts), so a
 * secret someone else creates and points at this function gets nothing.
 *
 * Its permissions, all in one customer-managed policy:
 * - Secrets Manager rotation actions on secrets whose rotation function is
 *   this function (condition `secretsmanager:resource/AllowRotationLambdaArn`)
 *   and that carry the stack tag of a stack with rotated tenants, so the
 *   policy does not grow with the tenants;
 * - `cloudformation:DescribeStackResource` on those stacks;
 * - `secretsmanager:ListSecrets` (no resource-level permissions) for the sweep,
 *   which reads metadata and staging labels, never values;
 * - AddUserPoolClientSecret, ListUserPoolClientSecrets and
 *   DeleteUserPoolClientSecret on the pool;
 * - kms:Decrypt and kms:GenerateDataKey through Secrets Manager only, on each
 *   key that encrypts a rotating secret.
 */
export class ClientRotationFunction extends Construct {
  /** The function for the pool and grace period, created on first use. */
  public static of(pool: IM2mUserPool, gracePeriod: Duration): ClientRotationFunction {
    const id = `ClientSecretRotation-${gracePeriod.toHours()}h`;
    const existing = pool.node.tryFindChild(id) as ClientRotationFunction | undefined;
    return existing ?? new ClientRotationFunction(pool, id, pool, gracePeriod, poolState(pool).rotationPlacement);
  }

  public readonly fn: lambda.Function;
  /** The function's permissions; a rotation schedule must depend on it. */
  public readonly policy: iam.ManagedPolicy;
  /** The alarm on secrets the function refused to rotate. */
  public readonly refusalsAlarm: cloudwatch.Alarm;
  private readonly keys = new Set<string>();
  /** The stacks whose secrets the function may rotate, in the order they were bound. */
  private readonly trustedStacks: string[] = [];
  private readonly stackReads: iam.PolicyStatement;

  private constructor(scope: Construct, id: string, pool: IM2mUserPool, gracePeriod: Duration, placement: RotationPlacement = {}) {
    super(scope, id);
    const stack = Stack.of(this);
    const { fn, role, deadLetterQueue } = handlerFunction(this, {
      ids: { logs: 'Logs', role: 'Role', function: 'Function' },
      code: lambda.Code.fromAsset(CLIENT_ROTATION_BUNDLE),
      description: `Rotates the client secrets of the user pool's tenant app clients (grace period ${gracePeriod.toHumanString()})`,
      roleDescription: 'Client-secret rotation: Secrets Manager rotation of the secrets that name this function, the client secrets of one user pool, nothing else',
      memorySize: 256,
      // The sweep walks every rotating secret of the account once an hour.
      timeout: Duration.minutes(5),
      network: placement.network,
      runtime: placement.runtime ?? newestNodeRuntime(),
      reservedConcurrentExecutions: placement.reservedConcurrentExecutions,
      rolePath: libraryRolePath(pool),
      asyncInvocations: { queueId: 'DeadLetters', retryAttempts: 2, maxEventAge: Duration.hours(1), what: 'the hourly client-secret sweep' },
      defaults: {
        unreserved: 'Invoked by Secrets Manager when a tenant secret is due for rotation and by the hourly sweep, one invocation at a time per secret; '
          + 'Secrets Manager retries a throttled rotation, so reserving capacity would only take it from the account\'s unreserved pool.',
        outsideVpc: 'Calls only AWS service endpoints over TLS with IAM (the Cognito user pool API, Secrets Manager) and the pool\'s token endpoint to test a new secret; '
          + 'it reaches no private resource.',
      },
      environment: {
        [CLIENT_ROTATION_ENV.userPoolId]: pool.userPoolId,
        [CLIENT_ROTATION_ENV.graceSeconds]: String(gracePeriod.toSeconds()),
        [CLIENT_ROTATION_ENV.trustedStacks]: Lazy.string({ produce: () => JSON.stringify(this.trustedStacks) }),
        ...(pool.hasTokenEndpoint ? { [CLIENT_ROTATION_ENV.tokenEndpoint]: pool.tokenEndpoint } : {}),
      },
    });
    this.fn = fn;

    const secretArns = stack.formatArn({ service: 'secretsmanager', resource: 'secret', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    this.policy = new iam.ManagedPolicy(this, 'Permissions', {
      description: 'Client-secret rotation of one user pool\'s tenant app clients',
      roles: [role],
      statements: [
        new iam.PolicyStatement({
          sid: 'RotateSecretsNamingThisFunction',
          actions: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue', 'secretsmanager:UpdateSecretVersionStage'],
          resources: [secretArns],
          conditions: {
            StringEquals: {
              'secretsmanager:resource/AllowRotationLambdaArn': fn.functionArn,
              [`secretsmanager:ResourceTag/${BINDING_STACK_TAG}`]: Lazy.list({ produce: () => this.trustedStacks }),
            },
          },
        }),
        new iam.PolicyStatement({
          sid: 'FindSecretsForTheSweep',
          actions: ['secretsmanager:ListSecrets'],
          resources: ['*'],
        }),
        new iam.PolicyStatement({
          sid: 'ManageClientSecretsOfThePool',
          actions: ['cognito-idp:AddUserPoolClientSecret', 'cognito-idp:ListUserPoolClientSecrets', 'cognito-idp:DeleteUserPoolClientSecret'],
          resources: [pool.userPoolArn],
        }),
      ],
    });
    this.stackReads = new iam.PolicyStatement({ sid: 'ReadTheStacksThatDeclareRotatedSecrets', actions: ['cloudformation:DescribeStackResource'] });
    this.policy.addStatements(this.stackReads);
    acknowledgeRule(this.policy,
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:${nagShown(stack.region, '<AWS::Region>')}:${nagShown(stack.account, '<AWS::AccountId>')}:secret:*]`,
      'The rotation actions are limited by the conditions secretsmanager:resource/AllowRotationLambdaArn (secrets whose rotation function is this function) and the stack tag of the stacks with rotated tenants, '
      + 'which keeps the policy one size for any number of tenants; the function also checks with CloudFormation that each secret is the one a TenantAppClient declared before it calls Cognito.');
    acknowledgeRule(this.policy, 'AwsSolutions-IAM5[Resource::*]',
      'secretsmanager:ListSecrets supports no resource-level permissions; the hourly sweep uses it to find the secrets this function rotates, and it returns metadata and staging labels, never secret values.');

    // One permission for every secret: Secrets Manager invokes the function in this account only.
    fn.addPermission('InvokedBySecretsManager', {
      principal: new iam.ServicePrincipal('secretsmanager.amazonaws.com'),
      sourceAccount: stack.account,
    });
    new events.Rule(this, 'Sweep', {
      description: 'Deletes old client secrets once their grace period after a rotation is over',
      schedule: events.Schedule.rate(Duration.minutes(SWEEP_INTERVAL_MINUTES)),
      targets: [new targets.LambdaFunction(fn, { event: events.RuleTargetInput.fromObject(SWEEP_EVENT) })],
    });
    deadLetterAlarm(pool, this, deadLetterQueue!, 'The hourly client-secret sweep');

    // A secret the function refused: someone pointed a secret it does not own at it, or changed a tenant secret's client id.
    const refusals = new logs.MetricFilter(this, 'RefusedSecrets', {
      logGroup: fn.logGroup,
      filterPattern: logs.FilterPattern.stringValue('$.reason', '=', SECRET_NOT_BOUND_REASON),
      metricNamespace: 'cdk-cognito-m2m/ClientRotation',
      metricName: 'RefusedSecrets',
      metricValue: '1',
      unit: cloudwatch.Unit.COUNT,
    });
    this.refusalsAlarm = SecurityAlarms.of(pool).alarm(this, 'RefusedSecretsAlarm',
      refusals.metric({ statistic: cloudwatch.Stats.SUM, period: Duration.minutes(5) }), 1,
      'The client-secret rotation function refused a secret that no TenantAppClient declared for the client it names '
      + '(a secret created by someone else and pointed at the function, or a tenant secret whose clientId was changed). '
      + 'Its log says which secret; find who enabled its rotation (CloudTrail RotateSecret) and remove it.');
  }

  /**
   * Binds a tenant's secret to its app client: the tags and Metadata the
   * function checks with CloudFormation, the secret's stack among those it
   * trusts, and read access to that stack's resources.
   */
  public bind(secret: secretsmanager.Secret, client: cognito.UserPoolClient): void {
    const secretStack = Stack.of(secret);
    if (secretStack !== Stack.of(client)) {
      throw new Error(`[${secret.node.path}] the secret and its app client must be in one stack for the rotation function to check the binding`);
    }
    const stackName = secretStack.stackName;
    if (Token.isUnresolved(stackName)) {
      throw new Error(`[${secret.node.path}] rotationSchedule: the stack's name must be known at synth time (the rotation function trusts secrets by their stack); a nested stack is not supported`);
    }
    const cfnSecret = secret.node.defaultChild as secretsmanager.CfnSecret;
    const cfnClient = client.node.defaultChild as cognito.CfnUserPoolClient;
    cfnSecret.tags.setTag(BINDING_STACK_TAG, stackName);
    cfnSecret.tags.setTag(BINDING_LOGICAL_ID_TAG, secretStack.getLogicalId(cfnSecret));
    cfnSecret.addMetadata(BINDING_CLIENT_METADATA, secretStack.getLogicalId(cfnClient));
    if (this.trustedStacks.includes(stackName)) return;
    this.trustedStacks.push(stackName);
    const stack = Stack.of(this);
    this.stackReads.addResources(stack.formatArn({ service: 'cloudformation', resource: 'stack', resourceName: `${stackName}/*` }));
    acknowledgeRule(this.policy,
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:cloudformation:${nagShown(stack.region, '<AWS::Region>')}:${nagShown(stack.account, '<AWS::AccountId>')}:stack/${stackName}/*]`,
      `DescribeStackResource on stack ${stackName}, which declares rotated tenants: a stack's ARN ends with an id CloudFormation generates, so the stack name is followed by a wildcard.`);
  }

  /** Lets the function read and write secrets encrypted with the key, through Secrets Manager only. */
  public grantSecretsKey(key: kms.IKey): void {
    const arn = Stack.of(this).resolve(key.keyArn);
    const id = JSON.stringify(arn);
    if (this.keys.has(id)) return;
    this.keys.add(id);
    this.policy.addStatements(new iam.PolicyStatement({
      actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
      resources: [key.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${Stack.of(this).region}.${Stack.of(this).urlSuffix}` } },
    }));
  }
}
