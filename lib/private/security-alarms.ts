import * as crypto from 'crypto';
import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct, IConstruct } from 'constructs';
import { acknowledgeRule } from './acknowledge';
import { logsEncryptionKey } from './compliance';
import { DIRECTORY_PATH_PREFIX } from './contracts/client-directory';

/**
 * The Cognito operations that change what secrets an app client holds, or
 * the client itself. A principal allowed `AddUserPoolClientSecret` alone can
 * mint a working secret for any client of the pool (and get tokens with
 * GetClientToken, which CloudTrail did not show in Event History in 2026).
 */
export const SECRET_LIFECYCLE_EVENTS = ['AddUserPoolClientSecret', 'DeleteUserPoolClientSecret', 'UpdateUserPoolClient', 'DeleteUserPoolClient'] as const;
/** The SSM calls that change the client directory's parameters (lib/private/contracts/client-directory.ts). */
export const DIRECTORY_WRITE_EVENTS = ['PutParameter', 'DeleteParameter', 'DeleteParameters', 'LabelParameterVersion'] as const;
/** Of the Cognito calls, the ones CloudFormation makes when a deployment changes or removes a `TenantAppClient`. */
const DEPLOYMENT_EVENTS = ['UpdateUserPoolClient', 'DeleteUserPoolClient'];
/**
 * `userIdentity.invokedBy` of a call CloudFormation did not make: absent, or
 * another service (`anything-but` matches present fields only, so both).
 */
const NOT_BY_CLOUDFORMATION = [[{ exists: false }], [{ 'anything-but': ['cloudformation.amazonaws.com'] }]];

/**
 * The IAM path of the library's roles that manage one pool's client secrets
 * (the rotation function's, the developer portal's): the secret-lifecycle
 * audit ignores calls by roles under it. Known at synth time in every stack
 * without a cross-stack reference (the pool's construct path decides it).
 */
export function libraryRolePath(pool: IConstruct): string {
  const hash = crypto.createHash('sha256').update(pool.node.path).digest('hex').slice(0, 12);
  return `/cdk-cognito-m2m/${hash}/`;
}

/** The prefix of the ARN of every role under `libraryRolePath(pool)`, in the account of `scope`'s stack. */
function libraryRoleArnPrefix(scope: IConstruct, pool: IConstruct): string {
  const stack = Stack.of(scope);
  return `arn:${stack.partition}:iam::${stack.account}:role${libraryRolePath(pool)}`;
}

/**
 * A queue that keeps events nobody consumes automatically (failed
 * invocations, audit events) for 14 days, KMS-encrypted and TLS-only, for
 * the people who investigate the alarm on its depth. It is declared a
 * dead-letter queue (`RedriveAllowPolicy`), which it is: nothing reads it but
 * people, so it has no dead-letter queue of its own.
 */
export function holdingQueue(scope: Construct, id: string, why: string): sqs.Queue {
  const queue = new sqs.Queue(scope, id, {
    encryption: sqs.QueueEncryption.KMS,
    encryptionMasterKey: logsEncryptionKey(scope),
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
    redriveAllowPolicy: { redrivePermission: sqs.RedrivePermission.ALLOW_ALL },
  });
  acknowledgeRule(queue, 'AwsSolutions-SQS3', `${why}; nothing consumes it automatically, so there is nothing to dead-letter: it is a dead-letter queue itself.`);
  return queue;
}

/**
 * The security alarms of one user pool (client secrets changed outside the
 * library, secrets refused by the rotation function, sweeps that keep
 * failing), the topic every one of them notifies, and the actions users add:
 * a child of the pool, so that alarms created later (a rotating tenant added
 * after the monitoring) get the same actions.
 */
export class SecurityAlarms extends Construct {
  /** The pool's alarms, created on first use. */
  public static of(pool: IConstruct): SecurityAlarms {
    return (pool.node.tryFindChild(SecurityAlarms.ID) as SecurityAlarms | undefined) ?? new SecurityAlarms(pool, SecurityAlarms.ID);
  }

  private static readonly ID = 'SecurityAlarms';

  public readonly alarms: cloudwatch.Alarm[] = [];
  /** Notified by every security alarm on ALARM and OK: subscribe the people who act on them. */
  public readonly topic: sns.Topic;
  /** Taken by every alarm on ALARM and OK: the topic's, then those users add. */
  private readonly actions: cloudwatch.IAlarmAction[] = [];

  private constructor(scope: IConstruct, id: string) {
    super(scope as Construct, id);
    const key = logsEncryptionKey(this);
    this.topic = new sns.Topic(this, 'Topic', {
      displayName: `Security alarms of the M2M user pool ${scope.node.path}`,
      masterKey: key,
      enforceSSL: true,
    });
    allowAlarmsToPublish(key);
    this.actions.push(new actions.SnsAction(this.topic));
  }

  /** An alarm in `scope` when `metric` reaches `threshold` in one period, with the pool's actions. */
  public alarm(scope: Construct, id: string, metric: cloudwatch.IMetric, threshold: number, description: string): cloudwatch.Alarm {
    const alarm = thresholdAlarm(scope, id, metric, threshold, description);
    alarm.addAlarmAction(...this.actions);
    alarm.addOkAction(...this.actions);
    this.alarms.push(alarm);
    return alarm;
  }

  /** Adds actions, taken on ALARM and OK, to every alarm, present and future. */
  public addActions(added: cloudwatch.IAlarmAction[]): void {
    this.actions.push(...added);
    for (const a of this.alarms) {
      a.addAlarmAction(...added);
      a.addOkAction(...added);
    }
  }
}

/**
 * An alarm when `metric` reaches `threshold` in one period; no data (the
 * library's metrics only have data points when something happens) is not
 * breaching.
 */
export function thresholdAlarm(scope: Construct, id: string, metric: cloudwatch.IMetric, threshold: number, description: string): cloudwatch.Alarm {
  return new cloudwatch.Alarm(scope, id, {
    metric,
    threshold,
    evaluationPeriods: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    alarmDescription: description,
  });
}

/** Lets CloudWatch alarms of the key's account publish to topics encrypted with it (once per key). */
function allowAlarmsToPublish(key: kms.IKey): void {
  if (!(key instanceof kms.Key) || key.node.tryFindChild('AllowsCloudWatchAlarms')) return;
  new Construct(key, 'AllowsCloudWatchAlarms');
  key.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'CloudWatchAlarmsOfThisAccount',
    principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
    actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
    resources: ['*'],
    conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(key).account } },
  }));
}

/** The alarm on a dead-letter queue: any message in it is a failed invocation nobody has looked at. */
export function deadLetterAlarm(pool: IConstruct, scope: Construct, queue: sqs.IQueue, what: string): cloudwatch.Alarm {
  return SecurityAlarms.of(pool).alarm(scope, 'DeadLettersAlarm',
    queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: cloudwatch.Stats.MAXIMUM }), 1,
    `${what} failed after its retries; the failed event is in the dead-letter queue ${queue.node.path}. `
    + 'Until it succeeds, client secrets past their grace period stay valid. Read the function\'s log, fix the cause, then delete the message.');
}

/**
 * Alarms when a client secret of the pool is added or deleted, or an app
 * client is changed or deleted, by anyone but the library's own roles
 * (`libraryRolePath`) and, for client changes, CloudFormation; and when a
 * parameter of the client directory is written by anyone but CloudFormation.
 * Each such event is kept for 14 days in a KMS-encrypted queue (who, when,
 * which client); the alarm stays in ALARM until the queue is read and emptied.
 *
 * EventBridge receives CloudTrail's "AWS API Call via CloudTrail" events
 * only in an account with a trail that logs management events.
 *
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/event-types.html
 */
export class SecretLifecycleAudit extends Construct {
  public readonly rule: events.Rule;
  /** Writes to the client directory's parameters by anyone but CloudFormation. */
  public readonly directoryRule: events.Rule;
  public readonly queue: sqs.Queue;
  public readonly alarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, pool: IConstruct, userPoolId: string) {
    super(scope, id);
    this.queue = holdingQueue(this, 'Events', 'This queue keeps the CloudTrail events of client-secret and client-directory changes made outside the library for the people who investigate the alarm on its depth');
    const notLibrary = [
      // A role outside the library's path (CloudTrail names the role as the session's issuer).
      { sessionContext: { sessionIssuer: { arn: [{ 'anything-but': { prefix: libraryRoleArnPrefix(this, pool) } }] } } },
      // An IAM user, the root user, a federated user: anything but a role session.
      { type: [{ 'anything-but': ['AssumedRole'] }] },
    ];
    const branches: Array<Record<string, unknown>> = [];
    for (const identity of notLibrary) {
      branches.push({ eventName: SECRET_LIFECYCLE_EVENTS.filter((e) => !DEPLOYMENT_EVENTS.includes(e)), userIdentity: identity });
      // Client changes by a CloudFormation deployment are expected.
      for (const invokedBy of NOT_BY_CLOUDFORMATION) branches.push({ eventName: DEPLOYMENT_EVENTS, userIdentity: { ...identity, invokedBy } });
    }
    this.rule = new events.Rule(this, 'Rule', {
      description: 'Client secrets or app clients of the M2M user pool changed by someone other than the library (cdk-cognito-m2m)',
      eventPattern: {
        source: ['aws.cognito-idp'],
        detailType: ['AWS API Call via CloudTrail'],
        detail: {
          eventSource: ['cognito-idp.amazonaws.com'],
          requestParameters: { userPoolId: [userPoolId] },
          $or: branches,
        },
      },
      targets: [new targets.SqsQueue(this.queue)],
    });
    // The client directory maps clients to tenants: only CloudFormation writes its parameters.
    const directoryBranches: Array<Record<string, unknown>> = [];
    for (const field of ['name', 'names']) {
      for (const invokedBy of NOT_BY_CLOUDFORMATION) {
        directoryBranches.push({ requestParameters: { [field]: [{ prefix: DIRECTORY_PATH_PREFIX }] }, userIdentity: { invokedBy } });
      }
    }
    this.directoryRule = new events.Rule(this, 'DirectoryRule', {
      description: `Parameters of the client directory (${DIRECTORY_PATH_PREFIX}) written by someone other than CloudFormation (cdk-cognito-m2m)`,
      eventPattern: {
        source: ['aws.ssm'],
        detailType: ['AWS API Call via CloudTrail'],
        detail: { eventSource: ['ssm.amazonaws.com'], eventName: [...DIRECTORY_WRITE_EVENTS], $or: directoryBranches },
      },
      targets: [new targets.SqsQueue(this.queue)],
    });
    this.alarm = SecurityAlarms.of(pool).alarm(this, 'Alarm',
      this.queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: cloudwatch.Stats.MAXIMUM }), 1,
      'A client secret or app client of the M2M user pool was changed outside the library\'s rotation and developer portal '
      + `(${SECRET_LIFECYCLE_EVENTS.join(', ')}), or a parameter of the client directory (${DIRECTORY_PATH_PREFIX}) was written outside CloudFormation. `
      + `Read the CloudTrail event from the queue ${this.queue.node.path}, check the principal, delete client secrets nobody should hold `
      + '(DeleteUserPoolClientSecret) or redeploy the stack that owns the parameter, then delete the message.');
  }
}
