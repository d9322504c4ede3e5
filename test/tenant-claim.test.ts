/**
 * TenantClaim (lib/tenant-claim.ts): the pool's pre-token-generation trigger
 * (V3_0), its function reading the client directory (always SSM: the pool
 * refers to the function, so the function may not refer to client ids) and
 * nothing else, with tenants in the pool's stack and in others; and a clear
 * synth error for every bad prop.
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { mockIntegration, poolStack } from './fixtures';
import { clientsOf, directoryParameters } from './support/client-directory';
import { awsSolutionsFindings } from '../bin/nag';
import { M2mUserPool, ScopedRestApi, TenantAppClient, TenantClaim, TenantRegistry } from '../lib';
import { parseDirectoryParameters, parseMapping } from '../lib/private/contracts/client-directory';
import { newestNodeRuntime } from '../lib/private/node-runtime';

const ENV = { account: '111111111111', region: 'us-east-1' };
const DESCRIPTION = 'Adds the calling app client\'s tenant to Cognito client-credentials access tokens';

function triggerFunction(t: Template): { id: string; props: { Environment: { Variables: Record<string, unknown> }; Role: { 'Fn::GetAtt': [string, string] } } } {
  const fns = Object.entries(t.findResources('AWS::Lambda::Function', { Properties: { Description: DESCRIPTION } }));
  expect(fns).toHaveLength(1);
  return { id: fns[0][0], props: fns[0][1].Properties };
}

/** Every statement of the trigger role's policies. */
/** Every statement of the role's policies: the library's roles hold customer-managed policies only. */
function statements(t: Template, roleId: string): { Action: string | string[]; Resource: unknown; Sid?: string }[] {
  const resources = t.toJSON().Resources;
  const arns: Array<{ Ref: string }> = resources[roleId].Properties.ManagedPolicyArns ?? [];
  return arns.flatMap((arn) => resources[arn.Ref].Properties.PolicyDocument.Statement);
}

describe('the trigger', () => {
  test('is the pool\'s pre-token-generation trigger, event version V3_0, invocable by this pool only', () => {
    // GIVEN
    const { stack, pool, orders } = poolStack();
    pool.addTenant('globex', { scopes: [orders.scope('read')] });
    // WHEN
    const claim = new TenantClaim(stack, 'TenantClaim', { userPool: pool });
    // THEN
    const t = Template.fromStack(stack);
    const { id } = triggerFunction(t);
    expect(id).toBe(stack.getLogicalId(claim.triggerFunction.node.defaultChild as lambda.CfnFunction));
    expect(id).toMatch(/^TenantClaimFunction[0-9A-F]{8}$/);
    t.hasResourceProperties('AWS::Cognito::UserPool', {
      UserPoolTier: 'ESSENTIALS',
      LambdaConfig: { PreTokenGenerationConfig: { LambdaArn: { 'Fn::GetAtt': [id, 'Arn'] }, LambdaVersion: 'V3_0' } },
    });
    const permissions = Object.values(t.findResources('AWS::Lambda::Permission', { Properties: { FunctionName: { 'Fn::GetAtt': [id, 'Arn'] } } }));
    expect(permissions.map((p) => p.Properties)).toEqual([{
      Action: 'lambda:InvokeFunction',
      FunctionName: { 'Fn::GetAtt': [id, 'Arn'] },
      Principal: 'cognito-idp.amazonaws.com',
      SourceArn: { 'Fn::GetAtt': [stack.getLogicalId(pool.node.findChild('Resource').node.defaultChild as any), 'Arn'] },
    }]);
  });

  test('runs as every function of the library: the newest Node.js runtime aws-cdk-lib knows, on arm64, 5 s (Cognito waits 5 s), logs kept as asked', () => {
    const { stack, pool } = poolStack();
    new TenantClaim(stack, 'TenantClaim', { userPool: pool, logRetention: logs.RetentionDays.THREE_MONTHS });
    const t = Template.fromStack(stack);
    expect(triggerFunction(t).props).toMatchObject({ Runtime: newestNodeRuntime().name, Architectures: ['arm64'], Timeout: 5, Handler: 'index.handler' });
    t.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
  });

  test('environment: the claim name, whether unknown clients are refused, the directory path and its parameters, never the client ids', () => {
    const { stack, pool, orders } = poolStack();
    pool.addTenant('globex', { scopes: [orders.scope('read')] });
    new TenantClaim(stack, 'TenantClaim', { userPool: pool, claimName: 'https://acme.example/tenant', denyUnknownClients: true });
    const vars = triggerFunction(Template.fromStack(stack)).props.Environment.Variables;
    expect(vars).toEqual({
      TENANT_CLAIM_NAME: 'https://acme.example/tenant',
      DENY_UNKNOWN_CLIENTS: 'true',
      CLIENT_TENANTS_PATH: expect.stringMatching(/^\/cdk-cognito-m2m\/clients\/TestTenantClaim[A-Za-z0-9]+\/$/),
      // The parameters the library created: one in the stack Test.
      CLIENT_TENANTS_PARAMETERS: '{"Test":1}',
    });
  });

  test('defaults: the tenant_id claim, and unknown clients get tokens without it', () => {
    const { stack, pool } = poolStack();
    const claim = new TenantClaim(stack, 'TenantClaim', { userPool: pool });
    expect(claim.claimName).toBe('tenant_id');
    expect(triggerFunction(Template.fromStack(stack)).props.Environment.Variables).toMatchObject({ TENANT_CLAIM_NAME: 'tenant_id', DENY_UNKNOWN_CLIENTS: 'false' });
  });
});

describe('the client directory', () => {
  test('tenants in the pool\'s stack go to SSM, not inline (the pool refers to the function), and the directory holds exactly them', () => {
    const { stack, pool, orders } = poolStack();
    pool.addTenant('globex', { scopes: [orders.scope('read')] });
    pool.addTenant('initech', { scopes: [orders.scope('read')] });
    new TenantClaim(stack, 'TenantClaim', { userPool: pool });
    const t = Template.fromStack(stack);
    const vars = triggerFunction(t).props.Environment.Variables;
    expect(vars.CLIENT_TENANTS).toBeUndefined();
    const params = directoryParameters(t);
    expect([...params.keys()]).toEqual([`${vars.CLIENT_TENANTS_PATH}Test-0`]);
    expect(parseMapping([...params.values()][0], 'directory')).toEqual(clientsOf(t));
    expect(clientsOf(t).size).toBe(2);
    t.hasResourceProperties('AWS::SSM::Parameter', {
      Type: 'String',
      Tier: 'Standard',
      Description: Match.stringLikeRegexp('^cdk-cognito-m2m: trusted app clients and their tenants for the pre-token-generation trigger Test/TenantClaim'),
    });
  });

  test('tenants declared after the TenantClaim are in the directory too', () => {
    const { stack, pool, orders } = poolStack();
    new TenantClaim(stack, 'TenantClaim', { userPool: pool });
    pool.addTenant('latecomer', { scopes: [orders.scope('read')] });
    const t = Template.fromStack(stack);
    expect(new Set(parseMapping([...directoryParameters(t).values()][0], 'directory').values())).toEqual(new Set(['latecomer']));
  });

  test('the function may list its directory path and read the parameters under it, and nothing else of SSM or DynamoDB', () => {
    const { stack, pool, orders } = poolStack();
    pool.addTenant('globex', { scopes: [orders.scope('read')] });
    new TenantClaim(stack, 'TenantClaim', { userPool: pool });
    const t = Template.fromStack(stack);
    const { props } = triggerFunction(t);
    const path = props.Environment.Variables.CLIENT_TENANTS_PATH as string;
    const all = statements(t, props.Role['Fn::GetAtt'][0]);
    const ssm = all.filter((s) => JSON.stringify(s.Action).includes('ssm:'));
    expect(ssm).toEqual([{
      Sid: 'ReadClientDirectory',
      Effect: 'Allow',
      Action: 'ssm:GetParametersByPath',
      Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:ssm:us-east-1:111111111111:parameter${path.slice(0, -1)}`]] },
    }, {
      // The first load reads the parameters it was given by name: only under that path.
      Sid: 'ReadClientDirectoryParameters',
      Effect: 'Allow',
      Action: 'ssm:GetParameters',
      Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:ssm:us-east-1:111111111111:parameter${path}*`]] },
    }]);
    expect(JSON.stringify(all)).not.toContain('dynamodb:');
    expect(JSON.stringify(all)).not.toContain('kms:');
  });

  test('a pool with tenants in its own stack and in a second stack synthesizes without a circular dependency; each stack lists its own clients', () => {
    // GIVEN the pool, a tenant and the trigger in one stack, more tenants in another (which depends on the pool)
    const app = new App();
    const identity = new Stack(app, 'Identity', { env: ENV });
    const pool = new M2mUserPool(identity, 'Pool', { domainPrefix: 'acme-m2m' });
    const orders = pool.addResourceServer('Orders', { identifier: 'https://api.acme.example/orders', scopes: [{ name: 'read', description: 'Read' }] });
    pool.addTenant('globex', { scopes: [orders.scope('read')] });
    new TenantClaim(identity, 'TenantClaim', { userPool: pool });
    const tenants = new Stack(app, 'Tenants0', { env: ENV });
    new TenantAppClient(tenants, 'initech', { userPool: pool, tenantId: 'initech', scopes: [orders.scope('read')] });
    new TenantAppClient(tenants, 'hooli', { userPool: pool, tenantId: 'hooli', scopes: [orders.scope('read')] });
    // And an API with the tenant-aware authorizer in the identity stack too.
    const api = new ScopedRestApi(identity, 'Api', { userPool: pool });
    api.addScopedMethod(api.root, 'GET', mockIntegration(), { scopes: [orders.scope('read')] });

    // WHEN
    const assembly = app.synth();

    // THEN the identity stack does not depend on the tenants' stack
    expect(assembly.getStackByName('Identity').dependencies.map((d) => d.id)).not.toContain('Tenants0');
    expect(assembly.getStackByName('Tenants0').dependencies.map((d) => d.id)).toContain('Identity');
    const identityT = Template.fromStack(identity);
    const tenantsT = Template.fromStack(tenants);
    const path = triggerFunction(identityT).props.Environment.Variables.CLIENT_TENANTS_PATH as string;
    const inStack = (t: Template) => new Map([...directoryParameters(t)].filter(([name]) => name.startsWith(path)));
    expect([...inStack(identityT).keys()]).toEqual([`${path}Identity-0`]);
    expect([...inStack(tenantsT).keys()]).toEqual([`${path}Tenants0-0`]);
    expect(parseMapping([...inStack(identityT).values()][0], 'identity')).toEqual(clientsOf(identityT));
    expect(parseMapping([...inStack(tenantsT).values()][0], 'tenants')).toEqual(clientsOf(tenantsT));
    expect(clientsOf(tenantsT).size).toBe(2);
    // The function trusts exactly the parameters created in both stacks, though it does not depend on the second.
    const trusted = parseDirectoryParameters(triggerFunction(identityT).props.Environment.Variables.CLIENT_TENANTS_PARAMETERS as string, path);
    expect(trusted).toEqual(new Set([...inStack(identityT).keys(), ...inStack(tenantsT).keys()]));
  });

  test('the authorizer\'s own wiring is unchanged by a TenantClaim: still inline while its clients fit', () => {
    const build = (withClaim: boolean) => {
      const { stack, pool, orders } = poolStack();
      pool.addTenant('globex', { scopes: [orders.scope('read')] });
      const api = new ScopedRestApi(stack, 'Api', { userPool: pool });
      api.addScopedMethod(api.root, 'GET', mockIntegration(), { scopes: [orders.scope('read')] });
      if (withClaim) new TenantClaim(stack, 'TenantClaim', { userPool: pool });
      const t = Template.fromStack(stack);
      return Object.values(t.findResources('AWS::Lambda::Function'))
        .filter((f) => f.Properties.Description !== DESCRIPTION && f.Properties.Environment?.Variables?.USER_POOL_ID)
        .map((f) => f.Properties.Environment.Variables);
    };
    const [withClaim] = build(true);
    // Inline: the mapping itself, globex's client id (a reference) to its tenant.
    expect(JSON.stringify(withClaim.CLIENT_TENANTS)).toContain(':\\"globex\\"');
    expect(withClaim).toEqual(build(false)[0]);
  });
});

describe('outage back-off and the untrusted-parameters metric', () => {
  test('outageBackoff reaches the function in milliseconds; without it the handler\'s default (5 s) applies', () => {
    const build = (outageBackoff?: Duration) => {
      const { stack, pool } = poolStack();
      new TenantClaim(stack, 'TenantClaim', { userPool: pool, outageBackoff });
      return triggerFunction(Template.fromStack(stack)).props.Environment.Variables.OUTAGE_BACKOFF_MS;
    };
    expect(build(Duration.millis(1500))).toBe('1500');
    expect(build(Duration.seconds(0))).toBe('0');
    expect(build()).toBeUndefined();
  });

  test('metricUntrustedDirectoryParameters: the count the trigger writes, under its function\'s name', () => {
    const { stack, pool } = poolStack();
    const claim = new TenantClaim(stack, 'TenantClaim', { userPool: pool });
    const m = claim.metricUntrustedDirectoryParameters();
    expect({ namespace: m.namespace, metricName: m.metricName, statistic: m.statistic, period: m.period.toSeconds(), label: m.label })
      .toEqual({ namespace: 'CdkCognitoM2m', metricName: 'UntrustedDirectoryParameters', statistic: 'Sum', period: 300, label: 'Untrusted directory parameters' });
    expect(stack.resolve(m.dimensions)).toEqual({ functionName: { Ref: triggerFunction(Template.fromStack(stack)).id } });
    expect(claim.metricUntrustedDirectoryParameters({ period: Duration.minutes(1) }).period.toSeconds()).toBe(60);
  });

  test('any untrusted parameter raises an alarm among the pool\'s security alarms, notifying its topic', () => {
    const { stack, pool } = poolStack();
    const claim = new TenantClaim(stack, 'TenantClaim', { userPool: pool });
    const t = Template.fromStack(stack);
    const [[, alarm]] = Object.entries(t.findResources('AWS::CloudWatch::Alarm')).filter(([id]) => id.startsWith('TenantClaimUntrustedDirectoryAlarm'));
    expect(alarm.Properties).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'notBreaching' });
    expect(alarm.Properties.Metrics[0].MetricStat).toMatchObject({ Metric: { MetricName: 'UntrustedDirectoryParameters' }, Stat: 'Maximum' });
    expect(alarm.Properties.AlarmActions).toEqual([{ Ref: expect.stringMatching(/^PoolSecurityAlarmsTopic/) }]);
    expect(pool.securityAlarms).toContain(claim.untrustedDirectoryAlarm);
  });
});

describe('the tenant registry', () => {
  test('its table name and cache TTL reach the function, which may only look items up (and decrypt them)', () => {
    const { stack, pool } = poolStack();
    const registry = new TenantRegistry(stack, 'Registry');
    new TenantClaim(stack, 'TenantClaim', { userPool: pool, registry, registryCacheTtl: Duration.seconds(10) });
    const t = Template.fromStack(stack);
    const { props } = triggerFunction(t);
    const tableId = stack.getLogicalId(registry.table.node.defaultChild as any);
    expect(props.Environment.Variables).toMatchObject({ TABLE_NAME: { Ref: tableId }, REGISTRY_CACHE_TTL_SECONDS: '10' });
    const all = statements(t, props.Role['Fn::GetAtt'][0]);
    expect(all.filter((s) => JSON.stringify(s.Action).includes('dynamodb:'))).toEqual([
      { Effect: 'Allow', Action: ['dynamodb:GetItem', 'dynamodb:BatchGetItem'], Resource: { 'Fn::GetAtt': [tableId, 'Arn'] } },
    ]);
    expect(all.filter((s) => JSON.stringify(s.Action).includes('kms:')).map((s) => s.Action)).toEqual(['kms:Decrypt']);
  });

  test('the registry cache TTL defaults to 30 seconds', () => {
    const { stack, pool } = poolStack();
    new TenantClaim(stack, 'TenantClaim', { userPool: pool, registry: new TenantRegistry(stack, 'Registry') });
    expect(triggerFunction(Template.fromStack(stack)).props.Environment.Variables.REGISTRY_CACHE_TTL_SECONDS).toBe('30');
  });
});

describe('bad props are synth errors naming the prop, the value and the rule', () => {
  test('an imported pool', () => {
    const app = new App();
    const stack = new Stack(app, 'Test', { env: ENV });
    const pool = M2mUserPool.fromUserPoolAttributes(stack, 'Imported', { userPoolId: 'us-east-1_AbCdEf123', domainPrefix: 'acme-m2m' });
    expect(() => new TenantClaim(stack, 'TenantClaim', { userPool: pool }))
      .toThrow('[Test/TenantClaim] userPool: "Test/Imported" is invalid: must be a pool this app creates (new M2mUserPool)');
  });

  test('a pool in another stack', () => {
    const { app, pool } = poolStack();
    const other = new Stack(app, 'Other', { env: ENV });
    expect(() => new TenantClaim(other, 'TenantClaim', { userPool: pool }))
      .toThrow('[Other/TenantClaim] userPool: "Test/Pool" is invalid: must be in the TenantClaim\'s stack (Other), not Test: the pool and its trigger function refer to each other');
  });

  test('a second pre-token-generation trigger on the pool', () => {
    const { stack, pool } = poolStack();
    new TenantClaim(stack, 'TenantClaim', { userPool: pool });
    expect(() => new TenantClaim(stack, 'Again', { userPool: pool }))
      .toThrow(/^\[Test\/Again\] userPool: "Test\/Pool" is invalid: already has a pre-token-generation trigger/);
  });

  test.each([
    ['client_id', 'must not be a claim Cognito sets or the authorizer reads'],
    ['scope', 'must not be a claim Cognito sets or the authorizer reads'],
    ['cognito:groups', 'must not be a claim Cognito sets or the authorizer reads'],
    ['tenant id', 'must be 1-128 letters, digits, _ . : / or -, starting with a letter'],
    ['', 'must be 1-128 letters, digits, _ . : / or -, starting with a letter'],
    ['t'.repeat(129), 'must be 1-128 letters, digits, _ . : / or -, starting with a letter'],
  ])('claimName %j', (claimName, rule) => {
    const { stack, pool } = poolStack();
    expect(() => new TenantClaim(stack, 'TenantClaim', { userPool: pool, claimName }))
      .toThrow(`[Test/TenantClaim] claimName: ${JSON.stringify(claimName.length > 80 ? `${claimName.slice(0, 77)}...` : claimName)} is invalid: ${rule}`);
  });

  test('registryCacheTtl over 15 minutes', () => {
    const { stack, pool } = poolStack();
    const registry = new TenantRegistry(stack, 'Registry');
    expect(() => new TenantClaim(stack, 'TenantClaim', { userPool: pool, registry, registryCacheTtl: Duration.minutes(16) }))
      .toThrow('[Test/TenantClaim] registryCacheTtl: 16 minutes is invalid: must be between 0 seconds and 15 minutes inclusive');
  });

  test.each([
    [Duration.seconds(61), '1 minute 1 second is invalid: must be between 0 seconds and 1 minute inclusive'],
    [Duration.minutes(5), '5 minutes is invalid: must be between 0 seconds and 1 minute inclusive'],
  ])('outageBackoff %s', (outageBackoff, message) => {
    const { stack, pool } = poolStack();
    expect(() => new TenantClaim(stack, 'TenantClaim', { userPool: pool, outageBackoff })).toThrow(`[Test/TenantClaim] outageBackoff: ${message}`);
  });

  test('registryCacheTtl without a registry', () => {
    const { stack, pool } = poolStack();
    expect(() => new TenantClaim(stack, 'TenantClaim', { userPool: pool, registryCacheTtl: Duration.seconds(10) }))
      .toThrow('[Test/TenantClaim] registryCacheTtl: 10 seconds is invalid: applies to a tenant registry: set registry too, or leave registryCacheTtl out');
  });
});

test('cdk-nag AwsSolutions has no unacknowledged error', () => {
  const { app, stack, pool, orders } = poolStack();
  pool.addTenant('globex', { scopes: [orders.scope('read')] });
  new TenantClaim(stack, 'TenantClaim', { userPool: pool, registry: new TenantRegistry(stack, 'Registry') });
  app.synth();
  expect(awsSolutionsFindings(app).filter((f) => f.severity === 'error')).toEqual([]);
});
