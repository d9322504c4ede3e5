import * as path from 'path';
import { ArnFormat, Duration, Stack, Token } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { acknowledgeRule } from './acknowledge';
import { GRACE_SECONDS_ENV, SWEEP_EVENT, SWEEP_INTERVAL_MINUTES, USER_POOL_ID_ENV } from './client-rotation-contract';
import { handlerFunction, HandlerNetwork } from './handler-function';
import type { IM2mUserPool } from '../m2m-user-pool';

/** Where `npx projen bundle` puts the rotation handler (same depth from lib/ and out/). */
const CLIENT_ROTATION_BUNDLE = path.join(__dirname, '..', '..', 'assets', 'client-rotation');

/** Where a pool's rotation function runs (M2mUserPool `secretRotation`, checked there). */
export interface RotationPlacement {
  readonly network?: HandlerNetwork;
  readonly reservedConcurrentExecutions?: number;
}

const placements = new WeakMap<IM2mUserPool, RotationPlacement>();

/** Records where the rotation functions of a pool run; called by the pool's constructor. */
export function setRotationPlacement(pool: IM2mUserPool, placement: RotationPlacement): void {
  placements.set(pool, placement);
}

/**
 * The rotation function of one user pool and grace period, shared by every
 * rotating `TenantAppClient` of the pool with that grace period (so 1,000
 * tenants need one function, one role and one sweep rule, not 1,000).
 *
 * Its permissions, all in one customer-managed policy:
 * - Secrets Manager rotation actions on secrets whose rotation function is
 *   this function (condition `secretsmanager:resource/AllowRotationLambdaArn`),
 *   so the policy does not grow with the tenants;
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
    return existing ?? new ClientRotationFunction(pool, id, pool, gracePeriod, placements.get(pool));
  }

  public readonly fn: lambda.Function;
  /** The function's permissions; a rotation schedule must depend on it. */
  public readonly policy: iam.ManagedPolicy;
  private readonly keys = new Set<string>();

  private constructor(scope: Construct, id: string, pool: IM2mUserPool, gracePeriod: Duration, placement: RotationPlacement = {}) {
    super(scope, id);
    const stack = Stack.of(this);
    const { fn, role } = handlerFunction(this, {
      ids: { logs: 'Logs', role: 'Role', function: 'Function' },
      code: lambda.Code.fromAsset(CLIENT_ROTATION_BUNDLE),
      description: `Rotates the client secrets of the user pool's tenant app clients (grace period ${gracePeriod.toHumanString()})`,
      roleDescription: 'Client-secret rotation: Secrets Manager rotation of the secrets that name this function, the client secrets of one user pool, nothing else',
      memorySize: 256,
      // The sweep walks every rotating secret of the account once an hour.
      timeout: Duration.minutes(5),
      network: placement.network,
      reservedConcurrentExecutions: placement.reservedConcurrentExecutions,
      defaults: {
        unreserved: 'Invoked by Secrets Manager when a tenant secret is due for rotation and by the hourly sweep, one invocation at a time per secret; '
          + 'Secrets Manager retries a throttled rotation, so reserving capacity would only take it from the account\'s unreserved pool.',
        outsideVpc: 'Calls only AWS service endpoints over TLS with IAM (the Cognito user pool API, Secrets Manager) and the pool\'s token endpoint to test a new secret; '
          + 'it reaches no private resource.',
      },
      environment: {
        [USER_POOL_ID_ENV]: pool.userPoolId,
        [GRACE_SECONDS_ENV]: String(gracePeriod.toSeconds()),
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
          conditions: { StringEquals: { 'secretsmanager:resource/AllowRotationLambdaArn': fn.functionArn } },
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
    const shown = (v: string, placeholder: string) => (Token.isUnresolved(v) ? placeholder : v);
    acknowledgeRule(this.policy,
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:${shown(stack.region, '<AWS::Region>')}:${shown(stack.account, '<AWS::AccountId>')}:secret:*]`,
      'The rotation actions are limited by the condition secretsmanager:resource/AllowRotationLambdaArn to secrets whose rotation function is this function, which keeps the policy one size for any number of tenants.');
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
