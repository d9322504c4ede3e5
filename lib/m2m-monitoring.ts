import { Annotations, Duration, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { DenyReason, TenantAwareAuthorizer } from './authorizers';
import { tokenGuardrails } from './monitoring/guardrails';
import type { M2mSpendMonitoringProps } from './monitoring/props';
import { tokenRequestUsage } from './monitoring/spend';
import { tokenTrafficQueries } from './monitoring/token-insights';
import { DENIED_METRIC, FUNCTION_DIMENSION, METRICS_NAMESPACE, REASON_DIMENSION, UNAVAILABLE_REASONS } from './private/contracts/authorizer-metrics';
import { thresholdAlarm } from './private/security-alarms';
import { checkDuration, checkString, propError } from './private/validation';
import type { ScopedRestApi } from './scoped-rest-api';

/**
 * Properties of `M2mMonitoring`.
 */
export interface M2mMonitoringProps extends M2mSpendMonitoringProps {
  /**
   * The API to watch. Its authorizer must be the tenant-aware Lambda
   * authorizer (`M2mAuthorizer.tenantAware()`, the default), which the API
   * creates with its first scoped method: add the methods first.
   */
  readonly api: ScopedRestApi;

  /**
   * The dashboard's name.
   *
   * @default - a name CloudFormation generates
   * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutDashboard.html
   */
  readonly dashboardName?: string;

  /**
   * The period of the dashboard's graphs and of the alarms: whole minutes,
   * from 1 minute to 1 day.
   *
   * @default Duration.minutes(5)
   */
  readonly period?: Duration;

  /**
   * Whether to create the alarms (configuration errors, dependency outages,
   * authorizer failures, denial rate). Each alarm is billed per month.
   *
   * @default true
   * @see https://aws.amazon.com/cloudwatch/pricing/
   */
  readonly createAlarms?: boolean;

  /**
   * Actions every alarm takes when it goes into ALARM.
   *
   * @default - none besides `alarmTopic`
   */
  readonly alarmActions?: cloudwatch.IAlarmAction[];

  /**
   * An SNS topic notified when an alarm goes into ALARM and when it is OK again.
   *
   * @default - no topic
   */
  readonly alarmTopic?: sns.ITopic;

  /**
   * Requests denied for a configuration error (`DenyReason.CONFIG_ERROR`) in
   * one period that raise the alarm. A misconfigured authorizer denies every
   * request.
   *
   * @default 1
   */
  readonly configErrorThreshold?: number;

  /**
   * Requests denied in one period because a dependency was unavailable (the
   * user pool's JWKS, the client directory, the tenant registry) that raise the alarm.
   *
   * @default 1
   */
  readonly unavailableThreshold?: number;

  /**
   * Authorizer invocations in one period that ended without an answer
   * (timeouts, crashes, throttles: API Gateway then answers 500) that raise
   * the alarm. See `TenantAwareAuthorizer.metricFailures()`.
   *
   * @default 5
   */
  readonly failureThreshold?: number;

  /**
   * The share of the authorizer's decisions in one period that are denials,
   * in percent, that raises the alarm (more than 0, at most 100).
   *
   * @default 20
   */
  readonly deniedPercentThreshold?: number;

  /**
   * The fewest denials in one period for which the denial-rate alarm looks
   * at the rate, so that a few denials on a quiet API raise no alarm.
   *
   * @default 10
   */
  readonly deniedRateMinimumDenials?: number;

  /**
   * Whether to save CloudWatch Logs Insights queries (denials by reason,
   * client and tenant; top tenants by requests; configuration errors;
   * dependency outages; new tokens per client and tenant; token per call
   * suspects). Saved queries cost nothing; running one is billed by the
   * data it scans.
   *
   * @default true
   * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_Insights-Saving-Queries.html
   */
  readonly createQueryDefinitions?: boolean;

  /**
   * The folder of the saved queries in the CloudWatch Logs Insights console.
   *
   * @default - `cdk-cognito-m2m/<path of the API>`
   */
  readonly queryFolder?: string;
}

/**
 * A CloudWatch dashboard, alarms and saved Logs Insights queries for a
 * `ScopedRestApi` with the tenant-aware Lambda authorizer: who is denied and
 * why, whether the authorizer works, how the API answers, and what
 * machine-to-machine traffic costs.
 *
 * The dashboard shows the authorizer's decisions (allowed, denied), denials
 * by reason, configuration errors, dependency outages and failures, the
 * authorizer function's duration, invocations and concurrency, and the API's
 * requests, 4XX and 5XX errors and latency. The alarms (unless
 * `createAlarms: false`) watch configuration errors, dependency outages,
 * authorizer failures, the denial rate and parameters under the client
 * directory's path that the app did not create; their actions also go to the user
 * pool's security alarms (`IM2mUserPool.addSecurityAlarmAction`) when the
 * pool is in the monitoring's stack. The saved queries read the
 * authorizer's log group and the API's access log.
 *
 * Token traffic and spend: two Contributor Insights rules rank clients and
 * tenants by new tokens (the authorizer's first sighting of each token, one
 * log line per token and execution environment; no metric per client), the
 * account's token requests per second against its quota with an alarm
 * before it is reached, throttled token requests, and the estimated cost of
 * token requests, app clients, the authorizer and API requests at the
 * prices of `prices`.
 *
 * @example
 * declare const api: ScopedRestApi;
 * declare const topic: sns.ITopic;
 * new M2mMonitoring(this, 'Monitoring', { api, alarmTopic: topic });
 */
export class M2mMonitoring extends Construct {
  /** The API's tenant-aware authorizer, whose metrics the dashboard and alarms use. */
  public readonly authorizer: TenantAwareAuthorizer;

  /** The dashboard. */
  public readonly dashboard: cloudwatch.Dashboard;

  /** Every alarm created (none with `createAlarms: false`). */
  public readonly alarms: cloudwatch.Alarm[] = [];

  /** The alarm on configuration errors, if alarms are created. */
  public readonly configErrorAlarm?: cloudwatch.Alarm;

  /** The alarm on denials caused by unavailable dependencies, if alarms are created. */
  public readonly unavailableAlarm?: cloudwatch.Alarm;

  /** The alarm on authorizer failures (timeouts, crashes, throttles), if alarms are created. */
  public readonly failureAlarm?: cloudwatch.Alarm;

  /** The alarm on the denial rate, if alarms are created. */
  public readonly deniedRateAlarm?: cloudwatch.Alarm;

  /**
   * The alarm on parameters under the client directory's path that no stack
   * of the app created (someone wrote one by hand), if alarms are created.
   */
  public readonly untrustedDirectoryAlarm?: cloudwatch.Alarm;

  /**
   * The alarm on the account's token requests per second reaching
   * `tokenQuotaAlarmPercent` of `tokenRequestQuotaPerSecond`, if alarms are created.
   */
  public readonly tokenQuotaAlarm?: cloudwatch.Alarm;

  /** The alarm on token requests Cognito throttled, if alarms are created. */
  public readonly tokenThrottleAlarm?: cloudwatch.Alarm;

  /**
   * The Contributor Insights rule ranking clients (client and tenant) by new
   * tokens: its `attrRuleName` and `attrArn` (none with `createContributorInsightsRules: false`).
   */
  public readonly topClientsRule?: cloudwatch.CfnInsightRule;

  /** The Contributor Insights rule ranking tenants by new tokens (none with `createContributorInsightsRules: false`). */
  public readonly topTenantsRule?: cloudwatch.CfnInsightRule;

  /** The saved Logs Insights queries (none with `createQueryDefinitions: false`). */
  public readonly queryDefinitions: logs.QueryDefinition[] = [];

  constructor(scope: Construct, id: string, props: M2mMonitoringProps) {
    super(scope, id);
    const api = props.api;
    if (api.m2mAuthorizer.kind !== 'lambda') {
      throw propError(this, 'api', api.node.path,
        `its authorizer is the ${api.m2mAuthorizer.kind} authorizer; M2mMonitoring shows the metrics of the tenant-aware Lambda authorizer (M2mAuthorizer.tenantAware(), the default)`);
    }
    if (api.authorizerFunction === undefined) {
      throw propError(this, 'api', api.node.path,
        'has no scoped method yet, so no authorizer: the API creates it with its first scoped method; create M2mMonitoring after api.addScopedMethod(...)');
    }
    const authorizer = TenantAwareAuthorizer.of(api);
    this.authorizer = authorizer;
    const period = props.period ?? Duration.minutes(5);
    checkDuration(this, 'period', period, Duration.minutes(1), Duration.days(1));
    if (!period.isUnresolved() && period.toSeconds() % 60 !== 0) {
      throw propError(this, 'period', period, 'must be whole minutes (the authorizer\'s metrics have standard, 1-minute resolution)');
    }
    if (props.dashboardName !== undefined) {
      checkString(this, 'dashboardName', props.dashboardName, {
        pattern: /^[A-Za-z0-9_-]+$/, minLength: 1, maxLength: 255, describe: 'letters, digits, "_" and "-", 1-255 characters',
      });
    }
    const count = (prop: string, value: number | undefined, fallback: number): number => {
      const v = value ?? fallback;
      if (!Token.isUnresolved(v) && (!Number.isInteger(v) || v < 1)) throw propError(this, prop, v, 'must be a whole number, 1 or more');
      return v;
    };
    const configErrors = count('configErrorThreshold', props.configErrorThreshold, 1);
    const unavailable = count('unavailableThreshold', props.unavailableThreshold, 1);
    const failures = count('failureThreshold', props.failureThreshold, 5);
    const minimumDenials = count('deniedRateMinimumDenials', props.deniedRateMinimumDenials, 10);
    const deniedPercent = props.deniedPercentThreshold ?? 20;
    if (!Token.isUnresolved(deniedPercent) && !(deniedPercent > 0 && deniedPercent <= 100)) {
      throw propError(this, 'deniedPercentThreshold', deniedPercent, 'must be a percentage greater than 0 and at most 100');
    }

    const fn = authorizer.handler;
    const m = { period };
    const allowed = authorizer.metricAllowed({ ...m, label: 'Allowed' });
    const denied = authorizer.metricDenied({ ...m, label: 'Denied' });
    const unavailableDenials = new cloudwatch.MathExpression({
      label: 'Denied: dependency unavailable',
      period,
      expression: UNAVAILABLE_REASONS.map((_, i) => `FILL(u${i}, 0)`).join(' + '),
      usingMetrics: Object.fromEntries(UNAVAILABLE_REASONS.map((r, i) => [`u${i}`, authorizer.metricDeniedFor(r as DenyReason, m)])),
    });
    const deniedPercentage = new cloudwatch.MathExpression({
      label: 'Denied (% of decisions)',
      period,
      expression: `IF(FILL(denied, 0) >= ${minimumDenials}, 100 * FILL(denied, 0) / (FILL(allowed, 0) + FILL(denied, 0)), 0)`,
      usingMetrics: { allowed, denied },
    });
    const byReason = new cloudwatch.MathExpression({
      // A dynamic label: each line is named after its reason.
      label: `\${PROP('Dim.${REASON_DIMENSION}')}`,
      period,
      // One line per reason that occurred (a search finds only the reasons that have data).
      expression: `SEARCH('{${METRICS_NAMESPACE},${FUNCTION_DIMENSION},${REASON_DIMENSION}} MetricName="${DENIED_METRIC}" ${FUNCTION_DIMENSION}="${fn.functionName}"', 'Sum', ${period.toSeconds()})`,
    });
    const authorizerFailures = authorizer.metricFailures({ period });
    const configErrorMetric = authorizer.metricConfigErrors(m);

    let createAlarm: ((alarmId: string, metric: cloudwatch.IMetric, threshold: number, description: string) => cloudwatch.Alarm) | undefined;
    if (props.createAlarms ?? true) {
      const notify = [...(props.alarmActions ?? []), ...(props.alarmTopic ? [new actions.SnsAction(props.alarmTopic)] : [])];
      const alarm = (alarmId: string, metric: cloudwatch.IMetric, threshold: number, description: string): cloudwatch.Alarm => {
        const a = thresholdAlarm(this, alarmId, metric, threshold, description);
        a.addAlarmAction(...notify);
        if (props.alarmTopic) a.addOkAction(new actions.SnsAction(props.alarmTopic));
        this.alarms.push(a);
        return a;
      };
      createAlarm = alarm;
      const where = `the tenant-aware authorizer of ${api.node.path}`;
      this.configErrorAlarm = alarm('ConfigErrorAlarm', configErrorMetric, configErrors,
        `${where} is misconfigured and denies every request: see the saved Logs Insights query "Configuration errors" or the log lines with reason config_error.`);
      this.unavailableAlarm = alarm('UnavailableAlarm', unavailableDenials, unavailable,
        `${where} denied requests because a dependency was unavailable (JWKS, client directory in SSM, tenant registry): see the saved Logs Insights query "Dependency outages".`);
      this.failureAlarm = alarm('FailureAlarm', authorizerFailures, failures,
        `${where} timed out, crashed or was throttled (API Gateway answered 500): see the function's logs and its Throttles and Duration metrics.`);
      this.deniedRateAlarm = alarm('DeniedRateAlarm', deniedPercentage, deniedPercent,
        `${where} denied at least ${deniedPercent}% of its decisions (at least ${minimumDenials} denials): see the saved Logs Insights query "Denials by reason, client and tenant".`);
      this.untrustedDirectoryAlarm = alarm('UntrustedDirectoryAlarm', authorizer.metricUntrustedDirectoryParameters({ period, statistic: cloudwatch.Stats.MAXIMUM }), 1,
        `${where} found parameters under its client directory's SSM path that no stack of the app created; it ignores them. `
        + 'Its log names them (msg "untrusted directory parameter ignored"): find who wrote them (CloudTrail PutParameter) and delete them.');
      // The pool's security alarms (secrets changed outside the library, refused rotations, failing sweeps)
      // notify the same actions, when that makes no stack refer to a stack that refers back.
      const pool = api.m2mUserPool;
      if (notify.length > 0) {
        if (Stack.of(pool) === Stack.of(this)) {
          pool.addSecurityAlarmAction(...notify);
        } else {
          Annotations.of(this).addInfoV2('cdk-cognito-m2m:securityAlarmActions',
            `The security alarms of ${pool.node.path} (another stack) do not get this monitoring's actions: call addSecurityAlarmAction on the pool in its own stack.`);
        }
      }
    }

    // Token traffic and spend (lib/monitoring): Contributor Insights rules, the account's token quota, costs.
    const spend = tokenGuardrails(this, { api, authorizer, period, props, alarm: createAlarm });
    this.topClientsRule = spend.rules?.topClients;
    this.topTenantsRule = spend.rules?.topTenants;
    this.tokenQuotaAlarm = spend.quotaAlarm;
    this.tokenThrottleAlarm = spend.throttleAlarm;

    const graph = (title: string, left: cloudwatch.IMetric[], extra: Partial<cloudwatch.GraphWidgetProps> = {}) =>
      new cloudwatch.GraphWidget({ title, left, width: 8, height: 6, period, ...extra });
    const sum = { statistic: cloudwatch.Stats.SUM, period };
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName,
      widgets: [
        [new cloudwatch.TextWidget({
          markdown: `# M2M authorization: ${api.node.path}\n`
            + `Authorizer decisions from the function's embedded metrics (namespace \`${METRICS_NAMESPACE}\`); `
            + 'who was denied: the saved Logs Insights queries. API requests from API Gateway\'s metrics.',
          width: 24,
          height: 2,
        })],
        [
          graph('Authorizer decisions', [allowed, denied]),
          graph('Denials by reason', [byReason]),
          graph('Needs an operator', [configErrorMetric, unavailableDenials, authorizerFailures]),
        ],
        [
          graph('Authorizer duration (ms)', [
            fn.metricDuration({ statistic: cloudwatch.Stats.p(50), period, label: 'p50' }),
            fn.metricDuration({ statistic: cloudwatch.Stats.p(99), period, label: 'p99' }),
            fn.metricDuration({ statistic: cloudwatch.Stats.MAXIMUM, period, label: 'max' }),
          ]),
          graph('Authorizer invocations', [
            fn.metricInvocations({ ...sum, label: 'Invocations' }),
            fn.metricThrottles({ ...sum, label: 'Throttles' }),
          ], { right: [fn.metric('ConcurrentExecutions', { statistic: cloudwatch.Stats.MAXIMUM, period, label: 'Concurrent executions (max)' })] }),
          ...(this.alarms.length > 0
            ? [new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 8, height: 6 })]
            : [graph('Denied (% of decisions)', [deniedPercentage])]),
        ],
        [
          graph('API requests', [api.metricCount({ ...sum, label: 'Requests' })]),
          graph('API errors', [api.metricClientError({ ...sum, label: '4XX' }), api.metricServerError({ ...sum, label: '5XX' })]),
          graph('API latency (ms)', [
            api.metricLatency({ statistic: cloudwatch.Stats.p(50), period, label: 'p50' }),
            api.metricLatency({ statistic: cloudwatch.Stats.p(99), period, label: 'p99' }),
            api.metricIntegrationLatency({ statistic: cloudwatch.Stats.p(99), period, label: 'Integration p99' }),
          ]),
        ],
        ...spend.rows,
      ],
    });

    if (props.createQueryDefinitions ?? true) {
      const folder = props.queryFolder ?? `cdk-cognito-m2m/${api.node.path}`;
      checkString(this, 'queryFolder', folder, {
        pattern: /^[^\s/][^/]*(?:\/[^/]+)*$/, minLength: 1, maxLength: 200, describe: '1-200 characters, folders separated by "/", without empty folders',
      });
      const query = (queryId: string, name: string, logGroup: logs.ILogGroup, queryString: logs.QueryString) => {
        this.queryDefinitions.push(new logs.QueryDefinition(this, queryId, { queryDefinitionName: `${folder}/${name}`, queryString, logGroups: [logGroup] }));
      };
      query('DenialsQuery', 'Denials by reason, client and tenant', authorizer.logGroup, new logs.QueryString({
        filterStatements: ['msg = "denied"'],
        statsStatements: ['count(*) as denials by reason, clientId, tenantId'],
        sort: 'denials desc',
        limit: 100,
      }));
      // The access log has a line per request; the authorizer sees a token once per cache TTL and, when it allows, writes a line per new token only.
      if (api.accessLogGroup) {
        query('TopTenantsQuery', 'Top tenants by requests', api.accessLogGroup, new logs.QueryString({
          filterStatements: ['ispresent(tenantId) and tenantId != "" and tenantId != "-"'],
          statsStatements: ['count(*) as requests by tenantId'],
          sort: 'requests desc',
          limit: 25,
        }));
      }
      query('ConfigErrorsQuery', 'Configuration errors', authorizer.logGroup, new logs.QueryString({
        fields: ['@timestamp', 'msg', 'configDetail'],
        filterStatements: ['reason = "config_error"'],
        sort: '@timestamp desc',
        limit: 50,
      }));
      query('OutagesQuery', 'Dependency outages', authorizer.logGroup, new logs.QueryString({
        fields: ['@timestamp', 'reason', 'errorName', 'clientId'],
        filterStatements: [`reason in [${UNAVAILABLE_REASONS.map((r) => `"${r}"`).join(', ')}]`],
        sort: '@timestamp desc',
        limit: 100,
      }));
      for (const q of tokenTrafficQueries()) query(q.id, q.name, authorizer.logGroup, q.query);
    }
  }

  /**
   * Machine-to-machine token requests of the account and Region that Cognito
   * counted (`AWS/Usage` `CallCount` of the quota category
   * `ClientAuthentication`: the token endpoint's client credentials grant
   * and `GetClientToken`, every user pool together).
   *
   * @default - sum over 1 minute
   * @see https://docs.aws.amazon.com/cognito/latest/developerguide/quotas.html
   */
  public metricTokenRequests(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return tokenRequestUsage('CallCount', props);
  }

  /**
   * Machine-to-machine token requests of the account and Region that Cognito
   * throttled (`AWS/Usage` `ThrottleCount` of `ClientAuthentication`).
   *
   * @default - sum over 1 minute
   */
  public metricThrottledTokenRequests(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return tokenRequestUsage('ThrottleCount', props);
  }
}
