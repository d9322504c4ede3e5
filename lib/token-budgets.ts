import * as fs from 'fs';
import * as path from 'path';
import { Annotations, Duration, Lazy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as destinations from 'aws-cdk-lib/aws-logs-destinations';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { TenantAwareAuthorizer } from './authorizers/tenant-aware-authorizer';
import type { HandlerPlacementOptions } from './handler-placement';
import { acknowledgeInPacks } from './private/acknowledge';
import { watchPoolBudgets } from './private/budget-state';
import { REGISTRY_ENV } from './private/contracts/env';
import {
  BUDGET_CACHE_TTL_SECONDS, BudgetSpec, suspensionPk, TOKEN_BUDGET_ENV, TOKEN_BUDGET_EXCEEDED_METRIC,
} from './private/contracts/token-budget';
import { TOKEN_FIRST_SEEN_MESSAGE } from './private/contracts/token-usage';
import { encryptedTable } from './private/encrypted-table';
import { functionMetric } from './private/function-metric';
import { checkedNetwork, handlerFunction } from './private/handler-function';
import { handlerRuntime } from './private/node-runtime';
import { poolState } from './private/pool-state';
import { onceAtSynth } from './private/synth-once';
import { checkDuration, checkString, propError, TENANT_ID } from './private/validation';
import type { ScopedRestApi } from './scoped-rest-api';
import { ITenantAppClient, TenantAppClient } from './tenant-app-client';
import type { ITenantRegistry } from './tenant-registry';
import { checkTokenBudget, TokenBudget } from './token-budget';

/** Where `npx projen bundle` puts the budget function (same depth from lib/ and out/). */
const TOKEN_BUDGET_BUNDLE = path.join(__dirname, '..', 'assets', 'token-budget');

/** Lambda's limit on a function's variables (names and values), of which TOKEN_BUDGETS may take this much. */
const BUDGETS_ENV_BYTES = 3500;
/** The length of a Cognito app client id, for the size estimate of TOKEN_BUDGETS. */
const CLIENT_ID_LENGTH = 26;

/** Budget table actions of the budget function: counting (TransactWriteItems is its Put and Update), claims, suspensions. */
const COUNTER_ACTIONS = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'];

/**
 * Properties of `TokenBudgets`.
 */
export interface TokenBudgetsProps extends HandlerPlacementOptions {
  /**
   * The API whose tokens are counted: its tenant-aware authorizer (the
   * default, or the methods `M2mAuthorizer.automatic()` puts behind it)
   * writes a line for each token it verifies first, and denies suspended
   * clients and tenants. Methods behind API Gateway's JWT or Cognito
   * authorizer are not counted (a warning names them). Create
   * `TokenBudgets` after the API's scoped methods: the authorizer comes
   * with the first one.
   */
  readonly api: ScopedRestApi;

  /**
   * The tenant registry of the developer portal: the budget function reads
   * the budgets platform admins set on portal tenants
   * (`PUT /tenants/{tenantId}/token-budget`) and writes every crossing and
   * suspension to the tenant's audit trail.
   *
   * @default - the registry of the API's authorizer, if it has one; else no portal budgets and no audit trail
   */
  readonly registry?: ITenantRegistry;

  /**
   * The SNS topic told of each crossing: a message naming the tenant, the
   * client, the budget, the window and the count (JSON, `kind:
   * TokenBudgetExceeded`), and the alarm on `TokenBudgetExceeded` going
   * into ALARM and back to OK. Encrypted with a KMS key, its key policy
   * must let CloudWatch (`cloudwatch.amazonaws.com`) use the key.
   *
   * @default - no messages; the alarm has no action
   * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html
   */
  readonly alarmTopic?: sns.ITopic;

  /**
   * Budgets of tenants, by tenant id: the tokens of all the tenant's clients
   * together. A tenant budget here wins over one set in the developer portal.
   * More with `addTenantBudget`.
   *
   * @default - none
   */
  readonly tenants?: { [tenantId: string]: TokenBudget };

  /**
   * How long the authorizer reuses an answer about a suspension (suspended
   * or not). A suspension takes effect this long after the crossing is
   * counted, at most, plus the authorizer's `resultsCacheTtl`; a lift as well.
   *
   * @default Duration.seconds(30)
   */
  readonly budgetCacheTtl?: Duration;

  /**
   * The customer-managed KMS key of the budget table.
   *
   * @default - a new key with yearly rotation, retained on delete
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * How long the budget function's logs are kept.
   *
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * Token budgets of an API's clients and tenants: new tokens per hour and per
 * day, an alarm naming the tenant and client when one is crossed, and
 * optionally (`suspendFor`) a suspension the authorizer enforces.
 *
 * The API's tenant-aware authorizer writes one log line for each token it
 * verifies first; a subscription filter hands those lines to the budget
 * function, which counts each token once (its `jti`) in a DynamoDB table, in
 * the UTC hour and day Cognito issued it, per client and per tenant. A
 * crossing, acted on once per window, writes the metric
 * `CdkCognitoM2m/TokenBudgetExceeded` (alarmed on), a message to
 * `alarmTopic`, an entry in the tenant's audit trail (with a registry) and,
 * when the budget suspends, a suspension record: the authorizer then denies
 * the client (or the whole tenant) with the reason `token_budget`. A
 * platform admin lifts it in the developer portal (`portal.addTokenBudgets`).
 *
 * Budgets come from `TenantAppClient`'s `tokenBudget`, from `tenants` and
 * `addTenantBudget`, `addClientBudget`, and from the portal's tenants.
 * Counting never denies: only a suspension record does. When the table
 * cannot be read the authorizer denies nobody for budgets (fails open).
 *
 * @example
 * declare const api: ScopedRestApi;
 * declare const topic: sns.ITopic;
 * new TokenBudgets(this, 'Budgets', { api, alarmTopic: topic, tenants: { globex: { perHour: 1000, suspendFor: Duration.minutes(30) } } });
 */
export class TokenBudgets extends Construct {
  /** The budget table: counted tokens, counters and suspensions. */
  public readonly table: dynamodb.ITable;

  /** The KMS key of the table. */
  public readonly encryptionKey: kms.IKey;

  /** The budget function. */
  public readonly handler: lambda.IFunction;

  /** The alarm on `TokenBudgetExceeded`: any crossing within 5 minutes. */
  public readonly alarm: cloudwatch.Alarm;

  /**
   * The alarm on the budget function's dead-letter queue: a batch of lines
   * it failed to count after its retries (those tokens are not counted).
   */
  public readonly deadLettersAlarm: cloudwatch.Alarm;

  /** The API's tenant-aware authorizer, whose tokens are counted. */
  public readonly authorizer: TenantAwareAuthorizer;

  /** The registry whose portal budgets and audit trail the function uses. */
  public readonly registry?: ITenantRegistry;

  private readonly fn: lambda.Function;
  private readonly tenantBudgets = new Map<string, BudgetSpec>();
  private readonly clientBudgets = new Map<ITenantAppClient, BudgetSpec>();
  private portalBound = false;

  constructor(scope: Construct, id: string, props: TokenBudgetsProps) {
    super(scope, id);
    const api = props.api;
    this.authorizer = authorizerOf(this, api);
    const authorizer = this.authorizer;
    if (props.registry && authorizer._registry && props.registry !== authorizer._registry) {
      throw propError(this, 'registry', props.registry.node.path,
        `must be the registry the API's authorizer reads (${authorizer._registry.node.path}): budgets of portal tenants and their audit trail live there`);
    }
    this.registry = props.registry ?? authorizer._registry;
    const ttl = props.budgetCacheTtl ?? Duration.seconds(BUDGET_CACHE_TTL_SECONDS.default);
    checkDuration(this, 'budgetCacheTtl', ttl, Duration.seconds(BUDGET_CACHE_TTL_SECONDS.min), Duration.seconds(BUDGET_CACHE_TTL_SECONDS.max));
    if (!ttl.isUnresolved() && ttl.toMilliseconds() % 1000 !== 0) throw propError(this, 'budgetCacheTtl', ttl, 'must be whole seconds');
    for (const [tenantId, budget] of Object.entries(props.tenants ?? {})) this.addTenantBudget(tenantId, budget);

    // Token ids, counters and suspensions carry their own expiry (expiresAt, epoch seconds).
    const { key, table } = encryptedTable(this, {
      ids: { key: 'Key', table: 'Table' },
      keyDescription: `Encrypts the token budget table ${this.node.path}`,
      encryptionKey: props.encryptionKey,
    });
    this.encryptionKey = key;
    acknowledgeInPacks(table, 'DynamoDBInBackupPlan',
      'The table holds short-lived data only: token ids and counters expire within 3 days, suspensions within 31; point-in-time recovery (35 days) is on. '
      + 'A restored counter would be stale, so a backup plan adds nothing worth its cost.');
    this.table = table;

    if (!fs.existsSync(path.join(TOKEN_BUDGET_BUNDLE, 'index.js'))) {
      throw new Error(`The bundled budget function ${path.join(TOKEN_BUDGET_BUNDLE, 'index.js')} is missing: run \`npx projen bundle\` (npm install runs it)`);
    }
    const { fn, role, deadLetterQueue } = handlerFunction(this, {
      ids: { logs: 'Logs', role: 'Role', function: 'Function' },
      code: lambda.Code.fromAsset(TOKEN_BUDGET_BUNDLE),
      runtime: handlerRuntime(this, 'runtime', props.runtime),
      description: 'Counts the tokens the tenant-aware authorizer sees first and acts on crossed token budgets',
      roleDescription: 'Token budgets: counts tokens in its budget table, writes suspensions, alarms and audit entries',
      memorySize: 256,
      timeout: Duration.minutes(1),
      logRetention: props.logRetention,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      network: checkedNetwork(this, '', props),
      // CloudWatch Logs invokes it asynchronously: Lambda retries a failed batch twice, then keeps it.
      asyncInvocations: { queueId: 'DeadLetters', retryAttempts: 2, maxEventAge: Duration.hours(6), what: 'the token budget function' },
      defaults: {
        unreserved: 'No concurrency is reserved by default: CloudWatch Logs invokes the function asynchronously, so a throttled batch waits and is retried '
          + '(up to 6 hours, then kept in the dead-letter queue) and no request waits on it; a reservation is taken from the account\'s unreserved pool. '
          + 'The reservedConcurrentExecutions prop reserves it.',
        outsideVpc: 'Runs outside a VPC by default: it calls only AWS service endpoints over TLS with IAM (DynamoDB, SNS) and no private resource; '
          + 'the vpc prop places it in a VPC, which then needs a NAT gateway or VPC endpoints for those services.',
      },
      environment: {
        [TOKEN_BUDGET_ENV.budgetTable]: table.tableName,
        [TOKEN_BUDGET_ENV.budgets]: Lazy.string({ produce: () => this.budgetsJson() }),
        ...(props.alarmTopic ? { [TOKEN_BUDGET_ENV.alarmTopicArn]: props.alarmTopic.topicArn } : {}),
        ...(this.registry ? { [REGISTRY_ENV.tableName]: this.registry.tableName } : {}),
      },
    });
    this.fn = fn;
    this.handler = fn;
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: COUNTER_ACTIONS, resources: [table.tableArn] }));
    this.encryptionKey.grant(role, 'kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey');
    if (props.alarmTopic) {
      // Publish, and the exact key actions an encrypted topic needs (grantPublish would allow kms:GenerateDataKey*).
      role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['sns:Publish'], resources: [props.alarmTopic.topicArn] }));
      props.alarmTopic.masterKey?.grant(role, 'kms:Decrypt', 'kms:GenerateDataKey');
    }
    if (this.registry) {
      // Tenant records (their portal budget) and audit entries, nothing else of the registry.
      role.addToPrincipalPolicy(leadingKeys(['dynamodb:GetItem'], this.registry.tableArn, ['TENANT#*']));
      role.addToPrincipalPolicy(leadingKeys(['dynamodb:PutItem'], this.registry.tableArn, ['AUDIT#*']));
      this.registry.encryptionKey.grant(role, 'kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey');
    }

    new logs.SubscriptionFilter(this, 'FirstSeen', {
      logGroup: authorizer.logGroup,
      destination: new destinations.LambdaDestination(fn),
      filterPattern: logs.FilterPattern.stringValue('$.msg', '=', TOKEN_FIRST_SEEN_MESSAGE),
    });

    // The authorizer reads suspension records only, and denies while one has not ended.
    authorizer._enforceBudgets(table.tableName, ttl.isUnresolved() ? BUDGET_CACHE_TTL_SECONDS.default : ttl.toSeconds());
    authorizer._function.addToRolePolicy(leadingKeys(['dynamodb:GetItem'], table.tableArn, SUSPENSION_KEYS));
    this.encryptionKey.grantDecrypt(authorizer._function);

    const notify = props.alarmTopic ? [new actions.SnsAction(props.alarmTopic)] : [];
    this.alarm = this.metricBudgetsExceeded().createAlarm(this, 'ExceededAlarm', {
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: `A token budget of ${api.node.path} was crossed: the alarm topic's message and the budget function's log name the tenant, the client, the budget and the window.`,
    });
    const waiting = deadLetterQueue!.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: cloudwatch.Stats.MAXIMUM });
    this.deadLettersAlarm = waiting.createAlarm(this, 'DeadLettersAlarm', {
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: `The token budget function of ${api.node.path} failed a batch after its retries: those tokens were not counted. Read its log, fix the cause, then redrive the message.`,
    });
    for (const a of [this.alarm, this.deadLettersAlarm]) {
      for (const action of notify) {
        a.addAlarmAction(action);
        a.addOkAction(action);
      }
    }
    for (const pool of authorizer._userPools) watchPoolBudgets(pool, this);
    this.node.addValidation({ validate: () => this.budgetsSizeProblems() });
    onceAtSynth(this, () => warnUncounted(this, api));
  }

  /**
   * Adds the budget of a tenant declared in the app (all its clients together).
   *
   * @param tenantId the tenant id
   * @param budget its budget
   */
  public addTenantBudget(tenantId: string, budget: TokenBudget): void {
    checkString(this, 'addTenantBudget(tenantId)', tenantId, TENANT_ID);
    if (this.tenantBudgets.has(tenantId)) throw propError(this, 'tenants', tenantId, 'has a budget already: give each tenant one budget');
    this.tenantBudgets.set(tenantId, checkTokenBudget(this, `tenants.${tenantId}`, budget));
  }

  /**
   * Adds the budget of a client the app does not declare with a
   * `tokenBudget` of its own, e.g. one imported with
   * `TenantAppClient.fromTenantAppClientAttributes`. A `TenantAppClient`
   * must belong to a pool the API's authorizer trusts.
   *
   * @param client the app client
   * @param budget its budget
   */
  public addClientBudget(client: ITenantAppClient, budget: TokenBudget): void {
    if (client instanceof TenantAppClient && !this.authorizer._userPools.includes(client.m2mUserPool)) {
      throw propError(this, 'addClientBudget(client)', client.node.path,
        `belongs to user pool ${client.m2mUserPool.node.path}, whose tokens the API's authorizer does not accept: its tokens never reach this API`);
    }
    if (client instanceof TenantAppClient && client.tokenBudget !== undefined) {
      throw propError(this, 'addClientBudget(client)', client.node.path,
        'has a tokenBudget of its own: give each client one budget');
    }
    if (this.clientBudgets.has(client)) {
      throw propError(this, 'addClientBudget(client)', client.node.path, 'has a budget already: give each client one budget');
    }
    this.clientBudgets.set(client, checkTokenBudget(this, `addClientBudget(${client.node.id})`, budget));
  }

  /**
   * Lets the developer portal show and lift budget suspensions (`DeveloperPortal.addTokenBudgets`).
   *
   * @internal
   */
  public _bindPortal(portalFunction: lambda.Function, registry: ITenantRegistry): void {
    if (this.registry !== registry) {
      throw propError(this, 'addTokenBudgets(budgets)', this.node.path,
        'must use the portal\'s registry (TokenBudgets registry, or an API whose authorizer reads it): the portal sets tenant budgets there');
    }
    if (this.portalBound) throw propError(this, 'addTokenBudgets(budgets)', this.node.path, 'is added to the portal already');
    this.portalBound = true;
    portalFunction.addEnvironment(TOKEN_BUDGET_ENV.budgetTable, this.table.tableName);
    portalFunction.addToRolePolicy(leadingKeys(['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:DeleteItem'], this.table.tableArn, SUSPENSION_KEYS));
    this.encryptionKey.grant(portalFunction, 'kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey');
  }

  /**
   * A metric of the budget function, in namespace `CdkCognitoM2m` with the
   * dimension `functionName` (no tenant or client dimension: the alarm
   * topic's messages and the function's log name them).
   *
   * @param metricName `TokenBudgetExceeded`
   * @default - sum over 5 minutes
   */
  public metric(metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return functionMetric(this, this.fn.functionName, metricName, props);
  }

  /**
   * Budget crossings: one per client or tenant and window crossed.
   *
   * @default - sum over 5 minutes
   */
  public metricBudgetsExceeded(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(TOKEN_BUDGET_EXCEEDED_METRIC, { label: 'Token budgets exceeded', ...props });
  }

  /** Every client budget: the `tokenBudget` of the trusted pools' clients, and `addClientBudget`'s. */
  private clients(): Array<[ITenantAppClient, BudgetSpec]> {
    const declared = this.authorizer._userPools.flatMap((pool) => [...poolTenants(pool)])
      .filter((c) => c.tokenBudget !== undefined)
      .map((c): [ITenantAppClient, BudgetSpec] => [c, checkTokenBudget(c, 'tokenBudget', c.tokenBudget!)]);
    return [...declared, ...this.clientBudgets];
  }

  /** TOKEN_BUDGETS, written by hand: client ids are deploy-time values, which a JSON key cannot hold. */
  private budgetsJson(): string {
    const entries = (pairs: Array<[string, BudgetSpec]>) => pairs.map(([id, spec]) => `${JSON.stringify(id)}:${JSON.stringify(spec)}`).join(',');
    const clients = entries(this.clients().map(([c, spec]) => [c.userPoolClientId, spec]));
    return `{"clients":{${clients}},"tenants":{${entries([...this.tenantBudgets])}}}`;
  }

  private budgetsSizeProblems(): string[] {
    const clients = this.clients();
    const size = clients.reduce((n, [, spec]) => n + CLIENT_ID_LENGTH + 4 + JSON.stringify(spec).length, 0)
      + [...this.tenantBudgets].reduce((n, [id, spec]) => n + id.length + 4 + JSON.stringify(spec).length, 32);
    if (size <= BUDGETS_ENV_BYTES) return [];
    return [`[${this.node.path}] budgets: ${clients.length} client and ${this.tenantBudgets.size} tenant budgets take about ${size} bytes, `
      + `more than the ${BUDGETS_ENV_BYTES} of Lambda's 4 KB of variables the budget function keeps for them: set budgets per tenant instead of per client, `
      + 'or set them on portal tenants (PUT /tenants/{tenantId}/token-budget)'];
  }
}

/** The keys of suspension records: the only items the authorizer and the portal may touch. */
const SUSPENSION_KEYS = [suspensionPk('client', '*'), suspensionPk('tenant', '*')];

/** Actions on the items of a table whose partition key matches one of `keys`. */
function leadingKeys(actionsAllowed: string[], tableArn: string, keys: string[]): iam.PolicyStatement {
  return new iam.PolicyStatement({
    actions: actionsAllowed,
    resources: [tableArn],
    conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': keys } },
  });
}

function poolTenants(pool: object): TenantAppClient[] {
  return [...poolState(pool).tenants.values()].filter((t): t is TenantAppClient => t instanceof TenantAppClient);
}

/** The API's tenant-aware authorizer, or the error that says why it has none a budget can use. */
function authorizerOf(scope: Construct, api: ScopedRestApi): TenantAwareAuthorizer {
  const kind = api.m2mAuthorizer.kind;
  if (kind !== 'lambda' && kind !== 'automatic') {
    throw propError(scope, 'api', api.node.path,
      `its authorizer is the ${kind} authorizer, which writes no line per token and cannot suspend: token budgets need the tenant-aware authorizer (M2mAuthorizer.tenantAware(), the default, or automatic())`);
  }
  if (api.authorizerFunction === undefined) {
    throw propError(scope, 'api', api.node.path,
      'has no method behind the tenant-aware authorizer yet (it is created with the first such scoped method): create TokenBudgets after api.addScopedMethod(...)');
  }
  const authorizer = TenantAwareAuthorizer.of(api);
  if (authorizer._portal) {
    throw propError(scope, 'api', api.node.path, 'is the developer portal\'s API: budget the business APIs whose tokens tenants use');
  }
  return authorizer;
}

/** Warns about the API's methods whose tokens are not counted (API Gateway's JWT authorizer on an automatic API). */
function warnUncounted(scope: Construct, api: ScopedRestApi): void {
  const uncounted = api.routes.filter((r) => !r.isPublic && r.authorizer !== undefined && r.authorizer !== 'lambda')
    .map((r) => `${r.httpMethod} ${r.resourcePath}`);
  if (uncounted.length === 0) return;
  Annotations.of(scope).addWarningV2('cdk-cognito-m2m:tokenBudgetsUncountedMethods',
    `Tokens used only on ${uncounted.join(', ')} of ${api.node.path} are not counted and not suspended: API Gateway's JWT authorizer guards them. `
    + 'Choose MethodAuthorizer.TENANT_AWARE for those methods to budget them.');
}
