import { Duration } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { DenyReason } from './deny-reason';
import type { IM2mUserPool } from '../m2m-user-pool';
import {
  ALLOWED_METRIC, DENIED_METRIC, DENY_POLICY_REASONS, DENY_REASONS, REASON_DIMENSION,
  UNTRUSTED_DIRECTORY_PARAMETERS_METRIC,
} from '../private/contracts/authorizer-metrics';
import { BUDGET_ENFORCEMENT_ENV } from '../private/contracts/token-budget';
import { functionMetric } from '../private/function-metric';
import { handlerFunction, HandlerFunctionProps } from '../private/handler-function';
import { propError } from '../private/validation';
import type { ITenantRegistry } from '../tenant-registry';

/**
 * The bundled tenant-aware Lambda authorizer of an API: its function, log
 * group and metrics. An API creates it with its first scoped method when its
 * authorizer is `M2mAuthorizer.tenantAware()` (the default); get it with
 * `TenantAwareAuthorizer.of(api)`.
 *
 * The function counts its decisions in CloudWatch (namespace `CdkCognitoM2m`,
 * dimension `functionName`, and `reason` for denials) in Embedded Metric
 * Format: no API call, and no log line besides the one per denial it writes
 * anyway and one per 10 seconds per execution environment for the allowed
 * decisions. Tenant and client ids are not dimensions (each distinct set of
 * dimension values is a custom metric, billed per month): they are fields of
 * the log lines, for CloudWatch Logs Insights.
 *
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 */
export class TenantAwareAuthorizer extends Construct {
  /**
   * The tenant-aware authorizer of an API (a `ScopedRestApi`, or a
   * `DeveloperPortal`'s `api`).
   *
   * @param api an API whose authorizer is `M2mAuthorizer.tenantAware()` and which has a scoped method
   */
  public static of(api: apigateway.IRestApi): TenantAwareAuthorizer {
    const child = api.node.tryFindChild('TenantAuthorizer');
    if (!(child instanceof TenantAwareAuthorizer)) {
      throw propError(api, 'TenantAwareAuthorizer.of(api)', api.node.path,
        'the API has no tenant-aware Lambda authorizer: it is created with the first scoped method (addScopedMethod) of a ScopedRestApi whose authorizer is M2mAuthorizer.tenantAware(), the default; add the scoped methods first');
    }
    return child;
  }

  /**
   * Creates the authorizer's function (`_bind` of the tenant-aware authorizer).
   *
   * @internal
   */
  public static _create(scope: Construct, id: string, props: HandlerFunctionProps): TenantAwareAuthorizer {
    return new TenantAwareAuthorizer(scope, id, props);
  }

  /**
   * The function API Gateway invokes to authorize a request. Its own metrics
   * (`metricInvocations()`, `metricDuration()`, `metricThrottles()`) are
   * Lambda's; mind that `metricErrors()` also counts every request denied
   * with `Unauthorized`: see `metricFailures()`.
   */
  public readonly handler: lambda.IFunction;

  /**
   * The function's log group: one JSON line per denial (`msg: "denied"`,
   * `reason`, `clientId`), configuration errors and outages.
   */
  public readonly logGroup: logs.ILogGroup;

  /** @internal */
  public readonly _function: lambda.Function;

  /**
   * The pools whose tokens it accepts: the API's and `additionalUserPools` (set by the binding).
   * @internal
   */
  public readonly _userPools: IM2mUserPool[] = [];

  /**
   * The developer portal's authorizer (people too): `TokenBudgets` refuses it.
   * @internal
   */
  public _portal = false;

  /**
   * The tenant registry it reads, if any (set by the binding).
   * @internal
   */
  public _registry?: ITenantRegistry;

  /**
   * The budget table it reads suspensions from, once `TokenBudgets` enforces them
   * (the binding then deploys the registry build, which has budget support).
   * @internal
   */
  public _budgetTable?: string;

  private constructor(scope: Construct, id: string, props: HandlerFunctionProps) {
    super(scope, id);
    const { fn } = handlerFunction(this, props);
    this._function = fn;
    this.handler = fn;
    this.logGroup = fn.logGroup;
  }

  /**
   * Denies the clients and tenants the budget table suspends (`TokenBudgets`):
   * BUDGET_TABLE_NAME and BUDGET_CACHE_TTL_SECONDS, and the registry build.
   *
   * @internal
   */
  public _enforceBudgets(tableName: string, cacheTtlSeconds: number): void {
    if (this._budgetTable !== undefined) {
      throw propError(this, 'TokenBudgets api', this.node.scope?.node.path, 'another TokenBudgets already enforces budgets on this API\'s authorizer: one TokenBudgets per API');
    }
    this._budgetTable = tableName;
    this._function.addEnvironment(BUDGET_ENFORCEMENT_ENV.budgetTable, tableName);
    this._function.addEnvironment(BUDGET_ENFORCEMENT_ENV.cacheTtlSeconds, String(cacheTtlSeconds));
  }

  /**
   * A metric of the authorizer's decisions, in namespace `CdkCognitoM2m`
   * with the dimension `functionName` (more dimensions through
   * `props.dimensionsMap`, e.g. `reason`).
   *
   * @param metricName `Allowed`, `Denied` or `UntrustedDirectoryParameters`
   * @param props options; `dimensionsMap` adds to the `functionName` dimension
   * @default - sum over 5 minutes
   */
  public metric(metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return functionMetric(this, this.handler.functionName, metricName, props);
  }

  /**
   * Requests the authorizer allowed (a policy allowing the methods the
   * token's scopes reach). An execution environment writes its count at most
   * every 10 seconds, so the last seconds before Lambda retires an idle
   * environment may be missing; API Gateway's `metricCount()` counts every request.
   *
   * @default - sum over 5 minutes
   */
  public metricAllowed(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(ALLOWED_METRIC, props);
  }

  /**
   * Requests the authorizer denied, for any reason.
   *
   * @default - sum over 5 minutes
   */
  public metricDenied(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(DENIED_METRIC, props);
  }

  /**
   * Requests the authorizer denied for one reason.
   *
   * @param reason the reason
   * @default - sum over 5 minutes, labelled `Denied: <reason>`
   */
  public metricDeniedFor(reason: DenyReason, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    if (!(DENY_REASONS as readonly string[]).includes(reason)) {
      throw propError(this, 'metricDeniedFor(reason)', reason, `must be a DenyReason: one of ${DENY_REASONS.join(', ')}`);
    }
    return this.metric(DENIED_METRIC, {
      label: `Denied: ${reason}`,
      ...props,
      dimensionsMap: { [REASON_DIMENSION]: reason, ...props?.dimensionsMap },
    });
  }

  /**
   * Parameters found under the authorizer's client directory path in SSM
   * Parameter Store that the library did not create, and which it therefore
   * ignored: someone wrote there besides CloudFormation. Each execution
   * environment writes the count on every directory load that finds any
   * (about every 5 minutes while one is there), and logs each name once.
   * Any is worth an alarm. Always zero with the mapping inline.
   *
   * @default - sum over 5 minutes
   */
  public metricUntrustedDirectoryParameters(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(UNTRUSTED_DIRECTORY_PARAMETERS_METRIC, { label: 'Untrusted directory parameters', ...props });
  }

  /**
   * Requests denied because the authorizer's deployment is misconfigured
   * (`DenyReason.CONFIG_ERROR`): it then denies every request, so any is worth an alarm.
   *
   * @default - sum over 5 minutes
   */
  public metricConfigErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metricDeniedFor(DenyReason.CONFIG_ERROR, { label: 'Configuration errors', ...props });
  }

  /**
   * Invocations the authorizer could not answer: timeouts, crashes and
   * throttles, after which API Gateway answers 500. Lambda's `Errors` also
   * counts every denial answered with `Unauthorized` (the handler throws it,
   * as API Gateway requires), so this is Lambda's `Errors` minus those
   * denials, plus `Throttles`:
   * `errors - (denied - denyPolicy) + throttles`, where `denyPolicy` are the
   * denials answered with a Deny policy (`DenyReason.NO_SCOPE`).
   *
   * @default - over 5 minutes
   * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-lambda-authorizer-output.html
   */
  public metricFailures(props?: cloudwatch.MathExpressionOptions): cloudwatch.MathExpression {
    const period = props?.period ?? Duration.minutes(5);
    const denyPolicy = DENY_POLICY_REASONS.map((r, i): [string, cloudwatch.IMetric] => [`denyPolicy${i}`, this.metricDeniedFor(r as DenyReason, { period })]);
    return new cloudwatch.MathExpression({
      label: 'Authorizer failures',
      ...props,
      period,
      expression: `FILL(errors, 0) - FILL(denied, 0) + ${denyPolicy.map(([k]) => `FILL(${k}, 0)`).join(' + ')} + FILL(throttles, 0)`,
      usingMetrics: {
        errors: this.handler.metricErrors({ statistic: cloudwatch.Stats.SUM, period }),
        denied: this.metricDenied({ period }),
        throttles: this.handler.metricThrottles({ statistic: cloudwatch.Stats.SUM, period }),
        ...Object.fromEntries(denyPolicy),
      },
    });
  }
}

