/**
 * M2mMonitoring's token traffic and spend: Contributor Insights rules over
 * the authorizer's first sightings of tokens (checked against the rule
 * syntax AWS documents and against the log line's contract), their
 * dashboard graphs, the account's token-request quota with its alarms, the
 * cost panels' metric math at the prices of `prices`, the saved queries,
 * and clear errors for bad props.
 */
import { Duration, Lazy } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { mockIntegration, poolStack } from './fixtures';
import { M2mAuthorizer, M2mMonitoring, M2mMonitoringProps, ScopedRestApi, TokenBudgets } from '../lib';
import { DEFAULT_PRICES } from '../lib/monitoring/prices';
import { num, TOKEN_REQUEST_USAGE_DIMENSIONS } from '../lib/monitoring/spend';
import { firstSeenRuleBody } from '../lib/monitoring/token-insights';
import { TOKEN_FIRST_SEEN_FIELDS, TOKEN_FIRST_SEEN_MESSAGE } from '../lib/private/contracts/token-usage';

/** An API with one scoped method, `tenants` declared clients and its monitoring. */
function monitored(props: Partial<M2mMonitoringProps> = {}, options: { tenants?: number; memorySize?: number } = {}) {
  const env = poolStack();
  for (let i = 0; i < (options.tenants ?? 1); i++) env.pool.addTenant(`tenant${i}`, { scopes: [env.orders.scope('read')] });
  const api = new ScopedRestApi(env.stack, 'Api', {
    userPool: env.pool,
    authorizer: options.memorySize ? M2mAuthorizer.tenantAware({ memorySize: options.memorySize }) : undefined,
  });
  api.addScopedMethod(api.root.addResource('orders'), 'GET', mockIntegration(), { scopes: [env.orders.scope('read')] });
  const monitoring = new M2mMonitoring(env.stack, 'Monitoring', { api, ...props });
  const t = Template.fromStack(env.stack);
  return { ...env, api, monitoring, t };
}

/** A template value with every `{ Ref: X }` written `<X>` and every `{ 'Fn::GetAtt': [X, Y] }` written `<X.Y>`. */
function joined(value: unknown): string {
  const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  const parts = join ? join[1] : [value];
  return parts.map((p) => {
    if (typeof p === 'string') return p;
    const o = p as { 'Ref'?: string; 'Fn::GetAtt'?: string[] };
    return o.Ref !== undefined ? `<${o.Ref}>` : `<${o['Fn::GetAtt']!.join('.')}>`;
  }).join('');
}

function dashboardWidgets(t: Template): { type: string; properties: Record<string, any> }[] {
  const [dashboard] = Object.values(t.findResources('AWS::CloudWatch::Dashboard'));
  return JSON.parse(joined(dashboard.Properties.DashboardBody)).widgets;
}

const byTitle = (t: Template, title: string) => {
  const found = dashboardWidgets(t).filter((w) => w.properties.title === title);
  expect(found).toHaveLength(1);
  return found[0].properties;
};

/** The expressions of a widget, by label. */
const expressions = (widget: Record<string, any>): Record<string, string> =>
  Object.fromEntries(widget.metrics.filter((m: any[]) => typeof m[0] === 'object' && 'expression' in m[0]).map((m: any[]) => [m[0].label, m[0].expression]));

/**
 * The rule syntax of Contributor Insights for CloudWatch Logs, as AWS
 * documents it: Schema CloudWatchLogRule version 1; LogGroupNames (or
 * LogGroupARNs); LogFormat JSON or CLF; Contribution with 1-4 Keys, an
 * optional ValueOf (only with AggregateOn Sum) and at most 4 Filters, each a
 * Match and one operator (In, NotIn, StartsWith with at most 10 strings;
 * GreaterThan, LessThan, EqualTo, NotEqualTo with a number; IsPresent with a
 * boolean); AggregateOn Count or Sum; JSON fields in `$.` notation.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/ContributorInsights-RuleSyntax.html
 */
function ruleSyntaxErrors(body: any): string[] {
  const errors: string[] = [];
  const jsonField = /^\$(\.[A-Za-z0-9_-]+|\[\d+\])+$/;
  const allowed = new Set(['Schema', 'LogGroupNames', 'LogGroupARNs', 'LogFormat', 'Fields', 'Contribution', 'AggregateOn']);
  for (const k of Object.keys(body)) if (!allowed.has(k)) errors.push(`unknown field ${k}`);
  if (JSON.stringify(body.Schema) !== '{"Name":"CloudWatchLogRule","Version":1}') errors.push('Schema');
  if (!(Array.isArray(body.LogGroupNames) && body.LogGroupNames.length > 0) === !Array.isArray(body.LogGroupARNs)) errors.push('LogGroupNames or LogGroupARNs, one of them');
  if (!['JSON', 'CLF'].includes(body.LogFormat)) errors.push('LogFormat');
  const c = body.Contribution ?? {};
  for (const k of Object.keys(c)) if (!['Keys', 'ValueOf', 'Filters'].includes(k)) errors.push(`unknown Contribution field ${k}`);
  if (!Array.isArray(c.Keys) || c.Keys.length < 1 || c.Keys.length > 4) errors.push('Keys: 1-4');
  const fields = [...(c.Keys ?? []), ...(c.ValueOf ? [c.ValueOf] : []), ...(c.Filters ?? []).map((f: any) => f.Match)];
  if (body.LogFormat === 'JSON') for (const f of fields) if (!jsonField.test(f)) errors.push(`field ${f} is not in JSON property notation`);
  if (!['Count', 'Sum'].includes(body.AggregateOn)) errors.push('AggregateOn');
  if ((c.ValueOf !== undefined) !== (body.AggregateOn === 'Sum')) errors.push('ValueOf goes with AggregateOn Sum only');
  if ((c.Filters ?? []).length > 4) errors.push('Filters: at most 4');
  for (const f of c.Filters ?? []) {
    const ops = Object.keys(f).filter((k) => k !== 'Match');
    if (ops.length !== 1) { errors.push('a filter has one operator'); continue; }
    const [op] = ops;
    const v = f[op];
    const ok = ['In', 'NotIn', 'StartsWith'].includes(op) ? Array.isArray(v) && v.length >= 1 && v.length <= 10 && v.every((x: unknown) => typeof x === 'string')
      : ['GreaterThan', 'LessThan', 'EqualTo', 'NotEqualTo'].includes(op) ? typeof v === 'number'
        : op === 'IsPresent' ? typeof v === 'boolean' : false;
    if (!ok) errors.push(`filter operator ${op}`);
  }
  return errors;
}

describe('the rule syntax check itself', () => {
  test.each([
    ['a key out of notation', (b: any) => { b.Contribution.Keys = ['clientId']; }],
    ['five keys', (b: any) => { b.Contribution.Keys = ['$.a', '$.b', '$.c', '$.d', '$.e']; }],
    ['ValueOf with Count', (b: any) => { b.Contribution.ValueOf = '$.n'; }],
    ['a filter with two operators', (b: any) => { b.Contribution.Filters = [{ Match: '$.msg', In: ['x'], EqualTo: 1 }]; }],
    ['another schema version', (b: any) => { b.Schema = { Name: 'CloudWatchLogRule', Version: 2 }; }],
  ])('refuses %s', (_, change) => {
    const body = JSON.parse(JSON.stringify(firstSeenRuleBody('/log/group', ['clientId'])));
    change(body);
    expect(ruleSyntaxErrors(body)).not.toEqual([]);
  });
});

describe('Contributor Insights rules', () => {
  test('two rules on the authorizer\'s log group, counting the contract\'s first-sighting lines by client and tenant, and by tenant', () => {
    // GIVEN / WHEN
    const { t, stack, monitoring } = monitored();
    // THEN
    const rules = Object.values(t.findResources('AWS::CloudWatch::InsightRule')).map((r) => r.Properties);
    expect(rules).toHaveLength(2);
    const logGroup = `<${(stack.resolve(monitoring.authorizer.logGroup.logGroupName) as { Ref: string }).Ref}>`;
    const bodies = Object.fromEntries(rules.map((r) => [r.RuleName, JSON.parse(joined(r.RuleBody))]));
    expect(Object.keys(bodies)).toEqual(['Test-Monitoring-CEFA13A4-TopClientsByNewTokens', 'Test-Monitoring-CEFA13A4-TopTenantsByNewTokens']);
    for (const r of rules) expect(r.RuleState).toBe('ENABLED');
    const seen = { Match: '$.msg', In: [TOKEN_FIRST_SEEN_MESSAGE] };
    const [clients, tenants] = Object.values(bodies);
    expect(clients).toEqual({
      Schema: { Name: 'CloudWatchLogRule', Version: 1 },
      LogGroupNames: [logGroup],
      LogFormat: 'JSON',
      Contribution: { Keys: [`$.${TOKEN_FIRST_SEEN_FIELDS.clientId}`, `$.${TOKEN_FIRST_SEEN_FIELDS.tenantId}`], Filters: [seen] },
      AggregateOn: 'Count',
    });
    expect(tenants.Contribution).toEqual({ Keys: [`$.${TOKEN_FIRST_SEEN_FIELDS.tenantId}`], Filters: [seen] });
    for (const body of [clients, tenants]) expect(ruleSyntaxErrors(body)).toEqual([]);
    // No client or tenant id is a metric dimension anywhere in the template.
    expect(JSON.stringify(t.findResources('AWS::CloudWatch::Alarm'))).not.toMatch(/"Name":"(clientId|tenantId)"/);
  });

  test('the rules are exposed, graphed on the dashboard by name, and not created with createContributorInsightsRules: false', () => {
    const { t, stack, monitoring } = monitored();
    expect(stack.resolve(monitoring.topClientsRule!.attrRuleName)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^MonitoringTopClientsByNewTokensRule/), 'RuleName'] });
    expect(stack.resolve(monitoring.topTenantsRule!.attrArn)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^MonitoringTopTenantsByNewTokensRule/), 'Arn'] });
    const widget = byTitle(t, 'Top clients by new tokens (client, tenant)');
    expect(widget).toEqual({
      title: 'Top clients by new tokens (client, tenant)',
      region: '<AWS::Region>',
      view: 'timeSeries',
      stacked: false,
      period: 300,
      legend: { position: 'bottom' },
      insightRule: { maxContributorCount: 10, orderBy: 'Sum', ruleName: `<${stack.resolve(monitoring.topClientsRule!.logicalId)}.RuleName>` },
    });
    expect(byTitle(t, 'Top tenants by new tokens').insightRule.ruleName).toBe(`<${stack.resolve(monitoring.topTenantsRule!.logicalId)}.RuleName>`);

    const off = monitored({ createContributorInsightsRules: false });
    off.t.resourceCountIs('AWS::CloudWatch::InsightRule', 0);
    expect(off.monitoring.topClientsRule).toBeUndefined();
    expect(dashboardWidgets(off.t).filter((w) => w.properties.insightRule)).toEqual([]);
  });
});

const usage = (metricName: string) => ['AWS/Usage', metricName, 'Class', 'None', 'Resource', 'ClientAuthentication', 'Service', 'Cognito User Pools', 'Type', 'API'];

describe('the account\'s token-request quota', () => {
  test('requests per second against the quota (150 by default) and throttled requests, per minute', () => {
    const { t } = monitored();
    const perSecond = byTitle(t, 'Token requests per second (account quota)');
    expect(perSecond.period).toBe(60);
    expect(perSecond.metrics).toEqual([
      [{ label: 'Token requests per second (account and Region)', expression: 'FILL(calls, 0) / PERIOD(calls)', period: 60 }],
      [...usage('CallCount'), { id: 'calls', visible: false, period: 60, stat: 'Sum' }],
    ]);
    expect(perSecond.annotations.horizontal).toEqual([
      { value: 150, label: 'Quota (150/s)', color: '#d62728', yAxis: 'left' },
      { value: 120, label: 'Alarm (80% of the quota)', color: '#ff7f0e', yAxis: 'left' },
    ]);
    expect(byTitle(t, 'Throttled token requests').metrics).toEqual([[...usage('ThrottleCount'), { label: 'Throttled token requests', period: 60, stat: 'Sum' }]]);
    expect(TOKEN_REQUEST_USAGE_DIMENSIONS).toEqual({ Service: 'Cognito User Pools', Type: 'API', Resource: 'ClientAuthentication', Class: 'None' });
  });

  test('the quota alarm fires at the share of the quota before it is reached; the throttle alarm at the first throttled request', () => {
    const { t, monitoring, stack } = monitored({ tokenRequestQuotaPerSecond: 500, tokenQuotaAlarmPercent: 90 });
    const alarmProps = (a: cloudwatch.Alarm) => {
      const id = stack.resolve((a.node.defaultChild as cloudwatch.CfnAlarm).logicalId);
      return t.toJSON().Resources[id].Properties;
    };
    const quota = alarmProps(monitoring.tokenQuotaAlarm!);
    expect(quota).toMatchObject({ Threshold: 450, EvaluationPeriods: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'notBreaching' });
    expect(quota.Metrics).toEqual([
      { Id: 'expr_1', Label: 'Token requests per second (account and Region)', Expression: 'FILL(calls, 0) / PERIOD(calls)', ReturnData: true },
      { Id: 'calls', ReturnData: false, MetricStat: { Metric: { Namespace: 'AWS/Usage', MetricName: 'CallCount', Dimensions: expect.arrayContaining([{ Name: 'Resource', Value: 'ClientAuthentication' }]) }, Period: 60, Stat: 'Sum' } },
    ]);
    expect(quota.AlarmDescription).toMatch(/reached 90% of the quota of 500 per second/);
    const throttle = alarmProps(monitoring.tokenThrottleAlarm!);
    expect(throttle).toMatchObject({ Threshold: 1, EvaluationPeriods: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
    expect(throttle.Metrics).toEqual([{
      Id: 'm1',
      Label: 'Throttled token requests',
      ReturnData: true,
      MetricStat: {
        Metric: {
          Namespace: 'AWS/Usage',
          MetricName: 'ThrottleCount',
          Dimensions: [
            { Name: 'Class', Value: 'None' }, { Name: 'Resource', Value: 'ClientAuthentication' }, { Name: 'Service', Value: 'Cognito User Pools' }, { Name: 'Type', Value: 'API' },
          ],
        },
        Period: 60,
        Stat: 'Sum',
      },
    }]);
    expect(throttle.AlarmDescription).toMatch(/^Cognito throttled machine-to-machine token requests of this account and Region/);
  });

  test('no quota alarms with createTokenQuotaAlarms: false (another monitoring of the account has them), nor with createAlarms: false', () => {
    const other = monitored({ createTokenQuotaAlarms: false }).monitoring;
    expect([other.tokenQuotaAlarm, other.tokenThrottleAlarm, other.alarms.length]).toEqual([undefined, undefined, 5]);
    expect(monitored({ createAlarms: false }).monitoring.tokenQuotaAlarm).toBeUndefined();
  });

  test('the metrics for alarms of your own', () => {
    const { monitoring, stack } = monitored();
    const m = monitoring.metricTokenRequests({ period: Duration.minutes(5) });
    expect([m.namespace, m.metricName, m.statistic, m.period.toMinutes(), m.dimensions]).toEqual(['AWS/Usage', 'CallCount', 'Sum', 5, TOKEN_REQUEST_USAGE_DIMENSIONS]);
    expect(stack.resolve(monitoring.metricThrottledTokenRequests().metricName)).toBe('ThrottleCount');
  });
});

describe('cost panels', () => {
  test('the default prices: tokens, app clients, the authorizer (Lambda requests and GB-seconds at its memory, Arm) and API requests', () => {
    // GIVEN three declared clients and a 512 MB authorizer (the default)
    const { t } = monitored({}, { tenants: 3 });
    const widget = byTitle(t, 'Cost per period (USD)');
    expect(widget.stacked).toBe(true);
    expect(expressions(widget)).toEqual({
      'Token requests (account and Region)': 'FILL(calls, 0) * 0.00225',
      'App clients': 'TIME_SERIES(0) * PERIOD(calls)',
      'Authorizer (Lambda)': 'FILL(invocations, 0) * 0.0000002 + FILL(duration, 0) / 1000 * 0.0000066667',
      'API requests': 'FILL(requests, 0) * 0.0000035',
    });
    const ids = Object.fromEntries(widget.metrics.filter((m: any[]) => typeof m[0] === 'string').map((m: any[]) => [m[m.length - 1].id, m.slice(0, 2)]));
    expect(ids).toEqual({
      calls: ['AWS/Usage', 'CallCount'], invocations: ['AWS/Lambda', 'Invocations'], duration: ['AWS/Lambda', 'Duration'], requests: ['AWS/ApiGateway', 'Count'],
    });
    const total = byTitle(t, 'Cost over the dashboard\'s time range (USD)');
    expect(total.setPeriodToTimeRange).toBe(true);
    expect(expressions(total).Total).toBe('tokens + appClients + authorizer + api');
    expect(DEFAULT_PRICES).toEqual({
      tokenRequestsPerThousand: 2.25,
      appClientPerMonth: 0,
      lambdaRequestsPerMillion: 0.2,
      lambdaArmGbSecond: 0.0000133334,
      restApiRequestsPerMillion: 3.5,
    });
  });

  test('prices of your own, the declared clients counted at synthesis (a tenant added after the monitoring too), the authorizer\'s memory', () => {
    const env = poolStack();
    env.pool.addTenant('acme', { scopes: [env.orders.scope('read')] });
    const api = new ScopedRestApi(env.stack, 'Api', { userPool: env.pool, authorizer: M2mAuthorizer.tenantAware({ memorySize: 1024 }) });
    api.addScopedMethod(api.root, 'GET', mockIntegration(), { scopes: [env.orders.scope('read')] });
    new M2mMonitoring(env.stack, 'Monitoring', {
      api,
      prices: {
        tokenRequestsPerThousand: 1.8,
        appClientPerMonth: 6,
        lambdaRequestsPerMillion: 0.25,
        lambdaArmGbSecond: 0.00001,
        restApiRequestsPerMillion: 3.0,
      },
    });
    env.pool.addTenant('globex', { scopes: [env.orders.scope('read')] });
    const t = Template.fromStack(env.stack);
    expect(expressions(byTitle(t, 'Cost per period (USD)'))).toEqual({
      'Token requests (account and Region)': 'FILL(calls, 0) * 0.0018',
      // 2 clients × $6 over 730 hours, per second, times the period's seconds
      'App clients': `TIME_SERIES(${num((2 * 6) / (730 * 3600))}) * PERIOD(calls)`,
      'Authorizer (Lambda)': 'FILL(invocations, 0) * 0.00000025 + FILL(duration, 0) / 1000 * 0.00001',
      'API requests': 'FILL(requests, 0) * 0.000003',
    });
    expect(dashboardWidgets(t).find((w) => w.type === 'text' && /Token traffic and spend/.test(w.properties.markdown))!.properties.markdown)
      .toMatch(/\$1\.80 per 1,000 token requests, \$6\.00 per app client and month \(730 hours\), \$0\.25 per million authorizer invocations plus \$0\.00001 per GB-second \(Arm\), \$3\.00 per million API requests/);
  });

  test('a published count of app clients (a developer portal\'s hourly count): its last value holds until the next', () => {
    const clients = new cloudwatch.Metric({ namespace: 'CdkCognitoM2m/Portal', metricName: 'PoolAppClients', statistic: 'Maximum', period: Duration.hours(1) });
    const { t, app } = monitored({ appClientCount: clients, prices: { appClientPerMonth: 6 } });
    const widget = byTitle(t, 'Cost per period (USD)');
    expect(expressions(widget)['App clients']).toBe(`FILL(clients, REPEAT) * ${num(6 / (730 * 3600))} * PERIOD(calls)`);
    expect(widget.metrics).toContainEqual(['CdkCognitoM2m/Portal', 'PoolAppClients', { id: 'clients', visible: false, stat: 'Maximum' }]);
    // Its period set to the graph's: no warning about an overridden period.
    const warnings = app.synth().getStackByName('Test').messages.filter((m) => m.level === 'warning');
    expect(warnings).toEqual([]);
  });

  test('num writes prices in plain decimals, never with an exponent', () => {
    expect([num(0.0000133334 / 2), num(2.25 / 1000), num(3), num(6 / (730 * 3600)), num(0)]).toEqual(['0.0000066667', '0.00225', '3', '0.000002283105', '0']);
  });
});

describe('token budgets', () => {
  /** Two APIs of one pool, each with a scoped method; budgets on the first. */
  function twoApis() {
    const env = poolStack();
    env.pool.addTenant('globex', { scopes: [env.orders.scope('read')], tokenBudget: { perHour: 100 } });
    const apis = ['Api', 'OtherApi'].map((id) => {
      const api = new ScopedRestApi(env.stack, id, { userPool: env.pool });
      api.addScopedMethod(api.root.addResource('orders'), 'GET', mockIntegration(), { scopes: [env.orders.scope('read')] });
      return api;
    });
    const budgets = new TokenBudgets(env.stack, 'Budgets', { api: apis[0] });
    return { ...env, apis, budgets };
  }

  test('tokenBudgets: the crossings graphed at the dashboard\'s period, next to the status of the budgets\' alarms', () => {
    const { stack, apis, budgets } = twoApis();
    new M2mMonitoring(stack, 'Monitoring', { api: apis[0], tokenBudgets: budgets, period: Duration.minutes(1) });
    const t = Template.fromStack(stack);
    const graph = byTitle(t, 'Token budgets exceeded');
    expect(graph.period).toBe(60);
    // The budget function's metric, by its function's name: no tenant or client dimension.
    expect(graph.metrics).toEqual([['CdkCognitoM2m', 'TokenBudgetExceeded', 'functionName', expect.stringMatching(/^<BudgetsFunction[0-9A-F]{8}>$/),
      expect.objectContaining({ label: 'Token budgets exceeded', stat: 'Sum' })]]);
    const alarms = byTitle(t, 'Token budget alarms').alarms as string[];
    const budgetAlarms = Object.keys(t.findResources('AWS::CloudWatch::Alarm')).filter((id) => id.startsWith('Budgets'));
    expect(budgetAlarms).toHaveLength(2);
    expect(alarms.sort()).toEqual(budgetAlarms.map((id) => `<${id}.Arn>`).sort());
    expect(dashboardWidgets(t).some((w) => w.type === 'text' && String(w.properties.markdown).includes('Token budgets: crossings per client or tenant and window'))).toBe(true);
  });

  test('without tokenBudgets the dashboard has no budget widgets', () => {
    const { t } = monitored();
    expect(dashboardWidgets(t).filter((w) => /budget/i.test(String(w.properties.title)))).toEqual([]);
  });

  test('the budgets of another API are refused, naming both authorizers', () => {
    const { stack, apis, budgets } = twoApis();
    expect(() => new M2mMonitoring(stack, 'Monitoring', { api: apis[1], tokenBudgets: budgets })).toThrow(
      /^\[Test\/Monitoring\] tokenBudgets: "Test\/Budgets" is invalid: counts the tokens of Test\/Api\/\S+, not those of the monitored API's authorizer \(Test\/OtherApi\/\S+\): pass the TokenBudgets of this API$/);
  });
});

describe('validation', () => {
  test.each([
    ['tokenRequestQuotaPerSecond: 0', { tokenRequestQuotaPerSecond: 0 }, '[Test/Monitoring] tokenRequestQuotaPerSecond: 0 is invalid: must be a whole number of requests per second, 1 or more'],
    ['tokenRequestQuotaPerSecond: 150.5', { tokenRequestQuotaPerSecond: 150.5 }, '[Test/Monitoring] tokenRequestQuotaPerSecond: 150.5 is invalid'],
    ['tokenQuotaAlarmPercent: 100', { tokenQuotaAlarmPercent: 100 }, '[Test/Monitoring] tokenQuotaAlarmPercent: 100 is invalid: must be a percentage greater than 0 and less than 100: the alarm warns before the quota is reached'],
    ['tokenQuotaAlarmPercent: 0', { tokenQuotaAlarmPercent: 0 }, '[Test/Monitoring] tokenQuotaAlarmPercent: 0 is invalid'],
    ['tokenThrottleThreshold: 0', { tokenThrottleThreshold: 0 }, '[Test/Monitoring] tokenThrottleThreshold: 0 is invalid: must be a whole number, 1 or more'],
    ['prices.tokenRequestsPerThousand: -1', { prices: { tokenRequestsPerThousand: -1 } }, '[Test/Monitoring] prices.tokenRequestsPerThousand: -1 is invalid: must be a price in US dollars, 0 or more'],
    ['prices.restApiRequestsPerMillion: NaN', { prices: { restApiRequestsPerMillion: NaN } }, '[Test/Monitoring] prices.restApiRequestsPerMillion: NaN is invalid: must be a price in US dollars, 0 or more'],
  ] as [string, Partial<M2mMonitoringProps>, string][])('%s', (_, props, message) => {
    expect(() => monitored(props)).toThrow(message);
  });

  test('a price that is a token (unknown until deployment) is refused: it goes into the dashboard\'s metric math', () => {
    expect(() => monitored({ prices: { appClientPerMonth: Lazy.number({ produce: () => 6 }) } }))
      .toThrow(/prices\.appClientPerMonth: .* is invalid: must be a number known at synthesis: it is written into the dashboard's metric math/);
  });
});
