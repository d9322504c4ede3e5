/**
 * The client directory in SSM (lambda/authorizer/directory.ts): loaded on the
 * first request, shared by concurrent ones, refreshed in the background,
 * unknown clients rate-limited, outages fail closed, removed clients dropped.
 * And the whole path: the parameters a 1,000-tenant app synthesizes admit
 * exactly its clients, each with its tenant.
 */
import { GetParametersByPathCommand, SSMClient } from '@aws-sdk/client-ssm';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { mockClient } from 'aws-sdk-client-mock';
import { claims, makeAuthorizer, makeKey, jwksOf, outcome, sign, tokenEvent } from './helpers';
import { configFromEnv } from '../../../lambda/authorizer/config';
import {
  checkDirectoryPath, createParameterDirectoryLoader, DirectoryParameter, DirectoryTenantResolver, mergeDirectory,
} from '../../../lambda/authorizer/directory';
import { AuthorizerError, ConfigError } from '../../../lambda/authorizer/errors';
import { M2mUserPool, ScopedRestApi, TenantAppClient } from '../../../lib';
import { mockIntegration } from '../../fixtures';
import { clientsOf, directoryParameters } from '../../support/client-directory';

const PATH = '/cdk-cognito-m2m/clients/ApiTenantAuthorizerAB12CD34/';
const param = (name: string, map: Record<string, string>): DirectoryParameter => ({ name: `${PATH}${name}`, value: JSON.stringify(map) });

/** A loader whose answers the test controls; counts calls. */
function controlledLoader() {
  let answer: () => Promise<DirectoryParameter[]> = async () => [param('S-0', { clientA: 'alpha' })];
  const loader = Object.assign(async () => { loader.calls++; return answer(); }, { calls: 0 });
  return { loader, set: (f: () => Promise<DirectoryParameter[]>) => { answer = f; } };
}

describe('DirectoryTenantResolver', () => {
  test('the first request loads; concurrent requests share that load; known clients then resolve without waiting', async () => {
    const { loader } = controlledLoader();
    const r = new DirectoryTenantResolver({ load: loader });
    expect(r.size).toBe(0);
    const [a, b] = await Promise.all([r.resolve('clientA'), r.resolve('clientA')]);
    expect([a, b, loader.calls]).toEqual(['alpha', 'alpha', 1]);
    expect(r.resolve('clientA')).toBe('alpha'); // a string, not a promise
    expect(r.declares('clientA')).toBe(true);
    expect(r.declares('clientB')).toBe(false);
  });

  test('after refreshMs the map reloads in the background: a removed client is gone, an added one appears', async () => {
    let now = 1_000_000;
    const { loader, set } = controlledLoader();
    const r = new DirectoryTenantResolver({ load: loader, refreshMs: 60_000, now: () => now });
    await r.resolve('clientA');
    set(async () => [param('S-0', { clientB: 'beta' })]);
    now += 59_999;
    expect(r.resolve('clientA')).toBe('alpha');
    expect(loader.calls).toBe(1);
    now += 1;
    expect(r.resolve('clientA')).toBe('alpha'); // answered from the current map while the reload runs
    expect(loader.calls).toBe(2);
    await new Promise((res) => setImmediate(res));
    expect(r.resolve('clientB')).toBe('beta');
    expect(r.resolve('clientA')).toBeUndefined(); // within unknownRetryMs of the reload: no new load
    expect(loader.calls).toBe(2);
    // A verified token of a client is re-resolved at the next refresh.
    expect(r.recheckAt('clientB', now)).toBe(now + 60_000);
  });

  test('an unknown client reloads at most once per unknownRetryMs (made-up ids cannot hammer SSM)', async () => {
    let now = 0;
    const { loader, set } = controlledLoader();
    const r = new DirectoryTenantResolver({ load: loader, unknownRetryMs: 30_000, now: () => now });
    await r.resolve('clientA');
    now = 30_000;
    set(async () => [param('S-0', { clientA: 'alpha', late: 'lately' })]);
    expect(await r.resolve('late')).toBe('lately');
    for (let i = 0; i < 50; i++) expect(await r.resolve(`made-up-${i}`)).toBeUndefined();
    expect(loader.calls).toBe(2);
    now = 60_000;
    expect(await r.resolve('made-up-x')).toBeUndefined();
    expect(loader.calls).toBe(3);
  });

  test('no map yet and SSM down: tenants_unavailable with the client id; the failure is not cached', async () => {
    const { loader, set } = controlledLoader();
    set(async () => { throw new Error('ThrottlingException'); });
    const r = new DirectoryTenantResolver({ load: loader });
    const err = await Promise.resolve(r.resolve('clientA')).catch((e: AuthorizerError) => e);
    expect(err).toBeInstanceOf(AuthorizerError);
    expect([(err as AuthorizerError).reason, (err as AuthorizerError).clientId]).toEqual(['tenants_unavailable', 'clientA']);
    set(async () => [param('S-0', { clientA: 'alpha' })]);
    expect(await r.resolve('clientA')).toBe('alpha');
    expect(loader.calls).toBe(2);
  });

  test('SSM down later: the map keeps serving until maxStaleMs, then every request is denied until a load succeeds', async () => {
    let now = 0;
    const { loader, set } = controlledLoader();
    const r = new DirectoryTenantResolver({ load: loader, refreshMs: 60_000, maxStaleMs: 600_000, now: () => now });
    await r.resolve('clientA');
    set(async () => { throw new Error('down'); });
    now = 300_000;
    expect(r.resolve('clientA')).toBe('alpha');
    await new Promise((res) => setImmediate(res));
    now = 600_000;
    await expect(Promise.resolve(r.resolve('clientA'))).rejects.toMatchObject({ reason: 'tenants_unavailable' });
  });

  test('a parameter that is not a mapping fails the whole load, naming the parameter', () => {
    expect(() => mergeDirectory([param('S-0', { a: 'x' }), { name: `${PATH}S-1`, value: '{"b":' }])).toThrow(`parameter ${PATH}S-1 is not valid JSON`);
    expect(() => mergeDirectory([param('S-0', { a: 'x' }), param('S-1', { a: 'y' })])).toThrow(`parameter ${PATH}S-1: client a is mapped to x elsewhere and to y here`);
    expect(() => mergeDirectory([param('S-0', { a: 'no spaces allowed' })])).toThrow('the tenant of a must be a tenant id');
    expect(() => mergeDirectory([{ name: `${PATH}S-0`, value: undefined }])).toThrow(`parameter ${PATH}S-0 is empty`);
  });
});

describe('through the authorizer', () => {
  test('a directory outage denies with tenants_unavailable, logged as an error naming the error class (the operator\'s business)', async () => {
    const key = makeKey();
    const tenants = new DirectoryTenantResolver({ load: async () => { throw Object.assign(new Error('rate exceeded'), { name: 'ThrottlingException' }); } });
    const { authorizer, logs } = makeAuthorizer({ jwks: jwksOf(key), config: { tenants } });
    expect(await outcome(authorizer, tokenEvent(sign(key, claims())))).toBe('Unauthorized');
    expect(logs()).toEqual([{ level: 'error', msg: 'denied', reason: 'tenants_unavailable', clientId: 'client1globex', errorName: 'ThrottlingException' }]);
  });
});

describe('createParameterDirectoryLoader', () => {
  const ssm = mockClient(SSMClient);
  afterEach(() => ssm.reset());

  test('reads every page directly under the path', async () => {
    ssm.on(GetParametersByPathCommand, { NextToken: undefined }).resolves({ Parameters: [{ Name: `${PATH}S-0`, Value: '{"a":"x"}' }], NextToken: 'p2' });
    ssm.on(GetParametersByPathCommand, { NextToken: 'p2' }).resolves({ Parameters: [{ Name: `${PATH}S-1`, Value: '{"b":"y"}' }] });
    const load = createParameterDirectoryLoader(PATH, { region: 'us-east-1', credentials: { accessKeyId: 'AKID', secretAccessKey: 's' } });
    expect(await load()).toEqual([{ name: `${PATH}S-0`, value: '{"a":"x"}' }, { name: `${PATH}S-1`, value: '{"b":"y"}' }]);
    const inputs = ssm.commandCalls(GetParametersByPathCommand).map((c) => c.args[0].input);
    expect(inputs).toEqual([
      { Path: PATH.slice(0, -1), Recursive: false, MaxResults: 10, NextToken: undefined },
      { Path: PATH.slice(0, -1), Recursive: false, MaxResults: 10, NextToken: 'p2' },
    ]);
  });
});

describe('configuration', () => {
  const base = { USER_POOL_ID: 'us-east-1_AbC123', ROUTE_TABLE_PATH: '/nonexistent/routes.json' };

  test('CLIENT_TENANTS_PATH must be a directory path of the library', () => {
    expect(checkDirectoryPath(PATH)).toBe(PATH);
    for (const bad of ['/other/path/', '/cdk-cognito-m2m/clients/', '/cdk-cognito-m2m/clients/a/b/', '/cdk-cognito-m2m/clients/x']) {
      expect(() => checkDirectoryPath(bad)).toThrow(ConfigError);
    }
  });

  test('CLIENT_TENANTS and CLIENT_TENANTS_PATH together are a configuration error', () => {
    expect(() => configFromEnv({ ...base, CLIENT_TENANTS: '{"a":"x"}', CLIENT_TENANTS_PATH: PATH }, '/tmp'))
      .toThrow('CLIENT_TENANTS and CLIENT_TENANTS_PATH are both set');
  });
});

describe('1,000 tenants end to end', () => {
  // The app the construct tests use: five tenant stacks of 200, one API stack.
  const app = new App();
  const env = { account: '111111111111', region: 'us-east-1' };
  const identity = new Stack(app, 'Identity', { env });
  const pool = new M2mUserPool(identity, 'Pool', { domainPrefix: 'acme-scale' });
  const orders = pool.addResourceServer('Orders', { identifier: 'https://api.acme.example/orders', scopes: [{ name: 'read', description: 'Read' }] });
  const tenantStacks = Array.from({ length: 5 }, (_, s) => new Stack(app, `Tenants${s}`, { env }));
  for (let i = 0; i < 1000; i++) new TenantAppClient(tenantStacks[i % 5], `Tenant${i}`, { userPool: pool, tenantId: `tenant-${i}`, scopes: [orders.scope('read')] });
  const apiStack = new Stack(app, 'Api', { env });
  const api = new ScopedRestApi(apiStack, 'Api', { userPool: pool });
  api.addScopedMethod(api.root.addResource('orders'), 'GET', mockIntegration(), { scopes: [orders.scope('read')] });

  test('the synthesized parameters admit every tenant\'s client with its tenant, and nobody else', async () => {
    const parameters: DirectoryParameter[] = tenantStacks
      .flatMap((s) => [...directoryParameters(Template.fromStack(s))].map(([name, value]) => ({ name, value })));
    // fake client id → tenant, from the templates; the client of tenant i is the one whose name is its tenant id.
    const byTenant = new Map(tenantStacks.flatMap((s) => [...clientsOf(Template.fromStack(s))].map(([c, t]) => [t, c] as const)));
    const clientOf = (i: number) => byTenant.get(`tenant-${i}`)!;
    expect(byTenant.size).toBe(1000);
    const key = makeKey();
    const tenants = new DirectoryTenantResolver({ load: async () => parameters });
    const { authorizer, logs } = makeAuthorizer({ jwks: jwksOf(key), config: { tenants } });
    for (const i of [0, 1, 499, 777, 999]) {
      const token = sign(key, claims({ client_id: clientOf(i), sub: clientOf(i), scope: 'https://api.acme.example/orders/read' }));
      const r = await outcome(authorizer, tokenEvent(token, 'arn:aws:execute-api:us-east-1:123456789012:abcdef1234/prod/GET/orders'));
      expect(typeof r === 'string' ? logs() : r.context).toMatchObject({ tenantId: `tenant-${i}`, clientId: clientOf(i) });
    }
    const stranger = sign(key, claims({ client_id: 'x'.repeat(26), sub: 'x'.repeat(26), scope: 'https://api.acme.example/orders/read' }));
    expect(await outcome(authorizer, tokenEvent(stranger))).toBe('Unauthorized');
  });
});
