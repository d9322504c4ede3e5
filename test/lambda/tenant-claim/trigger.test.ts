/**
 * The tenant-claim trigger (lambda/tenant-claim) against real local servers:
 * the client directory in a local SSM (GetParameters and GetParametersByPath
 * over its JSON protocol, lambda/authorizer/ssm.ts) and the tenant registry in
 * dynalite, read by the trigger's own clients. The tenant comes from the client id Cognito authenticated, never
 * from the caller's client metadata nor from a parameter under the directory's
 * path that the library did not create; clients without an active tenant get
 * no claim (or no token); an unavailable source refuses the token, and is not
 * asked again within the back-off window; user sign-ins pass through untouched.
 */
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { CREDENTIALS, LocalSsm, REGION, startLocalSsm } from './local-ssm';
import { REGISTRY_CLIENT_OPTIONS } from '../../../lambda/authorizer/registry-resolver';
import { SSM_MAX_ATTEMPTS } from '../../../lambda/authorizer/ssm';
import { Logger } from '../../../lambda/shared/log';
import { CLIENT_SK, clientPk, TENANT_SK, tenantPk } from '../../../lambda/shared/registry';
import { PreTokenGenerationEvent, TenantClaimTrigger, createTriggerFromEnv } from '../../../lambda/tenant-claim/trigger';
import { closedPort, loopbackServer } from '../authorizer/helpers';
import { createTable, Dynalite, startDynalite } from '../portal/harness';

const PATH = '/cdk-cognito-m2m/clients/IdentityTenantClaimAB12CD34/';
/** The parameters the construct created (CLIENT_TENANTS_PARAMETERS): Identity-0 and Tenants0-0. */
const CREATED = '{"Identity":1,"Tenants0":1}';
const FN = 'Identity-TenantClaimFunction-AbC123';
const T0 = 1_700_000_000_000;
/** Requests one load makes to a failing server: the clients' attempts (SSM: one call of the load, DynamoDB: the SDK's). */
const SSM_ATTEMPTS = SSM_MAX_ATTEMPTS;
const DDB_ATTEMPTS = REGISTRY_CLIENT_OPTIONS.maxAttempts as number;
const TABLE = 'registry';
const CLAIMS = 'claimsAndScopeOverrideDetails';

let ssm: LocalSsm;
let dynalite: Dynalite;
let ddb: DynamoDBClient;

/** A V3_0 event as Cognito sends it for a token request of `clientId`. */
function tokenRequest(clientId: string | undefined, clientMetadata?: Record<string, string>, triggerSource = 'TokenGeneration_ClientCredentials'): PreTokenGenerationEvent {
  return {
    version: '3',
    triggerSource,
    region: REGION,
    userPoolId: 'us-east-1_AbC123',
    userName: clientId,
    callerContext: { awsSdkVersion: 'aws-sdk-unknown-unknown', clientId },
    request: { scopes: ['https://api.acme.example/orders/read'], ...(clientMetadata ? { clientMetadata } : {}) },
    response: { claimsAndScopeOverrideDetails: null },
  };
}

interface Harness {
  readonly trigger: TenantClaimTrigger;
  readonly lines: string[];
  logs(): Record<string, unknown>[];
  /** Sets the trigger's clock to T0 + ms. */
  at(ms: number): void;
}

function makeTrigger(env: Record<string, string> = {}, endpoints: { ssm?: string; dynamodb?: string } = {}): Harness {
  const lines: string[] = [];
  let now = T0;
  const trigger = createTriggerFromEnv({ CLIENT_TENANTS_PATH: PATH, CLIENT_TENANTS_PARAMETERS: CREATED, ...env }, {
    logger: new Logger('info', (l) => { lines.push(l); }),
    clients: {
      ssm: { endpoint: endpoints.ssm ?? ssm.endpoint, region: REGION, credentials: CREDENTIALS },
      dynamodb: { endpoint: endpoints.dynamodb ?? dynalite.endpoint, region: REGION, credentials: CREDENTIALS },
    },
    now: () => now,
  });
  return { trigger, lines, logs: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>), at: (ms) => { now = T0 + ms; } };
}

/** Runs the trigger; the event it returns, or the message it was refused with. */
async function outcome(h: Harness, event: PreTokenGenerationEvent): Promise<PreTokenGenerationEvent | string> {
  try {
    return await h.trigger.handle(event);
  } catch (err) {
    return (err as Error).message;
  }
}

/** The claims added to the access token (undefined: none). */
function addedClaims(r: PreTokenGenerationEvent | string): Record<string, string> | undefined {
  if (typeof r === 'string') throw new Error(`expected a token, got a refusal: ${r}`);
  return r.response?.[CLAIMS]?.accessTokenGeneration?.claimsToAddOrOverride;
}

async function register(clientId: string, tenantId: string, clientStatus: string, tenantStatus: string): Promise<void> {
  // The items the portal writes (lambda/shared/registry.ts), as far as the lookup reads them.
  const put = (Item: Record<string, { S: string }>) => ddb.send(new PutItemCommand({ TableName: TABLE, Item }));
  await put({ pk: { S: clientPk(clientId) }, sk: { S: CLIENT_SK }, tenantId: { S: tenantId }, status: { S: clientStatus } });
  await put({ pk: { S: tenantPk(tenantId) }, sk: { S: TENANT_SK }, status: { S: tenantStatus } });
}

beforeAll(async () => {
  ssm = await startLocalSsm();
  dynalite = await startDynalite();
  ddb = new DynamoDBClient({ endpoint: dynalite.endpoint, region: REGION, credentials: CREDENTIALS });
  await createTable(ddb, TABLE);
  // The directory as the construct writes it: one parameter per stack holding clients.
  ssm.parameters.set(`${PATH}Identity-0`, JSON.stringify({ declaredglobex: 'globex', declaredinitech: 'initech' }));
  ssm.parameters.set(`${PATH}Tenants0-0`, JSON.stringify({ declaredhooli: 'hooli' }));
  // Another directory (another authorizer's or trigger's): never read.
  ssm.parameters.set('/cdk-cognito-m2m/clients/Other/Identity-0', JSON.stringify({ otherclient: 'intruder' }));
  await register('portalactive', 'umbrella', 'active', 'active');
  await register('portalsuspended', 'umbrella', 'suspended', 'active');
  await register('portaltenantsuspended', 'cyberdyne', 'active', 'suspended');
});

afterEach(() => { ssm.failing = false; });

afterAll(async () => {
  ddb.destroy();
  await ssm.close();
  await dynalite.close();
});

describe('client-credentials tokens of declared clients', () => {
  test('the tenant of the calling client is added as the tenant_id claim of the access token; nothing else changes', async () => {
    // GIVEN
    const h = makeTrigger();
    const event = tokenRequest('declaredglobex');
    // WHEN
    const r = await outcome(h, event);
    // THEN
    expect(addedClaims(r)).toEqual({ tenant_id: 'globex' });
    expect({ ...(r as PreTokenGenerationEvent), response: undefined }).toEqual({ ...event, response: undefined });
    expect(h.logs()).toEqual([{ level: 'info', msg: 'tenant claim added', clientId: 'declaredglobex', tenantId: 'globex' }]);
  });

  test('clients of every stack of the directory resolve, each to its own tenant', async () => {
    const h = makeTrigger();
    expect(addedClaims(await outcome(h, tokenRequest('declaredinitech')))).toEqual({ tenant_id: 'initech' });
    expect(addedClaims(await outcome(h, tokenRequest('declaredhooli')))).toEqual({ tenant_id: 'hooli' });
  });

  test('overrides already in the response are kept', async () => {
    const h = makeTrigger();
    const event = tokenRequest('declaredglobex');
    event.response = { [CLAIMS]: { accessTokenGeneration: { scopesToSuppress: ['aws.cognito.signin.user.admin'], claimsToAddOrOverride: { plan: 'gold' } } } };
    const r = await outcome(h, event);
    expect((r as PreTokenGenerationEvent).response?.[CLAIMS]?.accessTokenGeneration).toEqual({
      scopesToSuppress: ['aws.cognito.signin.user.admin'],
      claimsToAddOrOverride: { plan: 'gold', tenant_id: 'globex' },
    });
  });

  test('the claim takes the configured name', async () => {
    const h = makeTrigger({ TENANT_CLAIM_NAME: 'https://acme.example/tenant' });
    expect(addedClaims(await outcome(h, tokenRequest('declaredglobex')))).toEqual({ 'https://acme.example/tenant': 'globex' });
  });

  test('the directory is read once for many tokens', async () => {
    const before = ssm.calls();
    const h = makeTrigger();
    for (let i = 0; i < 20; i++) expect(addedClaims(await outcome(h, tokenRequest('declaredglobex')))).toEqual({ tenant_id: 'globex' });
    expect(ssm.calls() - before).toBe(1);
  });
});

describe('client metadata is the caller\'s and is ignored', () => {
  test('a tenant in clientMetadata does not change the claim of a declared client', async () => {
    const h = makeTrigger();
    const r = await outcome(h, tokenRequest('declaredglobex', { tenant_id: 'initech', tenantId: 'initech', tenant: 'initech' }));
    expect(addedClaims(r)).toEqual({ tenant_id: 'globex' });
    expect(h.lines.join('')).not.toContain('initech');
  });

  test('a tenant in clientMetadata gives an unknown client no claim, and no token when unknown clients are denied', async () => {
    const metadata = { tenant_id: 'globex' };
    expect(addedClaims(await outcome(makeTrigger(), tokenRequest('madeupclient', metadata)))).toBeUndefined();
    expect(await outcome(makeTrigger({ DENY_UNKNOWN_CLIENTS: 'true' }), tokenRequest('madeupclient', metadata))).toBe('token refused: untrusted_client');
  });
});

describe('clients without a tenant', () => {
  test('an unknown client gets its token without the claim, and a warning names it', async () => {
    const h = makeTrigger();
    const event = tokenRequest('madeupclient');
    const r = await outcome(h, event);
    expect(r).toEqual(event);
    expect(addedClaims(r)).toBeUndefined();
    expect(h.logs()).toEqual([{ level: 'warn', msg: 'token issued without a tenant claim', reason: 'untrusted_client', clientId: 'madeupclient' }]);
  });

  test('with DENY_UNKNOWN_CLIENTS an unknown client is refused a token', async () => {
    const h = makeTrigger({ DENY_UNKNOWN_CLIENTS: 'true' });
    expect(await outcome(h, tokenRequest('madeupclient'))).toBe('token refused: untrusted_client');
    expect(h.logs()).toEqual([{ level: 'warn', msg: 'token refused', reason: 'untrusted_client', clientId: 'madeupclient' }]);
    // A declared client is not affected.
    expect(addedClaims(await outcome(h, tokenRequest('declaredglobex')))).toEqual({ tenant_id: 'globex' });
  });

  test('a client id that is not an app client id (another pool\'s directory key) is not looked up', async () => {
    const before = ssm.calls();
    const h = makeTrigger({ DENY_UNKNOWN_CLIENTS: 'true' });
    expect(await outcome(h, tokenRequest('us-east-1_Other/declaredglobex'))).toBe('token refused: untrusted_client');
    expect(await outcome(h, tokenRequest(undefined))).toBe('token refused: untrusted_client');
    expect(ssm.calls()).toBe(before);
  });
});

describe('the tenant registry', () => {
  const withRegistry = (extra: Record<string, string> = {}, endpoints = {}) => makeTrigger({ TABLE_NAME: TABLE, ...extra }, endpoints);

  test('a client registered through the portal gets its registered tenant', async () => {
    const h = withRegistry();
    expect(addedClaims(await outcome(h, tokenRequest('portalactive', { tenant_id: 'globex' })))).toEqual({ tenant_id: 'umbrella' });
  });

  test('a declared client resolves from the directory, not the registry', async () => {
    const h = withRegistry({}, { dynamodb: `http://127.0.0.1:${await closedPort()}` });
    expect(addedClaims(await outcome(h, tokenRequest('declaredglobex')))).toEqual({ tenant_id: 'globex' });
  });

  test.each([
    ['a suspended client', 'portalsuspended'],
    ['a client of a suspended tenant', 'portaltenantsuspended'],
  ])('%s gets no claim, and no token when unknown clients are denied', async (_, clientId) => {
    const lenient = withRegistry();
    const event = tokenRequest(clientId);
    expect(await outcome(lenient, event)).toEqual(event);
    expect(lenient.logs()).toEqual([{ level: 'warn', msg: 'token issued without a tenant claim', reason: 'suspended', clientId }]);
    const strict = withRegistry({ DENY_UNKNOWN_CLIENTS: 'true' });
    expect(await outcome(strict, tokenRequest(clientId))).toBe('token refused: suspended');
  });

  test('a client neither declared nor registered is unknown', async () => {
    expect(await outcome(withRegistry({ DENY_UNKNOWN_CLIENTS: 'true' }), tokenRequest('madeupclient'))).toBe('token refused: untrusted_client');
  });
});

describe('a trusted source that cannot answer refuses the token (fail closed), whatever DENY_UNKNOWN_CLIENTS says', () => {
  test('SSM failing before the directory was ever loaded: tenants_unavailable, logged as an error with the error class', async () => {
    ssm.failing = true;
    const h = makeTrigger();
    expect(await outcome(h, tokenRequest('declaredglobex'))).toBe('token refused: tenants_unavailable');
    expect(h.logs()).toEqual([{ level: 'error', msg: 'token refused', reason: 'tenants_unavailable', clientId: 'declaredglobex', errorName: 'InternalServerError' }]);
    // The failure is kept for the back-off window only: SSM back, the first token after it gets its claim.
    ssm.failing = false;
    h.at(5000);
    expect(addedClaims(await outcome(h, tokenRequest('declaredglobex')))).toEqual({ tenant_id: 'globex' });
  });

  test('SSM unreachable: tenants_unavailable', async () => {
    const h = makeTrigger({}, { ssm: `http://127.0.0.1:${await closedPort()}` });
    expect(await outcome(h, tokenRequest('declaredglobex'))).toBe('token refused: tenants_unavailable');
  });

  test('a parameter of the library that is not a mapping fails the load: tenants_unavailable', async () => {
    const name = `${PATH}Tenants0-0`;
    const value = ssm.parameters.get(name)!;
    ssm.parameters.set(name, '{"declaredglobex": 42}');
    try {
      expect(await outcome(makeTrigger(), tokenRequest('declaredglobex'))).toBe('token refused: tenants_unavailable');
    } finally {
      ssm.parameters.set(name, value);
    }
  });

  test('the registry unreachable for a registry client: registry_unavailable', async () => {
    const h = makeTrigger({ TABLE_NAME: TABLE }, { dynamodb: `http://127.0.0.1:${await closedPort()}` });
    expect(await outcome(h, tokenRequest('portalactive'))).toBe('token refused: registry_unavailable');
    expect(h.logs()).toEqual([expect.objectContaining({ level: 'error', msg: 'token refused', reason: 'registry_unavailable', clientId: 'portalactive' })]);
  });
});

describe('a parameter under the directory path that the library did not create', () => {
  /** The directory's refresh period: its background refresh lists the path, which is how foreign parameters are found. */
  const REFRESH_MS = 300_000;

  /** Moves the clock to the refresh, starts it with a token request of a declared client, and waits for its log lines. */
  async function refreshed(h: Harness, lines: number): Promise<Record<string, unknown>[]> {
    h.at(REFRESH_MS);
    expect(addedClaims(await outcome(h, tokenRequest('declaredglobex')))).toEqual({ tenant_id: 'globex' });
    const found = () => h.logs().filter((l) => String(l.msg).startsWith('untrusted'));
    // The refresh runs in the background: wait for its lines, for at most 30 s (far beyond the work, even on a busy machine).
    const until = Date.now() + 30_000;
    while (found().length < lines && Date.now() < until) await new Promise((res) => setTimeout(res, 10));
    return found();
  }

  /** Runs `body` with these parameters added under the path (names relative to it), removed afterwards. */
  async function withForeign(parameters: Record<string, string>, body: () => Promise<void>): Promise<void> {
    for (const [name, value] of Object.entries(parameters)) ssm.parameters.set(`${PATH}${name}`, value);
    try {
      await body();
    } finally {
      for (const name of Object.keys(parameters)) ssm.parameters.delete(`${PATH}${name}`);
    }
  }

  test('cannot give a portal client another tenant, nor an unknown client a tenant (without the check: globex twice)', async () => {
    // GIVEN a parameter named like the library's next one in the stack Identity, which the construct did not create
    await withForeign({ 'Identity-1': JSON.stringify({ portalactive: 'globex', madeupclient: 'globex' }) }, async () => {
      const h = makeTrigger({ TABLE_NAME: TABLE, DENY_UNKNOWN_CLIENTS: 'true', AWS_LAMBDA_FUNCTION_NAME: FN });
      // THEN the portal client keeps its registry tenant, the unknown client gets none, the declared clients theirs
      expect(addedClaims(await outcome(h, tokenRequest('portalactive')))).toEqual({ tenant_id: 'umbrella' });
      expect(await outcome(h, tokenRequest('madeupclient'))).toBe('token refused: untrusted_client');
      expect(addedClaims(await outcome(h, tokenRequest('declaredglobex')))).toEqual({ tenant_id: 'globex' });
      // The tokens were answered from the library's parameters, read by name: nothing foreign read yet.
      expect(h.logs().filter((l) => String(l.msg).startsWith('untrusted'))).toEqual([]);
      // The refresh lists the path: the parameter is logged once by name, and counted (EMF) on the load that found it.
      expect(await refreshed(h, 2)).toEqual([
        { level: 'warn', msg: 'untrusted directory parameter ignored', parameterName: `${PATH}Identity-1` },
        {
          level: 'warn',
          msg: 'untrusted directory parameters',
          count: 1,
          functionName: FN,
          UntrustedDirectoryParameters: 1,
          _aws: { Timestamp: T0 + REFRESH_MS, CloudWatchMetrics: [{ Namespace: 'CdkCognitoM2m', Dimensions: [['functionName']], Metrics: [{ Name: 'UntrustedDirectoryParameters' }] }] },
        },
      ]);
      expect(await outcome(h, tokenRequest('madeupclient'))).toBe('token refused: untrusted_client');
    });
  });

  test('cannot re-tenant a declared client, nor (by contradicting the library\'s mapping) make the whole directory fail', async () => {
    await withForeign({ 'intruder': JSON.stringify({ declaredglobex: 'initech' }), 'Tenants0-7': JSON.stringify({ declaredhooli: 'initech' }) }, async () => {
      const h = makeTrigger({ AWS_LAMBDA_FUNCTION_NAME: FN });
      expect(addedClaims(await outcome(h, tokenRequest('declaredglobex')))).toEqual({ tenant_id: 'globex' });
      expect(addedClaims(await outcome(h, tokenRequest('declaredhooli')))).toEqual({ tenant_id: 'hooli' });
      expect((await refreshed(h, 3)).filter((l) => l.parameterName).map((l) => l.parameterName)).toEqual([`${PATH}Tenants0-7`, `${PATH}intruder`]);
      expect(addedClaims(await outcome(h, tokenRequest('declaredhooli')))).toEqual({ tenant_id: 'hooli' });
      expect(h.lines.join('')).not.toContain('initech');
    });
  });

  test('a foreign parameter that is not even a mapping fails nothing', async () => {
    await withForeign({ 'Broken-0': '{"declaredglobex": 42}' }, async () => {
      const h = makeTrigger();
      expect(addedClaims(await outcome(h, tokenRequest('declaredglobex')))).toEqual({ tenant_id: 'globex' });
      expect((await refreshed(h, 1)).map((l) => l.parameterName)).toEqual([`${PATH}Broken-0`]);
    });
  });
});

describe('outage back-off: 100 token requests within 1 s (controlled clock, requests to the local servers counted)', () => {
  /** 100 token requests for `clientOf(i)`, one every 10 ms from `start`; their outcomes. */
  async function burst(h: Harness, start: number, clientOf: (i: number) => string): Promise<unknown[]> {
    const out: unknown[] = [];
    for (let i = 0; i < 100; i++) {
      h.at(start + i * 10);
      out.push(await outcome(h, tokenRequest(clientOf(i))));
    }
    return out;
  }

  test('SSM down: one directory load per 5 s window (its SDK attempts), every token refused; SSM back, the next window recovers', async () => {
    ssm.failing = true;
    const h = makeTrigger();
    const before = ssm.calls();
    expect(new Set(await burst(h, 0, () => 'declaredglobex'))).toEqual(new Set(['token refused: tenants_unavailable']));
    expect(ssm.calls() - before).toBe(SSM_ATTEMPTS);
    // Each refusal is logged with the outage's error class, answered from memory or not.
    expect(new Set(h.logs().map((l) => `${l.reason}:${l.errorName}`))).toEqual(new Set(['tenants_unavailable:InternalServerError']));
    await burst(h, 5000, () => 'declaredglobex');
    expect(ssm.calls() - before).toBe(2 * SSM_ATTEMPTS);
    ssm.failing = false;
    h.at(10_000);
    expect(addedClaims(await outcome(h, tokenRequest('declaredglobex')))).toEqual({ tenant_id: 'globex' });
    expect(ssm.calls() - before).toBe(2 * SSM_ATTEMPTS + 1);
  });

  test('DynamoDB down: one registry lookup per window for 100 portal clients (its SDK attempts); declared clients keep their claim', async () => {
    // A DynamoDB endpoint that answers every call with a 500, counting them.
    const failing = await loopbackServer((_req, res) => {
      res.writeHead(500, { 'content-type': 'application/x-amz-json-1.0' })
        .end(JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message: 'injected failure' }));
    });
    try {
      const h = makeTrigger({ TABLE_NAME: TABLE }, { dynamodb: `http://127.0.0.1:${failing.port}` });
      expect(new Set(await burst(h, 0, (i) => `portalclient${i}`))).toEqual(new Set(['token refused: registry_unavailable']));
      expect(failing.hits()).toBe(DDB_ATTEMPTS);
      expect(addedClaims(await outcome(h, tokenRequest('declaredglobex')))).toEqual({ tenant_id: 'globex' });
      await burst(h, 5000, (i) => `portalclient${i}`);
      expect(failing.hits()).toBe(2 * DDB_ATTEMPTS);
    } finally {
      await failing.close();
    }
  });

  test('OUTAGE_BACKOFF_MS 0 restores a load per request (the behaviour of the finding, measured)', async () => {
    ssm.failing = true;
    const h = makeTrigger({ OUTAGE_BACKOFF_MS: '0' });
    const before = ssm.calls();
    for (let i = 0; i < 10; i++) expect(await outcome(h, tokenRequest('declaredglobex'))).toBe('token refused: tenants_unavailable');
    expect(ssm.calls() - before).toBe(10 * SSM_ATTEMPTS);
  });
});

describe('other trigger sources', () => {
  test.each([
    'TokenGeneration_HostedAuth', 'TokenGeneration_Authentication', 'TokenGeneration_NewPasswordChallenge',
    'TokenGeneration_AuthenticateDevice', 'TokenGeneration_RefreshTokens',
  ])('%s (a user sign-in) is returned unchanged, without a lookup', async (source) => {
    const before = ssm.calls();
    const h = makeTrigger({ DENY_UNKNOWN_CLIENTS: 'true' });
    const event = tokenRequest('declaredglobex', { tenant_id: 'initech' }, source);
    expect(await outcome(h, event)).toBe(event);
    expect(ssm.calls()).toBe(before);
  });
});

describe('an invalid configuration', () => {
  test('refuses every client-credentials token (config_error) and still passes user sign-ins', async () => {
    const h = makeTrigger({ TENANT_CLAIM_NAME: 'client_id' });
    expect(h.logs()).toEqual([expect.objectContaining({ level: 'error', reason: 'config_error', configDetail: expect.stringContaining('TENANT_CLAIM_NAME: "client_id" is invalid') })]);
    expect(await outcome(h, tokenRequest('declaredglobex'))).toBe('token refused: config_error');
    const signIn = tokenRequest('declaredglobex', undefined, 'TokenGeneration_HostedAuth');
    expect(await outcome(h, signIn)).toBe(signIn);
  });
});
