/**
 * How the authorizer receives its trusted clients (lib/private/trusted-clients.ts):
 * inline while every client is in its stack and the mapping fits the Lambda
 * environment; otherwise SSM parameters in the clients' own stacks, which the
 * function alone may read. Up to Cognito's own ceiling: 1,000 tenants over
 * several stacks behind one API and one authorizer.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { M2mUserPool, ScopedRestApi, TenantAppClient } from '../../lib';
import { parseDirectoryParameters, parseMapping } from '../../lib/private/contracts/client-directory';
import { DIRECTORY_PARAMETER_MAX_CHARS, INLINE_BUDGET_CHARS } from '../../lib/private/directory-budget';
import { mockIntegration, poolStack } from '../fixtures';
import { clientsOf, directoryParameters, render } from '../support/client-directory';

const ENV = { account: '111111111111', region: 'us-east-1' };

function authorizerFunction(t: Template): { Environment: { Variables: Record<string, unknown> }; Role: unknown } {
  const fns = Object.values(t.findResources('AWS::Lambda::Function', { Properties: { Description: 'Verifies Cognito M2M access tokens and allows the methods their scopes reach' } }));
  expect(fns).toHaveLength(1);
  return fns[0].Properties;
}

describe('inline', () => {
  test('clients in the authorizer\'s stack that fit: CLIENT_TENANTS holds exactly them, and there is no directory', () => {
    const { stack, pool, orders } = poolStack();
    pool.addTenant('globex', { scopes: [orders.scope('read')] });
    pool.addTenant('initech', { scopes: [orders.scope('read')] });
    const api = new ScopedRestApi(stack, 'Api', { userPool: pool });
    api.addScopedMethod(api.root, 'GET', mockIntegration(), { scopes: [orders.scope('read')] });
    const t = Template.fromStack(stack);
    const vars = authorizerFunction(t).Environment.Variables;
    expect(vars.CLIENT_TENANTS_PATH).toBeUndefined();
    expect(vars.CLIENT_TENANTS_PARAMETERS).toBeUndefined();
    expect(parseMapping(render(vars.CLIENT_TENANTS), 'CLIENT_TENANTS')).toEqual(clientsOf(t));
    expect(clientsOf(t).size).toBe(2);
    t.resourceCountIs('AWS::SSM::Parameter', 0);
    expect(JSON.stringify(t.findResources('AWS::IAM::Policy'))).not.toContain('ssm:');
  });
});

describe('directory', () => {
  test('120 tenants do not fit the environment: SSM parameters of at most 4,096 characters, readable by the function only', () => {
    const { stack, pool, orders } = poolStack();
    for (let i = 0; i < 120; i++) pool.addTenant(`tenant-number-${i}`, { scopes: [orders.scope('read')] });
    const api = new ScopedRestApi(stack, 'Api', { userPool: pool });
    api.addScopedMethod(api.root, 'GET', mockIntegration(), { scopes: [orders.scope('read')] });
    const t = Template.fromStack(stack);
    const vars = authorizerFunction(t).Environment.Variables;
    expect(vars.CLIENT_TENANTS).toBeUndefined();
    const path = vars.CLIENT_TENANTS_PATH as string;
    expect(path).toMatch(/^\/cdk-cognito-m2m\/clients\/[A-Za-z0-9_.-]+\/$/);

    const params = directoryParameters(t);
    expect(params.size).toBeGreaterThan(1);
    const merged = new Map<string, string>();
    for (const [name, value] of params) {
      expect(name.startsWith(path)).toBe(true);
      expect(name.slice(path.length)).not.toContain('/'); // directly under the path: GetParametersByPath, not recursive
      expect(value.length).toBeLessThanOrEqual(DIRECTORY_PARAMETER_MAX_CHARS);
      parseMapping(value, name, merged);
    }
    expect(merged).toEqual(clientsOf(t));
    expect(merged.size).toBe(120);
    for (const r of Object.values(t.findResources('AWS::SSM::Parameter'))) expect(r.Properties).toMatchObject({ Type: 'String', Tier: 'Standard' });

    // The statements about SSM: GetParametersByPath on exactly that path, GetParameters under it.
    const statements = [...Object.values(t.findResources('AWS::IAM::Policy')), ...Object.values(t.findResources('AWS::IAM::ManagedPolicy'))]
      .flatMap((p) => p.Properties.PolicyDocument.Statement as any[]);
    const ssmStatements = statements.filter((s) => JSON.stringify(s.Action).includes('ssm:'));
    expect(ssmStatements).toEqual([{
      Sid: 'ReadClientDirectory',
      Action: 'ssm:GetParametersByPath',
      Effect: 'Allow',
      Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:ssm:us-east-1:111111111111:parameter${path.slice(0, -1)}`]] },
    }, {
      // The first load reads the parameters it was given by name: only under that path.
      Sid: 'ReadClientDirectoryParameters',
      Effect: 'Allow',
      Action: 'ssm:GetParameters',
      Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:ssm:us-east-1:111111111111:parameter${path}*`]] },
    }]);
  });

  test('1,000 tenants over five stacks behind one API and one authorizer: every stack under 500 resources, each tenant listed once, in its own stack, with no export per client', () => {
    const app = new App();
    const poolStackOf = new Stack(app, 'Identity', { env: ENV });
    const pool = new M2mUserPool(poolStackOf, 'Pool', { domainPrefix: 'acme-scale' });
    const orders = pool.addResourceServer('Orders', { identifier: 'https://api.acme.example/orders', scopes: [{ name: 'read', description: 'Read' }] });
    const tenantStacks = Array.from({ length: 5 }, (_, s) => new Stack(app, `Tenants${s}`, { env: ENV }));
    for (let i = 0; i < 1000; i++) {
      new TenantAppClient(tenantStacks[i % 5], `Tenant${i}`, { userPool: pool, tenantId: `tenant-${i}`, scopes: [orders.scope('read')] });
    }
    const apiStack = new Stack(app, 'Api', { env: ENV });
    const api = new ScopedRestApi(apiStack, 'Api', { userPool: pool });
    api.addScopedMethod(api.root.addResource('orders'), 'GET', mockIntegration(), { scopes: [orders.scope('read')] });

    const path = authorizerFunction(Template.fromStack(apiStack)).Environment.Variables.CLIENT_TENANTS_PATH as string;
    const all = new Map<string, string>();
    for (const stack of [poolStackOf, apiStack, ...tenantStacks]) {
      const t = Template.fromStack(stack);
      const count = Object.keys(t.toJSON().Resources).length;
      expect({ stack: stack.stackName, under500: count < 500 }).toEqual({ stack: stack.stackName, under500: true });
      if (!tenantStacks.includes(stack)) continue;
      // The stack's clients, and only they, are in the stack's parameters.
      const own = new Map<string, string>();
      for (const [name, value] of directoryParameters(t)) {
        expect(name.startsWith(path)).toBe(true);
        expect(value.length).toBeLessThanOrEqual(DIRECTORY_PARAMETER_MAX_CHARS);
        parseMapping(value, name, own);
      }
      expect(own).toEqual(clientsOf(t));
      expect(own.size).toBe(200);
      for (const [c, tenant] of own) all.set(c, tenant);
      // Nothing in a tenant stack is exported for the authorizer.
      expect(t.toJSON().Outputs ?? {}).toEqual({});
    }
    expect(all.size).toBe(1000);
    expect(new Set(all.values()).size).toBe(1000);
  });

  test('a tenant removed from the app is gone from the directory; one added appears', () => {
    function mapping(tenants: string[]): Set<string> {
      const { stack, pool, orders } = poolStack();
      for (const id of tenants) pool.addTenant(id, { scopes: [orders.scope('read')] });
      const api = new ScopedRestApi(stack, 'Api', { userPool: pool });
      api.addScopedMethod(api.root, 'GET', mockIntegration(), { scopes: [orders.scope('read')] });
      const merged = new Map<string, string>();
      for (const [name, value] of directoryParameters(Template.fromStack(stack))) parseMapping(value, name, merged);
      return new Set(merged.values());
    }
    const many = Array.from({ length: 150 }, (_, i) => `tenant-number-${i}`);
    expect(mapping(many).has('tenant-number-77')).toBe(true);
    const without = mapping(many.filter((t) => t !== 'tenant-number-77').concat('newcomer'));
    expect(without.has('tenant-number-77')).toBe(false);
    expect(without.has('newcomer')).toBe(true);
    expect(without.size).toBe(150);
  });

  test('a trusted client in another account is refused: the authorizer reads SSM in its own account', () => {
    const app = new App();
    const { pool, orders } = (() => {
      const s = new Stack(app, 'Identity', { env: ENV });
      const p = new M2mUserPool(s, 'Pool', { domainPrefix: 'acme-x' });
      return { pool: p, orders: p.addResourceServer('Orders', { identifier: 'https://api.acme.example/orders', scopes: [{ name: 'read', description: 'Read' }] }) };
    })();
    new TenantAppClient(new Stack(app, 'Elsewhere', { env: { account: '222222222222', region: 'us-east-1' } }), 'T', {
      userPool: pool, tenantId: 'far', scopes: [orders.scope('read')],
    });
    const apiStack = new Stack(app, 'Api', { env: ENV });
    const api = new ScopedRestApi(apiStack, 'Api', { userPool: pool });
    api.addScopedMethod(api.root, 'GET', mockIntegration(), { scopes: [orders.scope('read')] });
    expect(() => app.synth()).toThrow('[Api/Api/TenantAuthorizer] trusted clients: "Elsewhere/T" is invalid: the client is in account 222222222222 and the authorizer in 111111111111');
  });
});

describe('a directory only the library writes', () => {
  test('the function receives the exact names of the parameters created, in every stack (CLIENT_TENANTS_PARAMETERS), and nothing more', () => {
    // GIVEN 1,000 tenants over five stacks (about 90 per parameter, so several parameters per stack), the API in a sixth
    const app = new App();
    const identity = new Stack(app, 'Identity', { env: ENV });
    const pool = new M2mUserPool(identity, 'Pool', { domainPrefix: 'acme-names' });
    const orders = pool.addResourceServer('Orders', { identifier: 'https://api.acme.example/orders', scopes: [{ name: 'read', description: 'Read' }] });
    const tenantStacks = Array.from({ length: 5 }, (_, s) => new Stack(app, `Tenants${s}`, { env: ENV }));
    for (let i = 0; i < 1000; i++) new TenantAppClient(tenantStacks[i % 5], `Tenant${i}`, { userPool: pool, tenantId: `tenant-${i}`, scopes: [orders.scope('read')] });
    const apiStack = new Stack(app, 'Api', { env: ENV });
    const api = new ScopedRestApi(apiStack, 'Api', { userPool: pool });
    api.addScopedMethod(api.root, 'GET', mockIntegration(), { scopes: [orders.scope('read')] });

    // WHEN
    const vars = authorizerFunction(Template.fromStack(apiStack)).Environment.Variables;

    // THEN the names it trusts are exactly those of the SSM parameters the stacks create under its path
    const created = tenantStacks.flatMap((stack) => [...directoryParameters(Template.fromStack(stack)).keys()]);
    expect(created.length).toBeGreaterThan(5);
    const trusted = parseDirectoryParameters(vars.CLIENT_TENANTS_PARAMETERS as string, vars.CLIENT_TENANTS_PATH as string);
    expect([...trusted].sort()).toEqual(created.sort());
    // A compact list: one entry per stack, whatever the number of clients.
    expect(JSON.parse(vars.CLIENT_TENANTS_PARAMETERS as string)).toEqual(Object.fromEntries(tenantStacks.map((s) => [
      s.stackName, Object.keys(Template.fromStack(s).findResources('AWS::SSM::Parameter')).length,
    ])));
    expect((vars.CLIENT_TENANTS_PARAMETERS as string).length).toBeLessThan(100);
  });

  test('the list must fit the function\'s environment: too many stacks with long ids is a synth error that says what to do', () => {
    const app = new App();
    const identity = new Stack(app, 'Identity', { env: ENV });
    const pool = new M2mUserPool(identity, 'Pool', { domainPrefix: 'acme-long' });
    const orders = pool.addResourceServer('Orders', { identifier: 'https://api.acme.example/orders', scopes: [{ name: 'read', description: 'Read' }] });
    // Each stack adds about 4 characters plus its id: 30 stacks with 120-character ids need about 3,750.
    for (let s = 0; s < 30; s++) {
      new TenantAppClient(new Stack(app, `${'T'.repeat(118)}${String(s).padStart(2, '0')}`, { env: ENV }), 'Client', { userPool: pool, tenantId: `t${s}`, scopes: [orders.scope('read')] });
    }
    const apiStack = new Stack(app, 'Api', { env: ENV });
    const api = new ScopedRestApi(apiStack, 'Api', { userPool: pool });
    api.addScopedMethod(api.root, 'GET', mockIntegration(), { scopes: [orders.scope('read')] });
    expect(() => app.synth()).toThrow(new RegExp(
      '^\\[Api/Api/TenantAuthorizer\\] trusted clients: "30 stacks" is invalid: the list of the authorizer\'s directory parameters \\(3751 characters, '
      + `about 4 plus the stack's id per stack holding clients\\) must fit ${INLINE_BUDGET_CHARS} characters of the function's environment`));
  });
});

describe('stack ceiling', () => {
  test('more than 500 resources in a stack of tenants is a synth error that says what to do', () => {
    const { app, pool, orders } = poolStack();
    const crowded = new Stack(app, 'Crowded', { env: ENV });
    for (let i = 0; i < 251; i++) new TenantAppClient(crowded, `T${i}`, { userPool: pool, tenantId: `t${i}`, scopes: [orders.scope('read')] });
    expect(() => app.synth()).toThrow(/stack Crowded holds 502 resources and CloudFormation allows 500; 251 of them are app clients .*put tenants in stacks of their own/);
  });
});

describe('app-client quota', () => {
  test('the 1,001st TenantAppClient of a pool is a synth error that says what to do', () => {
    const { pool, orders } = poolStack();
    for (let i = 0; i < 1000; i++) pool.addTenant(`t${i}`, { scopes: [orders.scope('read')] });
    expect(() => pool.addTenant('t1000', { scopes: [orders.scope('read')] })).toThrow(
      'app clients in the user pool: 1001 is invalid: a user pool holds at most 1000 app clients (the quota set by appClientQuota; '
      + 'Amazon Cognito\'s default is 1000, raisable to 10000 in Service Quotas): raise the quota and set appClientQuota, or keep further tenants in a second M2mUserPool');
  });

  test('appClientQuota raises the ceiling, up to Cognito\'s 10,000; other values are refused', () => {
    const app = new App();
    const stack = new Stack(app, 'S');
    const pool = new M2mUserPool(stack, 'Pool', { domainPrefix: 'acme-q', appClientQuota: 2 });
    const orders = pool.addResourceServer('Orders', { identifier: 'https://api.acme.example/orders', scopes: [{ name: 'read', description: 'Read' }] });
    pool.addTenant('a', { scopes: [orders.scope('read')] });
    pool.addTenant('b', { scopes: [orders.scope('read')] });
    expect(() => pool.addTenant('c', { scopes: [orders.scope('read')] })).toThrow('a user pool holds at most 2 app clients');
    for (const bad of [0, 10_001, 1.5]) {
      expect(() => new M2mUserPool(stack, `Bad${bad}`, { domainPrefix: 'acme-bad', appClientQuota: bad }))
        .toThrow(`appClientQuota: ${bad} is invalid: must be a whole number from 1 to 10000 (Amazon Cognito's highest app-client quota)`);
    }
  });
});
