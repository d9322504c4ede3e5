/**
 * M2mMonitoring: a dashboard with the authorizer's decisions, denials by
 * reason, failures and the API's metrics; alarms on the authorizer's metrics
 * with the user's actions; saved Logs Insights queries on the authorizer's
 * log group and the access log; clear errors for bad props.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as sns from 'aws-cdk-lib/aws-sns';
import { mockIntegration, poolStack } from './fixtures';
import { awsSolutionsFindings } from '../bin/nag';
import { M2mAuthorizer, M2mMonitoring, M2mMonitoringProps, ScopedRestApi } from '../lib';

const TOPIC_ARN = 'arn:aws:sns:us-east-1:111111111111:platform-oncall';

/** An API with one scoped method and its monitoring; `props` may be a function of the stack (to import a topic into it). */
function monitored(props: Partial<M2mMonitoringProps> | ((stack: Stack) => Partial<M2mMonitoringProps>) = {}) {
  const env = poolStack();
  const api = new ScopedRestApi(env.stack, 'Api', { userPool: env.pool });
  api.addScopedMethod(api.root.addResource('orders'), 'GET', mockIntegration(), { scopes: [env.orders.scope('read')] });
  const monitoring = new M2mMonitoring(env.stack, 'Monitoring', { api, ...(typeof props === 'function' ? props(env.stack) : props) });
  const t = Template.fromStack(env.stack);
  const fnRef = env.stack.resolve(monitoring.authorizer.handler.functionName) as { Ref: string };
  return { ...env, api, monitoring, t, fnRef };
}

/** The dashboard body as JSON, with each `{ Ref: X }` of the template written as `<X>`. */
function dashboardBody(t: Template): { widgets: { type: string; properties: Record<string, any> }[] } {
  const dashboards = Object.values(t.findResources('AWS::CloudWatch::Dashboard'));
  expect(dashboards).toHaveLength(1);
  const parts: unknown[] = dashboards[0].Properties.DashboardBody['Fn::Join'][1];
  return JSON.parse(parts.map((p) => (typeof p === 'string' ? p : `<${(p as { Ref: string }).Ref}>`)).join(''));
}

function alarmProps(t: Template, idPrefix: string): Record<string, any> {
  const found = Object.entries(t.findResources('AWS::CloudWatch::Alarm')).filter(([k]) => k.startsWith(idPrefix));
  expect(found).toHaveLength(1);
  return found[0][1].Properties;
}

const denied = (fn: string, reason?: string) => ({
  Namespace: 'CdkCognitoM2m',
  MetricName: 'Denied',
  Dimensions: [{ Name: 'functionName', Value: { Ref: fn } }, ...(reason ? [{ Name: 'reason', Value: reason }] : [])],
});

describe('dashboard', () => {
  test('graphs the decisions, denials by reason, failures, the function and the API', () => {
    // GIVEN / WHEN
    const { t, fnRef, stack, api } = monitored({ dashboardName: 'orders-m2m' });
    // THEN
    t.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'orders-m2m' });
    const body = dashboardBody(t);
    const byTitle = Object.fromEntries(body.widgets.filter((w) => w.type === 'metric').map((w) => [w.properties.title, w.properties.metrics]));
    const fn = `<${fnRef.Ref}>`;
    expect(byTitle['Authorizer decisions']).toEqual([
      ['CdkCognitoM2m', 'Allowed', 'functionName', fn, { label: 'Allowed', stat: 'Sum' }],
      ['CdkCognitoM2m', 'Denied', 'functionName', fn, { label: 'Denied', stat: 'Sum' }],
    ]);
    expect(byTitle['Denials by reason']).toEqual([[{
      label: '${PROP(\'Dim.reason\')}',
      expression: `SEARCH('{CdkCognitoM2m,functionName,reason} MetricName="Denied" functionName="${fn}"', 'Sum', 300)`,
    }]]);
    expect(byTitle['Needs an operator']).toEqual(expect.arrayContaining([
      ['CdkCognitoM2m', 'Denied', 'functionName', fn, 'reason', 'config_error', { label: 'Configuration errors', stat: 'Sum' }],
      [{ label: 'Authorizer failures', expression: 'FILL(errors, 0) - FILL(denied, 0) + FILL(denyPolicy0, 0) + FILL(throttles, 0)' }],
      ['AWS/Lambda', 'Errors', 'FunctionName', fn, { id: 'errors', visible: false, stat: 'Sum' }],
    ]));
    expect(byTitle['Authorizer duration (ms)'].map((m: unknown[]) => [m[0], m[1], (m[4] as { stat: string }).stat]))
      .toEqual([['AWS/Lambda', 'Duration', 'p50'], ['AWS/Lambda', 'Duration', 'p99'], ['AWS/Lambda', 'Duration', 'Maximum']]);
    const apiName = stack.resolve(api.restApiName);
    expect(byTitle['API requests']).toEqual([['AWS/ApiGateway', 'Count', 'ApiName', apiName, { label: 'Requests', stat: 'Sum' }]]);
    expect(byTitle['API errors']).toEqual([
      ['AWS/ApiGateway', '4XXError', 'ApiName', apiName, { label: '4XX', stat: 'Sum' }],
      ['AWS/ApiGateway', '5XXError', 'ApiName', apiName, { label: '5XX', stat: 'Sum' }],
    ]);
    expect(body.widgets.filter((w) => w.type === 'alarm')).toHaveLength(1);
  });

  test('the period applies to every graph and alarm (the cost over the dashboard\'s time range takes the time range)', () => {
    const { t } = monitored({ period: Duration.minutes(1) });
    const metricWidgets = dashboardBody(t).widgets.filter((x) => x.type === 'metric');
    for (const w of metricWidgets.filter((x) => !x.properties.setPeriodToTimeRange)) expect(w.properties.period).toBe(60);
    expect(metricWidgets.filter((x) => x.properties.setPeriodToTimeRange).map((x) => x.properties.title)).toEqual(['Cost over the dashboard\'s time range (USD)']);
    for (const [, a] of Object.entries(t.findResources('AWS::CloudWatch::Alarm')).filter(([id]) => id.startsWith('Monitoring'))) {
      for (const m of a.Properties.Metrics) if (m.MetricStat) expect(m.MetricStat.Period).toBe(60);
    }
  });
});

describe('alarms', () => {
  test('the user pool\'s security alarms in the same stack notify the same topic, also for tenants added later', () => {
    // GIVEN a rotating tenant added after the monitoring
    const env = poolStack();
    const api = new ScopedRestApi(env.stack, 'Api', { userPool: env.pool });
    api.addScopedMethod(api.root.addResource('orders'), 'GET', mockIntegration(), { scopes: [env.orders.scope('read')] });
    new M2mMonitoring(env.stack, 'Monitoring', { api, alarmTopic: sns.Topic.fromTopicArn(env.stack, 'Oncall', TOPIC_ARN) });
    env.pool.addTenant('globex', { scopes: [env.orders.scope('read')], rotationSchedule: Duration.days(30) });

    // THEN the pool's secret-lifecycle alarm and the rotation's two alarms notify the topic
    const later = Template.fromStack(env.stack);
    const poolTopic = { Ref: expect.stringMatching(/^PoolSecurityAlarmsTopic/) };
    expect(alarmProps(later, 'PoolSecretLifecycleAuditAlarm').AlarmActions).toEqual([poolTopic, TOPIC_ARN]);
    expect(alarmProps(later, 'PoolClientSecretRotation24hRefusedSecretsAlarm').AlarmActions).toEqual([poolTopic, TOPIC_ARN]);
    expect(alarmProps(later, 'PoolClientSecretRotation24hDeadLettersAlarm').AlarmActions).toEqual([poolTopic, TOPIC_ARN]);
  });

  test('configuration errors: any denial for config_error, notifying the topic on ALARM and OK', () => {
    const { t, fnRef } = monitored((stack) => ({ alarmTopic: sns.Topic.fromTopicArn(stack, 'Oncall', TOPIC_ARN) }));
    const p = alarmProps(t, 'MonitoringConfigErrorAlarm');
    expect(p).toMatchObject({
      Threshold: 1,
      EvaluationPeriods: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [TOPIC_ARN],
      OKActions: [TOPIC_ARN],
    });
    expect(p.Metrics).toEqual([expect.objectContaining({ MetricStat: { Metric: denied(fnRef.Ref, 'config_error'), Period: 300, Stat: 'Sum' } })]);
  });

  test('dependency outages: the sum of the three *_unavailable reasons', () => {
    const { t, fnRef } = monitored({ unavailableThreshold: 3 });
    const p = alarmProps(t, 'MonitoringUnavailableAlarm');
    expect(p.Threshold).toBe(3);
    expect(p.Metrics[0]).toMatchObject({ Expression: 'FILL(u0, 0) + FILL(u1, 0) + FILL(u2, 0)', ReturnData: true });
    expect(p.Metrics.slice(1).map((m: any) => m.MetricStat.Metric)).toEqual([
      denied(fnRef.Ref, 'jwks_unavailable'), denied(fnRef.Ref, 'registry_unavailable'), denied(fnRef.Ref, 'tenants_unavailable'),
    ]);
  });

  test('authorizer failures: Lambda Errors minus Unauthorized denials plus Throttles, 5 by default', () => {
    const { t, fnRef } = monitored();
    const p = alarmProps(t, 'MonitoringFailureAlarm');
    expect(p.Threshold).toBe(5);
    expect(p.Metrics[0].Expression).toBe('FILL(errors, 0) - FILL(denied, 0) + FILL(denyPolicy0, 0) + FILL(throttles, 0)');
    const byId = Object.fromEntries(p.Metrics.slice(1).map((m: any) => [m.Id, m.MetricStat.Metric]));
    expect(byId).toEqual({
      errors: { Namespace: 'AWS/Lambda', MetricName: 'Errors', Dimensions: [{ Name: 'FunctionName', Value: { Ref: fnRef.Ref } }] },
      throttles: { Namespace: 'AWS/Lambda', MetricName: 'Throttles', Dimensions: [{ Name: 'FunctionName', Value: { Ref: fnRef.Ref } }] },
      denied: denied(fnRef.Ref),
      denyPolicy0: denied(fnRef.Ref, 'no_scope'),
    });
  });

  test('denial rate: percent of decisions once there are enough denials, with the given alarm actions', () => {
    const action: cloudwatch.IAlarmAction = { bind: () => ({ alarmActionArn: 'arn:aws:lambda:us-east-1:111111111111:function:page-oncall' }) };
    const { t, fnRef } = monitored({ deniedPercentThreshold: 35, deniedRateMinimumDenials: 50, alarmActions: [action] });
    const p = alarmProps(t, 'MonitoringDeniedRateAlarm');
    expect(p).toMatchObject({ Threshold: 35, AlarmActions: ['arn:aws:lambda:us-east-1:111111111111:function:page-oncall'] });
    expect(p.OKActions).toBeUndefined();
    expect(p.Metrics[0].Expression).toBe('IF(FILL(denied, 0) >= 50, 100 * FILL(denied, 0) / (FILL(allowed, 0) + FILL(denied, 0)), 0)');
    const byId = Object.fromEntries(p.Metrics.slice(1).map((m: any) => [m.Id, m.MetricStat.Metric]));
    expect(byId.denied).toEqual(denied(fnRef.Ref));
    expect(byId.allowed).toEqual({ Namespace: 'CdkCognitoM2m', MetricName: 'Allowed', Dimensions: [{ Name: 'functionName', Value: { Ref: fnRef.Ref } }] });
  });

  test('untrusted directory parameters: any parameter under the path that no stack created', () => {
    const { t, fnRef } = monitored();
    const p = alarmProps(t, 'MonitoringUntrustedDirectoryAlarm');
    expect(p.Threshold).toBe(1);
    expect(p.Metrics).toEqual([expect.objectContaining({
      MetricStat: { Metric: { Namespace: 'CdkCognitoM2m', MetricName: 'UntrustedDirectoryParameters', Dimensions: [{ Name: 'functionName', Value: fnRef }] }, Period: 300, Stat: 'Maximum' },
    })]);
  });

  test('seven alarms by default (five on the authorizer, two on the account\'s token requests), none with createAlarms: false (and the dashboard then graphs the denial rate)', () => {
    const all = monitored().monitoring;
    expect(all.alarms).toHaveLength(7);
    expect(all.alarms.slice(5)).toEqual([all.tokenQuotaAlarm, all.tokenThrottleAlarm]);
    const { t, monitoring } = monitored({ createAlarms: false });
    // Only the user pool's own (secret-lifecycle) alarm remains.
    expect(Object.keys(t.findResources('AWS::CloudWatch::Alarm'))).toEqual([expect.stringMatching(/^PoolSecretLifecycleAuditAlarm/)]);
    expect(monitoring.configErrorAlarm).toBeUndefined();
    const widgets = dashboardBody(t).widgets;
    expect(widgets.filter((w) => w.type === 'alarm')).toHaveLength(0);
    expect(widgets.map((w) => w.properties.title)).toContain('Denied (% of decisions)');
  });
});

describe('saved Logs Insights queries', () => {
  test('denials, configuration errors, outages and token traffic on the authorizer\'s log group; top tenants on the access log', () => {
    const { t, stack, monitoring, api } = monitored();
    const authorizerLogs = stack.resolve(monitoring.authorizer.logGroup.logGroupName);
    const accessLogs = stack.resolve(api.accessLogGroup!.logGroupName);
    const queries = Object.values(t.findResources('AWS::Logs::QueryDefinition')).map((r) => r.Properties);
    expect(queries).toEqual([
      {
        Name: 'cdk-cognito-m2m/Test/Api/Denials by reason, client and tenant',
        LogGroupNames: [authorizerLogs],
        QueryString: 'filter msg = "denied"\n| stats count(*) as denials by reason, clientId, tenantId\n| sort denials desc\n| limit 100',
      },
      {
        Name: 'cdk-cognito-m2m/Test/Api/Top tenants by requests',
        LogGroupNames: [accessLogs],
        QueryString: 'filter ispresent(tenantId) and tenantId != "" and tenantId != "-"\n| stats count(*) as requests by tenantId\n| sort requests desc\n| limit 25',
      },
      {
        Name: 'cdk-cognito-m2m/Test/Api/Configuration errors',
        LogGroupNames: [authorizerLogs],
        QueryString: 'fields @timestamp, msg, configDetail\n| filter reason = "config_error"\n| sort @timestamp desc\n| limit 50',
      },
      {
        Name: 'cdk-cognito-m2m/Test/Api/Dependency outages',
        LogGroupNames: [authorizerLogs],
        QueryString: 'fields @timestamp, reason, errorName, clientId\n| filter reason in ["jwks_unavailable", "registry_unavailable", "tenants_unavailable"]\n| sort @timestamp desc\n| limit 100',
      },
      {
        Name: 'cdk-cognito-m2m/Test/Api/New tokens per client and tenant',
        LogGroupNames: [authorizerLogs],
        QueryString: 'filter msg = "token first seen"\n| stats count_distinct(tokenId) as tokens, count(*) as sightings by clientId, tenantId\n| sort tokens desc\n| limit 100',
      },
      {
        Name: 'cdk-cognito-m2m/Test/Api/Token per call suspects (new tokens per client in 5 minutes)',
        LogGroupNames: [authorizerLogs],
        QueryString: 'filter msg = "token first seen"\n| stats count_distinct(tokenId) as tokens, count(*) as sightings by bin(5m), clientId, tenantId\n| sort tokens desc\n| limit 50',
      },
    ]);
    expect(authorizerLogs).not.toEqual(accessLogs);
  });

  test('a folder of the user\'s choice, or none with createQueryDefinitions: false', () => {
    const { t } = monitored({ queryFolder: 'platform/orders' });
    expect(Object.values(t.findResources('AWS::Logs::QueryDefinition')).map((r) => r.Properties.Name))
      .toEqual(expect.arrayContaining(['platform/orders/Configuration errors']));
    monitored({ createQueryDefinitions: false }).t.resourceCountIs('AWS::Logs::QueryDefinition', 0);
  });
});

describe('validation', () => {
  test.each([
    ['period: Duration.seconds(90)', { period: Duration.seconds(90) }, '[Test/Monitoring] period: 1 minute 30 seconds is invalid: must be whole minutes'],
    ['period: Duration.days(2)', { period: Duration.days(2) }, '[Test/Monitoring] period: 2 days is invalid: must be between 1 minute and 1 day inclusive'],
    ['configErrorThreshold: 0', { configErrorThreshold: 0 }, '[Test/Monitoring] configErrorThreshold: 0 is invalid: must be a whole number, 1 or more'],
    ['failureThreshold: 2.5', { failureThreshold: 2.5 }, '[Test/Monitoring] failureThreshold: 2.5 is invalid: must be a whole number, 1 or more'],
    ['unavailableThreshold: -1', { unavailableThreshold: -1 }, '[Test/Monitoring] unavailableThreshold: -1 is invalid: must be a whole number, 1 or more'],
    ['deniedRateMinimumDenials: 0', { deniedRateMinimumDenials: 0 }, '[Test/Monitoring] deniedRateMinimumDenials: 0 is invalid: must be a whole number, 1 or more'],
    ['deniedPercentThreshold: 0', { deniedPercentThreshold: 0 }, '[Test/Monitoring] deniedPercentThreshold: 0 is invalid: must be a percentage greater than 0 and at most 100'],
    ['deniedPercentThreshold: 150', { deniedPercentThreshold: 150 }, '[Test/Monitoring] deniedPercentThreshold: 150 is invalid: must be a percentage greater than 0 and at most 100'],
    ['dashboardName: orders dashboard', { dashboardName: 'orders dashboard' }, '[Test/Monitoring] dashboardName: "orders dashboard" is invalid: must be letters, digits, "_" and "-", 1-255 characters'],
    ['queryFolder: platform//orders', { queryFolder: 'platform//orders' }, '[Test/Monitoring] queryFolder: "platform//orders" is invalid: must be 1-200 characters, folders separated by "/", without empty folders'],
  ] as [string, Partial<M2mMonitoringProps>, string][])('%s', (_, props, message) => {
    expect(() => monitored(props)).toThrow(message);
  });

  test('an API with the Cognito authorizer', () => {
    const { stack, pool, orders } = poolStack();
    const api = new ScopedRestApi(stack, 'Api', { userPool: pool, authorizer: M2mAuthorizer.cognito() });
    api.addScopedMethod(api.root, 'GET', mockIntegration(), { scopes: [orders.scope('read')] });
    expect(() => new M2mMonitoring(stack, 'Monitoring', { api })).toThrow(
      '[Test/Monitoring] api: "Test/Api" is invalid: its authorizer is the cognito authorizer; M2mMonitoring shows the metrics of the tenant-aware Lambda authorizer');
  });

  test('an API without a scoped method yet', () => {
    const { stack, pool } = poolStack();
    const api = new ScopedRestApi(stack, 'Api', { userPool: pool });
    expect(() => new M2mMonitoring(stack, 'Monitoring', { api })).toThrow(
      '[Test/Monitoring] api: "Test/Api" is invalid: has no scoped method yet, so no authorizer: the API creates it with its first scoped method; create M2mMonitoring after api.addScopedMethod(...)');
  });
});

test('cdk-nag AwsSolutions has no unacknowledged error', () => {
  const { app } = monitored((stack) => ({ alarmTopic: sns.Topic.fromTopicArn(stack, 'Oncall', TOPIC_ARN) }));
  app.synth();
  expect(awsSolutionsFindings(app).filter((f) => f.severity === 'error')).toEqual([]);
});
