import { Duration, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { resolvePrices, SECONDS_PER_MONTH } from './prices';
import type { M2mSpendMonitoringProps } from './props';
import { costLines, DEFAULT_TOKEN_REQUEST_QUOTA, num, tokenRequestsPerSecond, tokenRequestUsage } from './spend';
import { ContributorInsightsWidget, TokenInsightRules, tokenInsightRules } from './token-insights';
import type { TenantAwareAuthorizer } from '../authorizers';
import { poolState } from '../private/pool-state';
import { propError } from '../private/validation';
import type { ScopedRestApi } from '../scoped-rest-api';

/** What `M2mMonitoring` passes to build the spend guardrails. */
export interface GuardrailSources {
  readonly api: ScopedRestApi;
  readonly authorizer: TenantAwareAuthorizer;
  readonly period: Duration;
  readonly props: M2mSpendMonitoringProps;
  /** Creates an alarm with the monitoring's actions; undefined when no alarms are created. */
  readonly alarm?: (id: string, metric: cloudwatch.IMetric, threshold: number, description: string) => cloudwatch.Alarm;
}

/** The guardrails: the rules, the alarms and the dashboard rows. */
export interface TokenGuardrails {
  readonly rules?: TokenInsightRules;
  readonly quotaAlarm?: cloudwatch.Alarm;
  readonly throttleAlarm?: cloudwatch.Alarm;
  readonly rows: cloudwatch.IWidget[][];
}

/** The quota graphs and alarms use one-minute periods: Cognito's usage metrics are per minute, and a quota is per second. */
const QUOTA_PERIOD = Duration.minutes(1);

/** Validates the props and builds the rules, the quota alarms and the dashboard rows of token traffic and spend. */
export function tokenGuardrails(scope: Construct, s: GuardrailSources): TokenGuardrails {
  const { props, period } = s;
  const quota = props.tokenRequestQuotaPerSecond ?? DEFAULT_TOKEN_REQUEST_QUOTA;
  if (Token.isUnresolved(quota) || !Number.isInteger(quota) || quota < 1) {
    throw propError(scope, 'tokenRequestQuotaPerSecond', quota, 'must be a whole number of requests per second, 1 or more (the quota Service Quotas shows)');
  }
  const percent = props.tokenQuotaAlarmPercent ?? 80;
  if (Token.isUnresolved(percent) || !(percent > 0 && percent < 100)) {
    throw propError(scope, 'tokenQuotaAlarmPercent', percent, 'must be a percentage greater than 0 and less than 100: the alarm warns before the quota is reached');
  }
  const throttled = props.tokenThrottleThreshold ?? 1;
  if (Token.isUnresolved(throttled) || !Number.isInteger(throttled) || throttled < 1) {
    throw propError(scope, 'tokenThrottleThreshold', throttled, 'must be a whole number, 1 or more');
  }
  const budgets = props.tokenBudgets;
  if (budgets && budgets.authorizer !== s.authorizer) {
    throw propError(scope, 'tokenBudgets', budgets.node.path,
      `counts the tokens of ${budgets.authorizer.node.path}, not those of the monitored API's authorizer (${s.authorizer.node.path}): pass the TokenBudgets of this API`);
  }
  const prices = resolvePrices(scope, props.prices);
  const alarmLevel = (quota * percent) / 100;

  const rules = (props.createContributorInsightsRules ?? true) ? tokenInsightRules(scope, s.authorizer.logGroup) : undefined;

  const perSecond = tokenRequestsPerSecond(QUOTA_PERIOD);
  const throttles = tokenRequestUsage('ThrottleCount', { period: QUOTA_PERIOD, label: 'Throttled token requests' });
  let quotaAlarm: cloudwatch.Alarm | undefined;
  let throttleAlarm: cloudwatch.Alarm | undefined;
  if (s.alarm && (props.createTokenQuotaAlarms ?? true)) {
    const where = 'machine-to-machine token requests of this account and Region (token endpoint and GetClientToken, Cognito quota category ClientAuthentication)';
    quotaAlarm = s.alarm('TokenQuotaAlarm', perSecond, alarmLevel,
      `Cognito ${where} reached ${percent}% of the quota of ${quota} per second (averaged over a minute); at the quota Cognito throttles every tenant's token requests. `
      + 'Find the noisy client: the Contributor Insights graph "Top clients by new tokens" or the saved query "Token per call suspects".');
    throttleAlarm = s.alarm('TokenThrottleAlarm', throttles, throttled,
      `Cognito throttled ${where}: consumers cannot get tokens. Reduce token requests (cache tokens until they expire) or raise the quota in Service Quotas ("Rate of ClientAuthentication requests").`);
  }

  const fn = s.authorizer._function;
  const memory = (fn.node.defaultChild as lambda.CfnFunction).memorySize;
  const declared = poolState(s.api.m2mUserPool).tenants;
  const lines = costLines({
    period,
    prices,
    authorizer: fn,
    authorizerMemoryMb: typeof memory === 'number' ? memory : 128,
    apiRequests: s.api.metricCount({ statistic: cloudwatch.Stats.SUM, period }),
    appClients: props.appClientCount ? atPeriod(props.appClientCount, period) : () => declared.size,
  });

  const rows: cloudwatch.IWidget[][] = [[new cloudwatch.TextWidget({
    markdown: '## Token traffic and spend\n'
      + (rules ? 'New tokens per client and tenant: the authorizer\'s first sighting of each token per execution environment (Contributor Insights, no metric per client). ' : '')
      + 'Distinct tokens per tenant and client, and token-per-call suspects: the saved Logs Insights queries. '
      + `Token requests and throttling: the account's and Region's (AWS/Usage, ClientAuthentication, quota ${quota}/s). `
      + `Costs are estimates at ${costSummary(prices)}; per tenant, multiply its tokens and requests from the saved queries by the same prices.`
      + (budgets ? ' Token budgets: crossings per client or tenant and window, and their alarms (the alarm topic\'s messages name the tenant and the client).' : ''),
    width: 24,
    height: 3,
  })]];
  if (rules) {
    rows.push([
      new ContributorInsightsWidget({ title: 'Top clients by new tokens (client, tenant)', rule: rules.topClients, period }),
      new ContributorInsightsWidget({ title: 'Top tenants by new tokens', rule: rules.topTenants, period }),
    ]);
  }
  rows.push([
    new cloudwatch.GraphWidget({
      title: 'Token requests per second (account quota)',
      left: [perSecond],
      width: 8,
      height: 6,
      period: QUOTA_PERIOD,
      leftAnnotations: [
        { value: quota, label: `Quota (${quota}/s)`, color: '#d62728' },
        { value: alarmLevel, label: `Alarm (${percent}% of the quota)`, color: '#ff7f0e' },
      ],
    }),
    new cloudwatch.GraphWidget({ title: 'Throttled token requests', left: [throttles], width: 8, height: 6, period: QUOTA_PERIOD }),
    new cloudwatch.GraphWidget({
      title: 'Cost per period (USD)', left: [lines.tokens, lines.appClients, lines.authorizer, lines.api], stacked: true, width: 8, height: 6, period,
    }),
  ]);
  rows.push([new cloudwatch.SingleValueWidget({
    title: 'Cost over the dashboard\'s time range (USD)',
    metrics: [lines.tokens, lines.appClients, lines.authorizer, lines.api, lines.total],
    setPeriodToTimeRange: true,
    fullPrecision: false,
    width: 24,
    height: 3,
  })]);
  if (budgets) {
    rows.push([
      new cloudwatch.GraphWidget({
        title: 'Token budgets exceeded', left: [budgets.metricBudgetsExceeded({ period })], width: 12, height: 6, period,
      }),
      new cloudwatch.AlarmStatusWidget({ title: 'Token budget alarms', alarms: [budgets.alarm, budgets.deadLettersAlarm], width: 12, height: 6 }),
    ]);
  }
  return { rules, quotaAlarm, throttleAlarm, rows };
}

/** A metric at the given period (aws-cdk-lib would otherwise override it inside a math expression, with a warning). */
function atPeriod(metric: cloudwatch.IMetric, period: Duration): cloudwatch.IMetric {
  const m = metric as cloudwatch.IMetric & { with?: (o: { period: Duration }) => cloudwatch.IMetric };
  return typeof m.with === 'function' ? m.with({ period }) : metric;
}

/** A price in words: dollars and cents, or every digit of a price below a cent. */
const usd = (value: number): string => `$${value >= 0.01 || value === 0 ? value.toFixed(2) : num(value)}`;

/** The prices in words, for the dashboard. */
function costSummary(p: ReturnType<typeof resolvePrices>): string {
  return `${usd(p.tokenRequestsPerThousand)} per 1,000 token requests, ${usd(p.appClientPerMonth)} per app client and month `
    + `(${SECONDS_PER_MONTH / 3600} hours), ${usd(p.lambdaRequestsPerMillion)} per million authorizer invocations plus ${usd(p.lambdaArmGbSecond)} per GB-second (Arm), `
    + `${usd(p.restApiRequestsPerMillion)} per million API requests`;
}
