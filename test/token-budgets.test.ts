/**
 * TokenBudgets: the budget table, the budget function behind a subscription
 * filter on the authorizer's log group, the budgets it receives (client
 * budgets from TenantAppClient, tenant budgets from props), least-privilege
 * grants (the authorizer and the portal reach suspension records only), the
 * authorizer's enforcement (its variables and the registry build), the
 * alarm, the compliance packs, and clear errors.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import { mockIntegration, poolStack } from './fixtures';
import { complianceFindings, formatFinding } from '../bin/nag';
import {
  DeveloperPortal, M2mAuthorizer, M2mUserPool, MethodAuthorizer, ScopedRestApi, TenantAppClient, TenantRegistry, TokenBudgets, TokenBudgetsProps,
} from '../lib';

const TOPIC_ARN = 'arn:aws:sns:us-east-1:111111111111:platform-oncall';

/** An API with one scoped method (and, optionally, a registry) and the budgets of `props`. */
function budgeted(props: Partial<TokenBudgetsProps> = {}, options: { registry?: boolean; authorizer?: M2mAuthorizer } = {}) {
  const env = poolStack();
  const globex = env.pool.addTenant('globex', { scopes: [env.orders.scope('read')], tokenBudget: { perHour: 100, suspendFor: Duration.minutes(30) } });
  env.pool.addTenant('initech', { scopes: [env.orders.scope('read')] });
  const registry = options.registry ? new TenantRegistry(env.stack, 'Registry') : undefined;
  const api = new ScopedRestApi(env.stack, 'Api', { userPool: env.pool, authorizer: options.authorizer ?? M2mAuthorizer.tenantAware({ registry }) });
  api.addScopedMethod(api.root.addResource('orders'), 'GET', mockIntegration(), { scopes: [env.orders.scope('read')] });
  const budgets = new TokenBudgets(env.stack, 'Budgets', { api, ...props });
  return { ...env, api, budgets, globex, registry, get t() { return Template.fromStack(env.stack); } };
}

function functionOf(t: Template, description: RegExp): Record<string, any> {
  const found = Object.values(t.findResources('AWS::Lambda::Function', { Properties: { Description: Match.stringLikeRegexp(description.source) } }));
  expect(found).toHaveLength(1);
  return found[0].Properties;
}

/** Every statement of the managed policies of a role whose logical id starts with `prefix`. */
function statementsOf(t: Template, prefix: string): Array<Record<string, any>> {
  return Object.entries(t.findResources('AWS::IAM::ManagedPolicy'))
    .filter(([id]) => id.startsWith(prefix))
    .flatMap(([, r]) => r.Properties.PolicyDocument.Statement);
}

const ref = (stack: Stack, construct: { node: { defaultChild?: unknown } } | lambda.IFunction) =>
  stack.resolve(((construct as lambda.Function).node.defaultChild as { ref: string }).ref);

describe('the budget table', () => {
  test('is encrypted with a rotated customer-managed key, recoverable, protected from deletion, retained, and expires items by expiresAt', () => {
    const { t } = budgeted();
    t.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      Properties: {
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
        BillingMode: 'PAY_PER_REQUEST',
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^BudgetsKey'), 'Arn'] } },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      },
    });
    t.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain', Properties: { EnableKeyRotation: true, Description: Match.stringLikeRegexp('token budget table') } });
  });
});

describe('the budget function', () => {
  test('runs as every library function does and receives the client budgets of the pool\'s clients and the tenant budgets', () => {
    const b = budgeted({ tenants: { initech: { perDay: 5000 } } });
    const { stack, budgets, globex } = b;
    budgets.addTenantBudget('hooli', { perHour: 10 });
    const t = b.t;
    const fn = functionOf(t, /^Counts the tokens/);
    expect(fn).toMatchObject({ Architectures: ['arm64'], TracingConfig: { Mode: 'Active' }, LoggingConfig: { LogFormat: 'JSON' }, Timeout: 60 });
    const vars = stack.resolve(fn.Environment.Variables);
    expect(vars.BUDGET_TABLE_NAME).toEqual(ref(stack, budgets.table as any));
    const clientRef = stack.resolve(globex.userPoolClientId);
    expect(vars.TOKEN_BUDGETS).toEqual({
      'Fn::Join': ['', ['{"clients":{"', clientRef, '":{"perHour":100,"suspendForSeconds":1800}},"tenants":{"initech":{"perDay":5000},"hooli":{"perHour":10}}}']],
    });
    expect(vars.ALARM_TOPIC_ARN).toBeUndefined();
    expect(vars.TABLE_NAME).toBeUndefined();
    // Asynchronous invocations (CloudWatch Logs): two retries, then the dead-letter queue.
    t.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 21600 });
    expect(fn.DeadLetterConfig.TargetArn['Fn::GetAtt'][0]).toMatch(/^BudgetsDeadLetters/);
  });

  test('an imported client gets its budget with addClientBudget', () => {
    const b = budgeted();
    const imported = TenantAppClient.fromTenantAppClientAttributes(b.stack, 'Hooli', { tenantId: 'hooli', userPoolClientId: 'abcdefghijklmnopqrstuvwxyz' });
    b.budgets.addClientBudget(imported, { perDay: 20 });
    const vars = functionOf(b.t, /^Counts the tokens/).Environment.Variables;
    expect(JSON.stringify(vars.TOKEN_BUDGETS)).toContain('\\"abcdefghijklmnopqrstuvwxyz\\":{\\"perDay\\":20}');
  });

  test('reads the authorizer\'s first sightings through a subscription filter on its log group, and only those', () => {
    const { stack, budgets, t } = budgeted();
    t.hasResourceProperties('AWS::Logs::SubscriptionFilter', {
      LogGroupName: stack.resolve(budgets.authorizer.logGroup.logGroupName),
      FilterPattern: '{ $.msg = "token first seen" }',
      DestinationArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^BudgetsFunction'), 'Arn'] },
    });
    t.hasResourceProperties('AWS::Lambda::Permission', {
      Principal: 'logs.amazonaws.com',
      FunctionName: { 'Fn::GetAtt': [Match.stringLikeRegexp('^BudgetsFunction'), 'Arn'] },
      SourceArn: stack.resolve(budgets.authorizer.logGroup.logGroupArn),
    });
  });

  test('may count, claim and suspend in its table, publish to the topic, and nothing else', () => {
    const { stack, budgets, t } = budgeted({ alarmTopic: sns.Topic.fromTopicArn(poolStack().stack, 'T', TOPIC_ARN) });
    const table = stack.resolve(budgets.table.tableArn);
    const grants = statementsOf(t, 'BudgetsRole').filter((s) => !String(s.Action).startsWith('logs:') && !String(s.Action).startsWith('xray:'));
    expect(grants).toEqual([
      { Action: 'sqs:SendMessage', Effect: 'Allow', Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^BudgetsDeadLetters') as any, 'Arn'] } },
      { Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'], Effect: 'Allow', Resource: table },
      { Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'], Effect: 'Allow', Resource: stack.resolve(budgets.encryptionKey.keyArn) },
      { Action: 'sns:Publish', Effect: 'Allow', Resource: TOPIC_ARN },
    ].map((s) => expect.objectContaining({ ...s, Resource: expect.anything() })));
    expect(grants[1].Resource).toEqual(table);
    expect(stack.resolve(functionOf(t, /^Counts the tokens/).Environment.Variables.ALARM_TOPIC_ARN)).toBe(TOPIC_ARN);
  });

  test('an encrypted topic: the exact key actions a publisher needs, no wildcard action', () => {
    const env = poolStack();
    const key = new kms.Key(env.stack, 'TopicKey');
    const topic = new sns.Topic(env.stack, 'Topic', { masterKey: key });
    const api = new ScopedRestApi(env.stack, 'Api', { userPool: env.pool });
    api.addScopedMethod(api.root, 'GET', mockIntegration(), { scopes: [env.orders.scope('read')] });
    new TokenBudgets(env.stack, 'Budgets', { api, alarmTopic: topic });
    const statements = statementsOf(Template.fromStack(env.stack), 'BudgetsRole');
    expect(statements).toContainEqual({ Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Effect: 'Allow', Resource: env.stack.resolve(key.keyArn) });
    expect(statements.flatMap((st) => [st.Action].flat()).filter((a: string) => a.endsWith('*'))).toEqual([]);
  });

  test('with a registry: reads tenant records and appends audit entries, no other item of the registry', () => {
    const { stack, registry, t } = budgeted({}, { registry: true });
    const vars = functionOf(t, /^Counts the tokens/).Environment.Variables;
    expect(vars.TABLE_NAME).toEqual(stack.resolve(registry!.tableName));
    const onRegistry = statementsOf(t, 'BudgetsRole').filter((s) => JSON.stringify(s.Resource) === JSON.stringify(stack.resolve(registry!.tableArn)));
    expect(onRegistry).toEqual([
      { Action: 'dynamodb:GetItem', Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['TENANT#*'] } }, Effect: 'Allow', Resource: expect.anything() },
      { Action: 'dynamodb:PutItem', Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['AUDIT#*'] } }, Effect: 'Allow', Resource: expect.anything() },
    ]);
  });
});

describe('enforcement in the authorizer', () => {
  test('the authorizer reads suspension records only, and knows the table and the cache TTL', () => {
    const { stack, budgets, t } = budgeted({ budgetCacheTtl: Duration.seconds(10) });
    const fn = functionOf(t, /^Verifies Cognito M2M/);
    expect(fn.Environment.Variables).toEqual(expect.objectContaining({ BUDGET_TABLE_NAME: stack.resolve(budgets.table.tableName), BUDGET_CACHE_TTL_SECONDS: '10' }));
    const table = JSON.stringify(stack.resolve(budgets.table.tableArn));
    const onTable = statementsOf(t, 'ApiTenantAuthorizerRole').filter((s) => JSON.stringify(s.Resource) === table);
    expect(onTable).toEqual([{
      Action: 'dynamodb:GetItem',
      Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['SUSPENSION#CLIENT#*', 'SUSPENSION#TENANT#*'] } },
      Effect: 'Allow',
      Resource: expect.anything(),
    }]);
    expect(statementsOf(t, 'ApiTenantAuthorizerRole')).toContainEqual({ Action: 'kms:Decrypt', Effect: 'Allow', Resource: stack.resolve(budgets.encryptionKey.keyArn) });
  });

  test('an authorizer without a registry ships the registry build, the only one that enforces suspensions', () => {
    const { app } = budgeted();
    const outdir = app.synth().directory;
    const dirs = fs.readdirSync(outdir).filter((d) => d.startsWith('asset.') && fs.existsSync(path.join(outdir, d, 'routes.json')));
    expect(dirs).toHaveLength(1);
    expect(fs.readFileSync(path.join(outdir, dirs[0], 'index.js'), 'utf8'))
      .toBe(fs.readFileSync(path.join(__dirname, '..', 'assets', 'authorizer-registry', 'index.js'), 'utf8'));
  });
});

describe('the alarm', () => {
  test('alarms on any crossing within 5 minutes and tells the topic when it goes into ALARM and back to OK', () => {
    const { stack, budgets, t } = budgeted({ alarmTopic: sns.Topic.fromTopicArn(poolStack().stack, 'T', TOPIC_ARN) });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Metrics: [Match.objectLike({
        MetricStat: {
          Metric: { Namespace: 'CdkCognitoM2m', MetricName: 'TokenBudgetExceeded', Dimensions: [{ Name: 'functionName', Value: stack.resolve(budgets.handler.functionName) }] },
          Period: 300,
          Stat: 'Sum',
        },
      })],
      Threshold: 1,
      EvaluationPeriods: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [TOPIC_ARN],
      OKActions: [TOPIC_ARN],
    });
  });
});

describe('the developer portal', () => {
  test('addTokenBudgets: the portal may read and delete suspension records, nothing else of the budget table', () => {
    const env = poolStack();
    const portal = new DeveloperPortal(env.stack, 'Portal', { userPool: env.pool, grantableScopes: env.orders.scopes });
    const api = new ScopedRestApi(env.stack, 'Api', { userPool: env.pool, authorizer: M2mAuthorizer.tenantAware({ registry: portal.registry }) });
    api.addScopedMethod(api.root, 'GET', mockIntegration(), { scopes: [env.orders.scope('read')] });
    const budgets = new TokenBudgets(env.stack, 'Budgets', { api });
    portal.addTokenBudgets(budgets);
    const t = Template.fromStack(env.stack);
    const stack = env.stack;
    expect(functionOf(t, /^Developer portal: registers/).Environment.Variables.BUDGET_TABLE_NAME).toEqual(stack.resolve(budgets.table.tableName));
    const table = JSON.stringify(stack.resolve(budgets.table.tableArn));
    expect(statementsOf(t, 'PortalHandlerRole').filter((s) => JSON.stringify(s.Resource) === table)).toEqual([{
      Action: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:DeleteItem'],
      Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['SUSPENSION#CLIENT#*', 'SUSPENSION#TENANT#*'] } },
      Effect: 'Allow',
      Resource: expect.anything(),
    }]);
    // The budget function reads the portal's tenant budgets from the registry the API's authorizer reads.
    expect(functionOf(t, /^Counts the tokens/).Environment.Variables.TABLE_NAME).toEqual(stack.resolve(portal.registry.tableName));
  });

  test('budgets of another registry cannot be added to the portal', () => {
    const { stack, pool, orders, budgets } = budgeted({}, { registry: true });
    const portal = new DeveloperPortal(stack, 'Portal', { userPool: pool, grantableScopes: orders.scopes });
    expect(() => portal.addTokenBudgets(budgets)).toThrow(/addTokenBudgets\(budgets\): "Test\/Budgets" is invalid: must use the portal's registry/);
  });
});

describe('compliance', () => {
  test('no finding of the four cdk-nag packs or Control Tower on the budgets, the table or the function', () => {
    const { app } = budgeted({ alarmTopic: sns.Topic.fromTopicArn(poolStack().stack, 'T', TOPIC_ARN) }, { registry: true });
    app.synth();
    // The API's own stage (WAF) and functions outside a VPC are the app's choices, acknowledged by apps (examples/).
    const mine = complianceFindings(app).filter((f) => f.severity === 'error' && f.path.startsWith('Test/Budgets'))
      .filter((f) => f.rule !== 'lambda_inside_vpc_check');
    expect(mine.map(formatFinding)).toEqual([]);
  });
});

describe('automatic authorizer', () => {
  test('warns about methods behind API Gateway\'s JWT authorizer: their tokens are neither counted nor suspended', () => {
    const env = poolStack();
    env.pool.addTenant('globex', { scopes: [env.orders.scope('read')] });
    const api = new ScopedRestApi(env.stack, 'Api', { userPool: env.pool, authorizer: M2mAuthorizer.automatic() });
    const orders = api.root.addResource('orders');
    api.addScopedMethod(orders, 'GET', mockIntegration(), { scopes: [env.orders.scope('read')], authorizer: MethodAuthorizer.TENANT_AWARE });
    api.addScopedMethod(orders, 'POST', mockIntegration(), { scopes: [env.orders.scope('write')], authorizer: MethodAuthorizer.JWT });
    new TokenBudgets(env.stack, 'Budgets', { api });
    Annotations.fromStack(env.stack).hasWarning('/Test/Budgets', Match.stringLikeRegexp('Tokens used only on POST /orders of Test/Api are not counted and not suspended'));
  });
});

describe('errors', () => {
  test.each([
    [{ perHour: -1 }, /tenants.initech.perHour: -1 is invalid: must be a whole number of tokens from 0 to 1000000000/],
    [{ perDay: 1.5 }, /tenants.initech.perDay: 1.5 is invalid: must be a whole number/],
    [{}, /tenants.initech: "\{\}" is invalid: a token budget needs perHour, perDay or both/],
    [{ perHour: 1, suspendFor: Duration.seconds(30) }, /tenants.initech.suspendFor: 30 seconds is invalid: must be whole seconds from 1 minute to 30 days/],
    [{ perHour: 1, suspendFor: Duration.days(31) }, /tenants.initech.suspendFor: 31 days is invalid/],
  ])('a tenant budget %j is refused, naming the prop, the value and the rule', (budget, message) => {
    expect(() => budgeted({ tenants: { initech: budget } })).toThrow(message);
  });

  test('a client budget is checked where it is set', () => {
    const { pool, orders } = poolStack();
    expect(() => pool.addTenant('globex', { scopes: [orders.scope('read')], tokenBudget: { perHour: 0.5 } }))
      .toThrow(/\[Test\/Pool\/Tenant-globex\] tokenBudget.perHour: 0.5 is invalid/);
  });

  test('a client budget that no TokenBudgets counts fails synthesis', () => {
    const { app, pool, orders } = poolStack();
    pool.addTenant('globex', { scopes: [orders.scope('read')], tokenBudget: { perHour: 5 } });
    expect(() => app.synth()).toThrow(/tokenBudget: is set but nothing counts it: no TokenBudgets watches an API whose tenant-aware authorizer trusts user pool Test\/Pool/);
  });

  test('an API behind the Cognito authorizer is refused: it writes no line per token and cannot suspend', () => {
    const env = poolStack();
    const api = new ScopedRestApi(env.stack, 'Api', { userPool: env.pool, authorizer: M2mAuthorizer.cognito() });
    api.addScopedMethod(api.root, 'GET', mockIntegration(), { scopes: [env.orders.scope('read')] });
    expect(() => new TokenBudgets(env.stack, 'Budgets', { api })).toThrow(/api: "Test\/Api" is invalid: its authorizer is the cognito authorizer/);
  });

  test('budgets before the API\'s first scoped method are refused with what to do', () => {
    const env = poolStack();
    const api = new ScopedRestApi(env.stack, 'Api', { userPool: env.pool });
    expect(() => new TokenBudgets(env.stack, 'Budgets', { api })).toThrow(/create TokenBudgets after api.addScopedMethod/);
  });

  test('the portal\'s own API is refused', () => {
    const env = poolStack();
    const portal = new DeveloperPortal(env.stack, 'Portal', { userPool: env.pool, grantableScopes: env.orders.scopes, webUi: { signInDomainPrefix: 'acme-portal' } });
    expect(() => new TokenBudgets(env.stack, 'Budgets', { api: portal.api })).toThrow(/is the developer portal's API/);
  });

  test('a client of a pool the API does not trust cannot get a budget, nor a client twice', () => {
    const { stack, budgets, globex } = budgeted();
    const other = new M2mUserPool(stack, 'Other', { domainPrefix: 'acme-other' });
    const server = other.addResourceServer('R', { identifier: 'r', scopes: [{ name: 'go', description: 'Go' }] });
    const stranger = other.addTenant('hooli', { scopes: [server.scope('go')] });
    expect(() => budgets.addClientBudget(stranger, { perHour: 1 })).toThrow(/addClientBudget\(client\): "Test\/Other\/Tenant-hooli" is invalid: belongs to user pool Test\/Other, whose tokens the API's authorizer does not accept/);
    expect(() => budgets.addClientBudget(globex, { perHour: 1 })).toThrow(/has a tokenBudget of its own/);
    expect(() => budgets.addTenantBudget('globex!', { perHour: 1 })).toThrow(/addTenantBudget\(tenantId\): "globex!" is invalid/);
  });

  test('the cache TTL stays within the authorizer\'s range; a second TokenBudgets on the same API is refused', () => {
    expect(() => budgeted({ budgetCacheTtl: Duration.minutes(16) })).toThrow(/budgetCacheTtl: 16 minutes is invalid: must be between 0 seconds and 15 minutes inclusive/);
    const { stack, api } = budgeted();
    expect(() => new TokenBudgets(stack, 'Again', { api })).toThrow(/one TokenBudgets per API/);
  });

  test('more budgets than fit the function\'s variables fail synthesis, saying what to do instead', () => {
    const { app, budgets } = budgeted();
    for (let i = 0; i < 60; i++) budgets.addTenantBudget(`tenant-with-a-long-identifier-${i}`, { perHour: 1000, perDay: 10000, suspendFor: Duration.hours(1) });
    expect(() => app.synth()).toThrow(/budgets: 1 client and 60 tenant budgets take about \d+ bytes, more than the 3500/);
  });
});
