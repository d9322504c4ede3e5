import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { ResolvedPrices, SECONDS_PER_MONTH } from './prices';

/**
 * What AWS publishes about the account's machine-to-machine token requests,
 * and what M2M costs, in CloudWatch metric math.
 *
 * Cognito publishes, per account and Region, a `CallCount` and a
 * `ThrottleCount` of each quota category in the `AWS/Usage` namespace.
 * Token requests with the client credentials grant (the token endpoint) and
 * `GetClientToken` are the `ClientAuthentication` category: Service Quotas
 * shows them as "Rate of ClientAuthentication requests". Every user pool of
 * the account and Region shares the category's quota.
 *
 * @see https://docs.aws.amazon.com/cognito/latest/developerguide/tracking-cost.html
 * @see https://docs.aws.amazon.com/cognito/latest/developerguide/quotas.html
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch-Usage-Metrics.html
 */

/** The `AWS/Usage` dimensions of the quota category of M2M token requests. */
export const TOKEN_REQUEST_USAGE_DIMENSIONS: Readonly<Record<string, string>> = {
  Service: 'Cognito User Pools',
  Type: 'API',
  Resource: 'ClientAuthentication',
  Class: 'None',
};

/**
 * The default quota of `ClientAuthentication` requests per second of an
 * account and Region (raisable in Service Quotas).
 */
export const DEFAULT_TOKEN_REQUEST_QUOTA = 150;

/** A usage metric of the token requests: `CallCount` or `ThrottleCount`, summed. */
export function tokenRequestUsage(metricName: 'CallCount' | 'ThrottleCount', props?: cloudwatch.MetricOptions): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: 'AWS/Usage',
    metricName,
    statistic: cloudwatch.Stats.SUM,
    period: Duration.minutes(1),
    ...props,
    dimensionsMap: { ...TOKEN_REQUEST_USAGE_DIMENSIONS },
  });
}

/** Token requests per second: the period's `CallCount` over the period's length (an average: bursts within it go higher). */
export function tokenRequestsPerSecond(period: Duration): cloudwatch.MathExpression {
  return new cloudwatch.MathExpression({
    label: 'Token requests per second (account and Region)',
    period,
    expression: 'FILL(calls, 0) / PERIOD(calls)',
    usingMetrics: { calls: tokenRequestUsage('CallCount', { period }) },
  });
}

/** Writes a price into an expression: plain decimal notation (metric math reads no exponent). */
export function num(value: number): string {
  if (Number.isInteger(value)) return String(value);
  const s = value.toFixed(12).replace(/0+$/, '');
  return s.endsWith('.') ? s.slice(0, -1) : s;
}

/** What the cost panels need to know about the API. */
export interface CostSources {
  readonly period: Duration;
  readonly prices: ResolvedPrices;
  /** The authorizer function and its memory in MB. */
  readonly authorizer: lambda.IFunction;
  readonly authorizerMemoryMb: number;
  /** The API's requests (`Count`, summed). */
  readonly apiRequests: cloudwatch.IMetric;
  /** The M2M app clients: a metric of their count, or the count declared in the app (known at synthesis). */
  readonly appClients: cloudwatch.IMetric | (() => number);
}

/** The cost lines (US dollars per period), each a metric math expression. */
export interface CostLines {
  readonly tokens: cloudwatch.MathExpression;
  readonly appClients: cloudwatch.MathExpression;
  readonly authorizer: cloudwatch.MathExpression;
  readonly api: cloudwatch.MathExpression;
  readonly total: cloudwatch.MathExpression;
}

/**
 * The app clients' cost when their count is known only at synthesis (clients
 * declared after the monitoring): the expression's price per second is written
 * when the dashboard renders, as a literal. A token in the expression would
 * do, but aws-cdk-lib before 2.257 reads a token's text as unknown
 * identifiers and warns (CloudWatch:Math:UnknownIdentifier).
 */
class DeclaredClientsCost extends cloudwatch.MathExpression {
  // Not a #private field: MathExpression's constructor already asks for the config (its checks), before this is set.
  private perSecond: (() => number) | undefined;

  constructor(props: cloudwatch.MathExpressionProps, perSecond: () => number) {
    super(props);
    this.perSecond = perSecond;
  }

  public toMetricConfig(): cloudwatch.MetricConfig {
    const config = super.toMetricConfig();
    if (this.perSecond === undefined) return config;
    return { ...config, mathExpression: { ...config.mathExpression!, expression: `TIME_SERIES(${num(this.perSecond())}) * PERIOD(calls)` } };
  }
}

/**
 * The cost of one period, per part: token requests of the account and
 * Region × the token price; app clients × the monthly price × the period's
 * share of a month; the authorizer's invocations × the request price plus
 * its GB-seconds (duration × memory) × the Arm price; the API's requests ×
 * the REST API price.
 */
export function costLines(s: CostSources): CostLines {
  const { period, prices } = s;
  const sum = { statistic: cloudwatch.Stats.SUM, period };
  const calls = tokenRequestUsage('CallCount', { period });
  const invocations = s.authorizer.metricInvocations(sum);
  const duration = s.authorizer.metricDuration(sum);
  const gb = s.authorizerMemoryMb / 1024;
  const line = (label: string, expression: string, usingMetrics: Record<string, cloudwatch.IMetric>) =>
    new cloudwatch.MathExpression({ label, period, expression, usingMetrics });
  const tokens = line('Token requests (account and Region)', `FILL(calls, 0) * ${num(prices.tokenRequestsPerThousand / 1000)}`, { calls });
  const declared = typeof s.appClients === 'function' ? s.appClients : undefined;
  const appClients = declared
    // A count known at synthesis: a series of it (metric math needs a series; TIME_SERIES makes one).
    ? new DeclaredClientsCost({ label: 'App clients', period, expression: 'TIME_SERIES(0) * PERIOD(calls)', usingMetrics: { calls } },
      () => declared() * prices.appClientPerMonth / SECONDS_PER_MONTH)
    // A published count (hourly, say): the last value holds until the next.
    : line('App clients', `FILL(clients, REPEAT) * ${num(prices.appClientPerMonth / SECONDS_PER_MONTH)} * PERIOD(calls)`,
      { calls, clients: s.appClients as cloudwatch.IMetric });
  const authorizer = line('Authorizer (Lambda)',
    `FILL(invocations, 0) * ${num(prices.lambdaRequestsPerMillion / 1e6)} + FILL(duration, 0) / 1000 * ${num(gb * prices.lambdaArmGbSecond)}`,
    { invocations, duration });
  const api = line('API requests', `FILL(requests, 0) * ${num(prices.restApiRequestsPerMillion / 1e6)}`, { requests: s.apiRequests });
  const total = line('Total', 'tokens + appClients + authorizer + api', { tokens, appClients, authorizer, api });
  return { tokens, appClients, authorizer, api, total };
}
