/**
 * Per-tenant usage tiers in the portal: keys at tenant creation, the tier
 * route, failures at every step, quotas, throttling and configuration.
 *
 * DynamoDB is dynalite (as in harness.ts). API Gateway has no local server:
 * `FakeApiGateway` behaves like the service for the calls the portal makes
 * (unique key values, ConflictException, NotFoundException, a key quota, and
 * a key in at most one usage plan per API stage), behind aws-sdk-client-mock
 * on a real APIGatewayClient. Cognito is never called by these routes.
 */
import {
  APIGatewayClient,
  CreateApiKeyCommand,
  CreateUsagePlanKeyCommand,
  DeleteApiKeyCommand,
  DeleteUsagePlanKeyCommand,
  GetApiKeysCommand,
} from '@aws-sdk/client-api-gateway';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { ADMIN_SCOPE, apiEvent, CallOptions, createTable, CREDENTIALS, Dynalite, GRANTABLE, Injector, REGION, startDynalite, TENANT_ADMIN_SCOPE, tenantAdmin } from './harness';
import { loadConfig, PortalConfig } from '../../../lambda/portal/config';
import { createPortal, Portal } from '../../../lambda/portal/portal';
import { Logger } from '../../../lambda/shared/log';
import { UsageTiersConfig, usageKeyName, usageKeyValue } from '../../../lib/private/contracts/usage-tiers';

const ORDERS: UsageTiersConfig = { api: 'orders', keyPrefix: 'm2musage0123456789', defaultTier: 'basic', tiers: { basic: 'plan-ob', gold: 'plan-og' } };
const BILLING: UsageTiersConfig = { api: 'billing', keyPrefix: 'm2musageabcdef0123', defaultTier: 'free', tiers: { free: 'plan-bf', pro: 'plan-bp' } };

const apiError = (name: string, message: string) => Object.assign(new Error(message), { name });

interface FakeKey { id: string; name: string; value: string; enabled: boolean }

/** API Gateway's API keys and usage plan keys, as the service keeps them. */
class FakeApiGateway {
  public readonly keys = new Map<string, FakeKey>();
  /** Usage plan id → key ids; each plan belongs to one API (stage). */
  public readonly plans = new Map<string, Set<string>>();
  private readonly planApi = new Map<string, string>();
  public keyQuota = 10_000;
  /** Every GetApiKeys request: whether it asked for key values. */
  public readonly listings: Array<boolean | undefined> = [];
  private seq = 0;

  constructor(apis: readonly UsageTiersConfig[]) {
    for (const api of apis) {
      for (const planId of Object.values(api.tiers)) {
        this.plans.set(planId, new Set());
        this.planApi.set(planId, api.api);
      }
    }
  }

  public createApiKey(input: { name?: string; value?: string; enabled?: boolean }) {
    if (this.keys.size >= this.keyQuota) throw apiError('LimitExceededException', 'API key limit exceeded');
    if ([...this.keys.values()].some((k) => k.value === input.value)) throw apiError('ConflictException', 'API Key already exists');
    const key = { id: `key${++this.seq}`, name: input.name!, value: input.value!, enabled: input.enabled ?? false };
    this.keys.set(key.id, key);
    return { id: key.id, name: key.name, value: key.value, enabled: key.enabled };
  }

  public getApiKeys(input: { nameQuery?: string; includeValues?: boolean; limit?: number; position?: string }) {
    this.listings.push(input.includeValues);
    const all = [...this.keys.values()].filter((k) => !input.nameQuery || k.name.startsWith(input.nameQuery));
    const start = Number(input.position ?? 0);
    const page = all.slice(start, start + (input.limit ?? 25));
    return {
      items: page.map((k) => ({ id: k.id, name: k.name, enabled: k.enabled, value: input.includeValues ? k.value : undefined })),
      position: start + page.length < all.length ? String(start + page.length) : undefined,
    };
  }

  public deleteApiKey(input: { apiKey?: string }) {
    if (!this.keys.delete(input.apiKey!)) throw apiError('NotFoundException', 'Invalid API Key identifier specified');
    for (const members of this.plans.values()) members.delete(input.apiKey!);
    return {};
  }

  public createUsagePlanKey(input: { usagePlanId?: string; keyId?: string; keyType?: string }) {
    const members = this.plans.get(input.usagePlanId!);
    if (!members) throw apiError('NotFoundException', 'Invalid Usage Plan ID specified');
    if (!this.keys.has(input.keyId!) || input.keyType !== 'API_KEY') throw apiError('NotFoundException', 'Invalid API Key identifier specified');
    if (members.has(input.keyId!)) throw apiError('ConflictException', 'Usage Plan Key already exists');
    const api = this.planApi.get(input.usagePlanId!);
    if (this.plansOf(input.keyId!).some((p) => this.planApi.get(p) === api)) {
      throw apiError('BadRequestException', `API Key ${input.keyId} cannot reference multiple Usage Plans with the same API Stage`);
    }
    members.add(input.keyId!);
    return { id: input.keyId, type: 'API_KEY' };
  }

  public deleteUsagePlanKey(input: { usagePlanId?: string; keyId?: string }) {
    const members = this.plans.get(input.usagePlanId!);
    if (!members?.delete(input.keyId!)) throw apiError('NotFoundException', 'Invalid Usage Plan Key specified');
    return {};
  }

  public plansOf(keyId: string): string[] {
    return [...this.plans].filter(([, members]) => members.has(keyId)).map(([planId]) => planId).sort();
  }

  public keyOf(api: UsageTiersConfig, tenantId: string): FakeKey | undefined {
    const value = usageKeyValue(api.keyPrefix, tenantId);
    return [...this.keys.values()].find((k) => k.value === value);
  }
}

interface Env {
  portal: Portal;
  readonly gateway: FakeApiGateway;
  readonly injector: Injector;
  readonly sleeps: number[];
  readonly logs: string[];
  call(method: string, p: string, options?: CallOptions): Promise<{ status: number; body: any; headers: Record<string, string> }>;
  tenantItem(tenantId: string): Promise<Record<string, any> | undefined>;
  audit(tenantId: string): Promise<Array<Record<string, any>>>;
}

let dynalite: Dynalite;
let ddb: DynamoDBClient;
let portalDdb: DynamoDBClient;
let cognito: CognitoIdentityProviderClient;
const restores: Array<() => void> = [];
let tables = 0;

function baseConfig(table: string, usageTiers?: readonly UsageTiersConfig[]): PortalConfig {
  return {
    userPoolId: 'us-east-1_unused',
    tableName: table,
    tokenEndpoint: 'https://acme-m2m.auth.us-east-1.amazoncognito.com/oauth2/token',
    adminScope: ADMIN_SCOPE,
    tenantAdminScope: TENANT_ADMIN_SCOPE,
    grantableScopes: new Set(GRANTABLE),
    defaultTokenValidityMinutes: 60,
    rotationGraceHours: 24,
    usageTiers,
    // The clock stands still in these tests: only the rate tests (limits.test.ts) meet the per-caller limit.
    callerRequestsPerMinute: 10_000,
  };
}

/** A portal on a fresh table, managing `apis`, with its own fake API Gateway. */
async function portalEnv(apis: readonly UsageTiersConfig[] = [ORDERS, BILLING]): Promise<Env & { table: string }> {
  const table = `usage-${++tables}`;
  await createTable(ddb, table);
  const gateway = new FakeApiGateway(apis);
  const injector = new Injector();
  const client = new APIGatewayClient({ region: REGION, credentials: CREDENTIALS });
  const mock = mockClient(client);
  restores.push(() => mock.restore());
  mock.on(CreateApiKeyCommand).callsFake((i) => injector.around('apigw:CreateApiKey', async () => gateway.createApiKey(i)));
  mock.on(GetApiKeysCommand).callsFake((i) => injector.around('apigw:GetApiKeys', async () => gateway.getApiKeys(i)));
  mock.on(DeleteApiKeyCommand).callsFake((i) => injector.around('apigw:DeleteApiKey', async () => gateway.deleteApiKey(i)));
  mock.on(CreateUsagePlanKeyCommand).callsFake((i) => injector.around('apigw:CreateUsagePlanKey', async () => gateway.createUsagePlanKey(i)));
  mock.on(DeleteUsagePlanKeyCommand).callsFake((i) => injector.around('apigw:DeleteUsagePlanKey', async () => gateway.deleteUsagePlanKey(i)));
  const sleeps: number[] = [];
  const logs: string[] = [];
  const make = (config: PortalConfig) => createPortal({
    cognito,
    ddb: portalDdb,
    apiGateway: client,
    config,
    retry: { sleep: async (ms) => { sleeps.push(ms); }, random: () => 0.5 },
    logger: new Logger('debug', (line) => { logs.push(line); }),
  });
  const doc = DynamoDBDocumentClient.from(ddb);
  const env: Env & { table: string } = {
    table,
    portal: make(baseConfig(table, apis)),
    gateway,
    injector,
    sleeps,
    logs,
    async call(method, p, options) {
      portalInjector = injector;
      const res = await env.portal.api(apiEvent(method, p, options)) as APIGatewayProxyResult;
      return { status: res.statusCode, body: JSON.parse(res.body), headers: (res.headers ?? {}) as Record<string, string> };
    },
    async tenantItem(tenantId) {
      const out = await doc.send(new ScanCommand({ TableName: table, ConsistentRead: true }));
      return (out.Items ?? []).find((i) => i.pk === `TENANT#${tenantId}` && i.sk === 'TENANT');
    },
    async audit(tenantId) {
      const out = await doc.send(new ScanCommand({ TableName: table, ConsistentRead: true }));
      return (out.Items ?? []).filter((i) => i.pk === `AUDIT#${tenantId}`);
    },
  };
  return env;
}

/** The injector of the environment whose request runs (the DynamoDB client is shared). */
let portalInjector: Injector | undefined;

beforeAll(async () => {
  dynalite = await startDynalite();
  ddb = new DynamoDBClient({ endpoint: dynalite.endpoint, region: REGION, credentials: CREDENTIALS });
  portalDdb = new DynamoDBClient({ endpoint: dynalite.endpoint, region: REGION, credentials: CREDENTIALS, maxAttempts: 1 });
  portalDdb.middlewareStack.add(
    (next, context) => (args) => {
      const name = `ddb:${String(context.commandName).replace(/Command$/, '')}`;
      return portalInjector ? portalInjector.around(name, () => next(args)) : next(args);
    },
    { step: 'initialize', name: 'failureInjector' },
  );
  // Never called by these routes: an address nothing listens on.
  cognito = new CognitoIdentityProviderClient({ endpoint: 'http://127.0.0.1:9', region: REGION, credentials: CREDENTIALS, maxAttempts: 1 });
});

afterAll(async () => {
  for (const restore of restores) restore();
  ddb.destroy();
  portalDdb.destroy();
  cognito.destroy();
  await dynalite.close();
});

/** The usage plan ids the tenant's key of `api` is in (none when it has no key). */
function plansOfTenant(env: Env, api: UsageTiersConfig, tenantId: string): string[] {
  const key = env.gateway.keyOf(api, tenantId);
  return key ? env.gateway.plansOf(key.id) : [];
}

describe('tenant creation', () => {
  test('a new tenant gets one enabled key per tiered API, in exactly the default tier\'s plan, and shows its tiers', async () => {
    const env = await portalEnv();
    const res = await env.call('POST', '/tenants', { body: { tenantId: 'globex', displayName: 'Globex' } });
    expect(res.status).toBe(201);
    expect(res.body.usageTiers).toEqual({ orders: 'basic', billing: 'free' });
    for (const api of [ORDERS, BILLING]) {
      expect(env.gateway.keyOf(api, 'globex')).toMatchObject({ name: usageKeyName(api.keyPrefix, 'globex'), value: usageKeyValue(api.keyPrefix, 'globex'), enabled: true });
      expect(plansOfTenant(env, api, 'globex')).toEqual([api.tiers[api.defaultTier]]);
    }
    expect(env.gateway.keys.size).toBe(2);
    expect((await env.call('GET', '/tenants/globex')).body.usageTiers).toEqual({ orders: 'basic', billing: 'free' });
    expect((await env.call('GET', '/tenants')).body.items.map((t: any) => t.usageTiers)).toEqual([{ orders: 'basic', billing: 'free' }]);
    const created = (await env.audit('globex')).find((a) => a.action === 'tenant.created');
    expect(created?.detail.usageTiers).toEqual(['orders:basic', 'billing:free']);
  });

  test('re-sending the creation changes nothing: no second key, the same plans', async () => {
    const env = await portalEnv();
    expect((await env.call('POST', '/tenants', { body: { tenantId: 'initech' } })).status).toBe(201);
    const again = await env.call('POST', '/tenants', { body: { tenantId: 'initech' } });
    expect(again.status).toBe(200);
    expect(again.body.usageTiers).toEqual({ orders: 'basic', billing: 'free' });
    expect(env.gateway.keys.size).toBe(2);
    expect(plansOfTenant(env, ORDERS, 'initech')).toEqual(['plan-ob']);
  });

  test('a tenant created before the API had tiers shows null, and a re-sent creation gives it its default-tier keys', async () => {
    const env = await portalEnv();
    // The same table, served by a portal that manages no tiered API yet.
    env.portal = createPortal({ cognito, ddb: portalDdb, config: baseConfig(env.table), logger: new Logger('error', () => undefined) });
    expect((await env.call('POST', '/tenants', { body: { tenantId: 'early' } })).status).toBe(201);
    expect(env.gateway.keys.size).toBe(0);
    env.portal = createPortal({
      cognito,
      ddb: portalDdb,
      apiGateway: mockedClientOf(env),
      config: baseConfig(env.table, [ORDERS, BILLING]),
      logger: new Logger('error', () => undefined),
    });
    expect((await env.call('GET', '/tenants/early')).body.usageTiers).toEqual({ orders: null, billing: null });
    const resent = await env.call('POST', '/tenants', { body: { tenantId: 'early' } });
    expect(resent.status).toBe(200);
    expect(resent.body.usageTiers).toEqual({ orders: 'basic', billing: 'free' });
    expect(plansOfTenant(env, ORDERS, 'early')).toEqual(['plan-ob']);
    expect((await env.audit('early')).filter((a) => a.action === 'tenant.usage_tier.assigned').map((a) => a.detail))
      .toEqual(expect.arrayContaining([{ api: 'orders', tier: 'basic' }, { api: 'billing', tier: 'free' }]));
  });

  test('deleting a tenant takes its keys out of every usage plan', async () => {
    const env = await portalEnv();
    expect((await env.call('POST', '/tenants', { body: { tenantId: 'gone' } })).status).toBe(201);
    expect((await env.call('POST', '/tenants', { body: { tenantId: 'stays' } })).status).toBe(201);
    await env.call('PUT', '/tenants/gone/usage-tiers/orders', { body: { tier: 'gold' } });
    const res = await env.call('DELETE', '/tenants/gone');
    expect(res.status).toBe(200);
    expect(res.body.usageTiers).toEqual({ orders: null, billing: null });
    expect(plansOfTenant(env, ORDERS, 'gone')).toEqual([]);
    expect(plansOfTenant(env, BILLING, 'gone')).toEqual([]);
    expect(plansOfTenant(env, ORDERS, 'stays')).toEqual(['plan-ob']);
  });
});

/** The APIGatewayClient the environment's fake serves (the first mocked client created for it). */
const clients = new WeakMap<Env, APIGatewayClient>();
function mockedClientOf(env: Env): APIGatewayClient {
  let client = clients.get(env);
  if (!client) {
    client = new APIGatewayClient({ region: REGION, credentials: CREDENTIALS });
    const mock = mockClient(client);
    restores.push(() => mock.restore());
    const g = env.gateway;
    mock.on(CreateApiKeyCommand).callsFake(async (i) => g.createApiKey(i));
    mock.on(GetApiKeysCommand).callsFake(async (i) => g.getApiKeys(i));
    mock.on(DeleteApiKeyCommand).callsFake(async (i) => g.deleteApiKey(i));
    mock.on(CreateUsagePlanKeyCommand).callsFake(async (i) => g.createUsagePlanKey(i));
    mock.on(DeleteUsagePlanKeyCommand).callsFake(async (i) => g.deleteUsagePlanKey(i));
    clients.set(env, client);
  }
  return client;
}

describe('PUT /tenants/{tenantId}/usage-tiers/{api}', () => {
  test('moves the key to the new tier\'s plan (exactly one plan afterwards), records and audits the change', async () => {
    const env = await portalEnv();
    const created = await env.call('POST', '/tenants', { body: { tenantId: 'umbrella' } });
    const res = await env.call('PUT', '/tenants/umbrella/usage-tiers/orders', { body: { tier: 'gold' } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ tenantId: 'umbrella', usageTiers: { orders: 'gold', billing: 'free' } });
    expect(res.headers.ETag).toBe(`"${res.body.version}"`);
    expect(res.body.version).toBeGreaterThan(created.body.version);
    expect(plansOfTenant(env, ORDERS, 'umbrella')).toEqual(['plan-og']);
    expect(plansOfTenant(env, BILLING, 'umbrella')).toEqual(['plan-bf']);
    expect(env.gateway.keys.size).toBe(2);
    const item = await env.tenantItem('umbrella');
    expect(item).toMatchObject({ usageTiers: { orders: 'gold', billing: 'free' }, updatedBy: 'adminclient1' });
    expect(item).not.toHaveProperty('pendingTier');
    const changes = (await env.audit('umbrella')).filter((a) => a.action === 'tenant.usage_tier.changed');
    expect(changes.map((a) => ({ actor: a.actor, detail: a.detail }))).toEqual([
      { actor: 'adminclient1', detail: { api: 'orders', tier: 'gold', previousTier: 'basic' } },
    ]);
  });

  test('is idempotent: the same tier again keeps one plan and writes no second change entry', async () => {
    const env = await portalEnv();
    await env.call('POST', '/tenants', { body: { tenantId: 'hooli' } });
    expect((await env.call('PUT', '/tenants/hooli/usage-tiers/billing', { body: { tier: 'pro' } })).status).toBe(200);
    const again = await env.call('PUT', '/tenants/hooli/usage-tiers/billing', { body: { tier: 'pro' } });
    expect(again.status).toBe(200);
    expect(again.body.usageTiers).toEqual({ orders: 'basic', billing: 'pro' });
    expect(plansOfTenant(env, BILLING, 'hooli')).toEqual(['plan-bp']);
    expect((await env.audit('hooli')).filter((a) => a.action === 'tenant.usage_tier.changed')).toHaveLength(1);
    // And back down.
    expect((await env.call('PUT', '/tenants/hooli/usage-tiers/billing', { body: { tier: 'free' } })).body.usageTiers.billing).toBe('free');
    expect(plansOfTenant(env, BILLING, 'hooli')).toEqual(['plan-bf']);
  });

  test('honours If-Match: a stale version is refused with 409 and nothing moves', async () => {
    const env = await portalEnv();
    const created = await env.call('POST', '/tenants', { body: { tenantId: 'stale' } });
    await env.call('PATCH', '/tenants/stale', { body: { status: 'suspended' } });
    const res = await env.call('PUT', '/tenants/stale/usage-tiers/orders', { body: { tier: 'gold' }, headers: { 'If-Match': `"${created.body.version}"` } });
    expect(res).toMatchObject({ status: 409, body: { error: 'conflict', message: expect.stringContaining(`not ${created.body.version}`) } });
    expect(plansOfTenant(env, ORDERS, 'stale')).toEqual(['plan-ob']);
  });

  test('unknown API, unknown tier, bad body, unknown tenant: answers naming the field, the value and the rule', async () => {
    const env = await portalEnv();
    await env.call('POST', '/tenants', { body: { tenantId: 'acme' } });
    expect(await env.call('PUT', '/tenants/acme/usage-tiers/shipping', { body: { tier: 'gold' } })).toMatchObject({
      status: 404, body: { error: 'not_found', message: 'api: "shipping" is not a tiered API of this portal; tiered APIs are orders, billing' },
    });
    expect(await env.call('PUT', '/tenants/acme/usage-tiers/orders', { body: { tier: 'platinum' } })).toMatchObject({
      status: 400, body: { error: 'bad_request', message: 'tier: "platinum" is invalid: one of the tiers of API orders (basic, gold)' },
    });
    expect((await env.call('PUT', '/tenants/acme/usage-tiers/orders', { body: {} })).body.message)
      .toBe('tier: undefined is invalid: required: one of the tiers of API orders (basic, gold)');
    expect((await env.call('PUT', '/tenants/acme/usage-tiers/orders', { body: { tier: 'gold', plan: 'x' } })).body.message)
      .toBe('plan: "x" is invalid: unknown field; allowed fields are tier');
    expect(await env.call('PUT', '/tenants/nobody/usage-tiers/orders', { body: { tier: 'gold' } })).toMatchObject({
      status: 404, body: { message: 'tenantId: nobody is not a tenant' },
    });
    expect(plansOfTenant(env, ORDERS, 'acme')).toEqual(['plan-ob']);
  });

  test('a portal without tiered APIs says so', async () => {
    const env = await portalEnv([]);
    await env.call('POST', '/tenants', { body: { tenantId: 'plain' } });
    expect(await env.call('PUT', '/tenants/plain/usage-tiers/orders', { body: { tier: 'gold' } })).toMatchObject({
      status: 404, body: { message: 'api: "orders" is not a tiered API of this portal; this portal manages no tiered API (DeveloperPortal.addTieredApi)' },
    });
    expect((await env.call('GET', '/tenants/plain')).body).not.toHaveProperty('usageTiers');
  });

  test('is for platform admins only: a tenant admin cannot change even its own tier', async () => {
    const env = await portalEnv();
    await env.call('POST', '/tenants', { body: { tenantId: 'selfish' } });
    const res = await env.call('PUT', '/tenants/selfish/usage-tiers/orders', { body: { tier: 'gold' }, caller: tenantAdmin('selfish') });
    expect(res).toMatchObject({ status: 403, body: { error: 'forbidden', message: 'this operation needs the platform admin scope' } });
    expect(plansOfTenant(env, ORDERS, 'selfish')).toEqual(['plan-ob']);
    // The tenant admin still sees its tiers.
    expect((await env.call('GET', '/tenants/selfish', { caller: tenantAdmin('selfish') })).body.usageTiers).toEqual({ orders: 'basic', billing: 'free' });
  });
});

describe('API key values', () => {
  test('are never asked for: every listing (re-sent creation, tier change, tenant deletion) has includeValues false', async () => {
    const env = await portalEnv();
    expect((await env.call('POST', '/tenants', { body: { tenantId: 'hooli' } })).status).toBe(201);
    expect((await env.call('POST', '/tenants', { body: { tenantId: 'hooli' } })).status).toBe(200);
    expect((await env.call('PUT', '/tenants/hooli/usage-tiers/orders', { body: { tier: 'gold' } })).status).toBe(200);
    expect((await env.call('DELETE', '/tenants/hooli')).status).toBe(200);
    expect(env.gateway.listings.length).toBeGreaterThanOrEqual(5);
    expect(env.gateway.listings.filter((v) => v !== false)).toEqual([]);
  });

  test('a key of the same name that the portal did not create: a new tenant still gets its own key; a lookup refuses to guess (409)', async () => {
    const env = await portalEnv([ORDERS]);
    const name = usageKeyName(ORDERS.keyPrefix, 'pied');
    // Someone else's key, named as the tenant's will be, with another value.
    const decoy = env.gateway.createApiKey({ name, value: 'someoneelsesvalue0123456789', enabled: true });
    expect((await env.call('POST', '/tenants', { body: { tenantId: 'pied' } })).status).toBe(201);
    expect(plansOfTenant(env, ORDERS, 'pied')).toEqual(['plan-ob']);
    expect(env.gateway.plansOf(decoy.id)).toEqual([]);

    // The tier change must find the tenant's key by name, without values: two keys have it.
    const res = await env.call('PUT', '/tenants/pied/usage-tiers/orders', { body: { tier: 'gold' } });
    expect(res.status).toBe(409);
    expect(res.body.message).toMatch(new RegExp(`^API key name "${name.replace('.', '\\.')}" is used by 2 API keys \\(key\\d+, key\\d+\\); ` +
      'the portal manages one key of this name and does not read key values to tell them apart: delete or rename the keys it did not create, then retry$'));
    expect(plansOfTenant(env, ORDERS, 'pied')).toEqual(['plan-ob']);
    expect(env.gateway.plansOf(decoy.id)).toEqual([]);
    expect((await env.tenantItem('pied'))?.usageTiers).toEqual({ orders: 'basic' });

    // Once the other key is gone, the change goes through.
    env.gateway.deleteApiKey({ apiKey: decoy.id });
    expect((await env.call('PUT', '/tenants/pied/usage-tiers/orders', { body: { tier: 'gold' } })).status).toBe(200);
    expect(plansOfTenant(env, ORDERS, 'pied')).toEqual(['plan-og']);
  });
});

describe('failures', () => {
  /** The key is in exactly the plan of the recorded tier (the default when none), and no lock is left. */
  async function expectConsistent(env: Env, tenantId: string): Promise<void> {
    const item = await env.tenantItem(tenantId);
    if (!item) return; // no tenant: its keys (if any) are no one's, and a retry reuses them
    expect(item.pendingTier).toBeUndefined();
    for (const api of [ORDERS, BILLING]) {
      const tier = item.usageTiers?.[api.api] ?? api.defaultTier;
      expect({ tenantId, api: api.api, plans: plansOfTenant(env, api, tenantId) }).toEqual({ tenantId, api: api.api, plans: [api.tiers[tier]] });
    }
  }

  type Request = (tenantId: string) => Promise<{ status: number; body: any }>;
  async function sweep(env: Env, prepare: (tenantId: string) => Promise<void>, request: Request, success: number[]) {
    await prepare('clean');
    env.injector.reset();
    expect(success).toContain((await request('clean')).status);
    const steps = [...env.injector.calls];
    expect(steps.filter((s) => s.startsWith('apigw:')).length).toBeGreaterThan(1);
    let seq = 0;
    for (const mode of ['before', 'after'] as const) {
      for (let n = 1; n <= steps.length; n++) {
        const tenantId = `f-${mode}-${n}-${++seq}`;
        env.injector.reset();
        await prepare(tenantId);
        env.injector.reset();
        env.injector.failAt = n;
        env.injector.mode = mode;
        const res = await request(tenantId);
        env.injector.reset();
        const label = `fail ${mode} step ${n} (${steps[n - 1]})`;
        expect({ label, status: [...success, 500].includes(res.status) ? 'ok' : res.status }).toEqual({ label, status: 'ok' });
        if (res.status === 500) expect(JSON.stringify(res.body)).not.toContain('injected');
        await expectConsistent(env, tenantId);
        const retry = await request(tenantId);
        expect({ label, retry: retry.status }).toEqual({ label, retry: success.includes(retry.status) ? retry.status : 'a success' });
        await expectConsistent(env, tenantId);
      }
    }
  }

  test('tenant creation failing at any step leaves no tenant without its keys, and a retry completes', async () => {
    const env = await portalEnv();
    await sweep(env, async () => undefined, async (tenantId) => {
      const res = await env.call('POST', '/tenants', { body: { tenantId } });
      if (res.status === 201 || res.status === 200) expect(res.body.usageTiers).toEqual({ orders: 'basic', billing: 'free' });
      return res;
    }, [200, 201]);
  });

  test('a tier change failing at any step is put back (or completed), never half-done, and a retry completes', async () => {
    const env = await portalEnv();
    await sweep(env, async (tenantId) => {
      expect((await env.call('POST', '/tenants', { body: { tenantId } })).status).toBe(201);
    }, async (tenantId) => {
      const res = await env.call('PUT', `/tenants/${tenantId}/usage-tiers/orders`, { body: { tier: 'gold' } });
      if (res.status === 200) expect(res.body.usageTiers).toEqual({ orders: 'gold', billing: 'free' });
      return res;
    }, [200]);
  });

  test('at the account\'s API key quota: 409 saying what to do, no tenant, and a retry after the increase completes', async () => {
    const env = await portalEnv();
    expect((await env.call('POST', '/tenants', { body: { tenantId: 'first' } })).status).toBe(201);
    env.gateway.keyQuota = 3; // room for one more key: the orders key, not the billing key
    const res = await env.call('POST', '/tenants', { body: { tenantId: 'second' } });
    expect(res).toMatchObject({ status: 409, body: { error: 'api_key_quota_reached' } });
    expect(res.body.message).toBe('tenant second cannot get its usage key for API billing: the account\'s API Gateway API key quota '
      + '(10,000 per account and Region by default) is reached; request an increase of the "API keys" quota of Amazon API Gateway '
      + 'in Service Quotas, or delete unused API keys, then retry this request');
    expect(await env.tenantItem('second')).toBeUndefined();
    env.gateway.keyQuota = 10_000;
    const retry = await env.call('POST', '/tenants', { body: { tenantId: 'second' } });
    expect(retry).toMatchObject({ status: 201, body: { usageTiers: { orders: 'basic', billing: 'free' } } });
    // The orders key made before the quota was hit is reused, not duplicated.
    expect(env.gateway.keys.size).toBe(4);
  });

  test('throttling is retried with backoff; throttling that persists is a 429 with Retry-After', async () => {
    const env = await portalEnv();
    await env.call('POST', '/tenants', { body: { tenantId: 'busy' } });
    let throttles = 2;
    const original = env.gateway.createUsagePlanKey.bind(env.gateway);
    env.gateway.createUsagePlanKey = (input) => {
      if (throttles-- > 0) throw apiError('TooManyRequestsException', 'Too Many Requests');
      return original(input);
    };
    const sleepsBefore = env.sleeps.length;
    expect((await env.call('PUT', '/tenants/busy/usage-tiers/orders', { body: { tier: 'gold' } })).status).toBe(200);
    expect(env.sleeps.length - sleepsBefore).toBe(2);
    expect(plansOfTenant(env, ORDERS, 'busy')).toEqual(['plan-og']);

    env.injector.override.set('apigw:CreateApiKey', () => apiError('TooManyRequestsException', 'Too Many Requests'));
    const res = await env.call('PUT', '/tenants/busy/usage-tiers/orders', { body: { tier: 'basic' } });
    env.injector.override.clear();
    expect(res).toMatchObject({ status: 429, body: { error: 'throttled', message: 'API Gateway is throttling changes to API keys and usage plans; retry later' } });
    expect(res.headers['Retry-After']).toBe('2');
    expect(plansOfTenant(env, ORDERS, 'busy')).toEqual(['plan-og']);
    expect((await env.tenantItem('busy'))?.pendingTier).toBeUndefined();
  });

  test('no log line carries a key value', async () => {
    const env = await portalEnv();
    await env.call('POST', '/tenants', { body: { tenantId: 'quiet' } });
    await env.call('PUT', '/tenants/quiet/usage-tiers/orders', { body: { tier: 'gold' } });
    expect(env.logs.length).toBeGreaterThan(0);
    expect(env.logs.join('\n')).not.toContain(usageKeyValue(ORDERS.keyPrefix, 'quiet'));
  });
});

describe('configuration', () => {
  const env = {
    USER_POOL_ID: 'us-east-1_x',
    TABLE_NAME: 'registry',
    TOKEN_ENDPOINT: 'https://x.example/oauth2/token',
    ADMIN_SCOPE: 'p/admin',
    TENANT_ADMIN_SCOPE: 'p/tenant-admin',
    GRANTABLE_SCOPES: '[]',
  };
  const load = (usageTiers: unknown) => () => loadConfig({ ...env, USAGE_TIERS: typeof usageTiers === 'string' ? usageTiers : JSON.stringify(usageTiers) });

  test('USAGE_TIERS absent means no tiered API; a valid value is read as given', () => {
    expect(loadConfig(env).usageTiers).toEqual([]);
    expect(load([ORDERS, BILLING])().usageTiers).toEqual([ORDERS, BILLING]);
  });

  test.each([
    ['not JSON', '[{', 'USAGE_TIERS is not valid JSON: a JSON array of tiered APIs'],
    ['not an array', { api: 'orders' }, 'USAGE_TIERS: {"api":"orders"} is invalid: a JSON array of tiered APIs'],
    ['a bad API name', [{ ...ORDERS, api: 'or ders' }], 'USAGE_TIERS[0].api: "or ders" is invalid: 1-64 characters [A-Za-z0-9_-]'],
    ['an API twice', [ORDERS, { ...BILLING, api: 'orders' }], 'USAGE_TIERS[1].api: "orders" is invalid: another tiered API has this name'],
    ['a bad key prefix', [{ ...ORDERS, keyPrefix: 'usage-' }], 'USAGE_TIERS[0].keyPrefix: "usage-" is invalid: m2musage and 10 lowercase hex digits (usageKeyValue and usageKeyName derive a tenant\'s API key from it)'],
    ['a default tier that is not a tier', [{ ...ORDERS, defaultTier: 'free' }], 'USAGE_TIERS[0].defaultTier: "free" is invalid: one of the API\'s tiers (basic, gold)'],
    ['an empty plan id', [{ ...ORDERS, tiers: { basic: 'plan-ob', gold: '' } }], 'USAGE_TIERS[0].tiers.gold: "" is invalid: a usage plan id (a non-empty string)'],
    ['a bad tier name', [{ ...ORDERS, tiers: { 'basic tier': 'p1' } }], 'USAGE_TIERS[0].tiers: "basic tier" is invalid: tier names are 1-64 characters [A-Za-z0-9_-]'],
    ['no tiers', [{ ...ORDERS, tiers: {} }], 'USAGE_TIERS[0].tiers: {} is invalid: an object of tier name to usage plan id, with at least one tier'],
    ['one plan for two tiers', [{ ...ORDERS, tiers: { basic: 'p1', gold: 'p1' } }], 'USAGE_TIERS[0].tiers.gold: "p1" is invalid: another tier of this API has this usage plan'],
  ])('refuses %s at cold start', (_what, value, message) => {
    let thrown: Error | undefined;
    try {
      load(value)();
    } catch (err) {
      thrown = err as Error;
    }
    expect({ name: thrown?.name, message: thrown?.message })
      .toEqual({ name: 'ConfigError', message });
  });

  test('a portal given tiered APIs but no API Gateway client is a configuration error', () => {
    expect(() => createPortal({ cognito, ddb: portalDdb, config: baseConfig('t', [ORDERS]) }))
      .toThrow('USAGE_TIERS names tiered APIs but the portal was given no API Gateway client');
  });
});
