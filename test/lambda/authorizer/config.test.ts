/**
 * Configuration errors (routes.json, CLIENT_TENANTS, CLIENT_TENANTS_PATH, TABLE_NAME and
 * REGISTRY_CACHE_TTL_SECONDS, other env vars) deny
 * every request with a config_error log line; the Lambda entry reads its
 * configuration from the environment and routes.json next to the bundle.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CLIENTS, claims, jwksOf, makeKey, REFERENCE_ROUTES, sign, tokenEvent, USER_POOL_ID } from './helpers';
import { createAuthorizerFromEnv, AuthorizerEvent } from '../../../lambda/authorizer/authorizer';
import { configFromEnv, DirectoryFactory, RegistryFactory } from '../../../lambda/authorizer/config';
import { directoryFromEnv, DirectoryTenantResolver } from '../../../lambda/authorizer/directory';
import { createRegistryTenantResolver, RegistryTenantResolver } from '../../../lambda/authorizer/registry-resolver';
import { routeTableOf } from '../../../lambda/authorizer/route-table';
import { StaticTenantResolver } from '../../../lambda/authorizer/tenant-resolver';
import { ConfigError } from '../../../lambda/shared/config';
import { Logger } from '../../../lambda/shared/log';

const key = makeKey();
let dir: string;
beforeAll(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'authorizer-config-')); });
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function write(name: string, content: unknown): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

function env(overrides: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  return {
    USER_POOL_ID,
    CLIENT_TENANTS: JSON.stringify(CLIENTS),
    ROUTE_TABLE_PATH: write('routes.json', REFERENCE_ROUTES),
    JWKS_PATH: write('jwks.json', jwksOf(key)),
    ...overrides,
  };
}

async function run(e: NodeJS.ProcessEnv, event: AuthorizerEvent = tokenEvent(sign(key, claims())), registry?: RegistryFactory) {
  const lines: string[] = [];
  const a = createAuthorizerFromEnv(e, dir, { logger: new Logger('info', (l) => { lines.push(l); }), registry });
  const atStart = lines.length;
  let result: unknown;
  try {
    result = await a.handle(event);
  } catch (err) {
    result = (err as Error).message;
  }
  return { result, startup: lines.slice(0, atStart).map((l) => JSON.parse(l)), request: lines.slice(atStart).map((l) => JSON.parse(l)) };
}

test('a valid environment authorizes', async () => {
  const r = await run(env());
  expect(r.result).toMatchObject({ principalId: 'client1globex' });
  expect(r.startup).toEqual([]);
});

const [route0] = REFERENCE_ROUTES.routes;
const badTables: [string, unknown][] = [
  ['not JSON', '{"version": 2,'],
  ['not an object', '[]'],
  ['version 1 (a table from before synth-time planning)', { ...REFERENCE_ROUTES, version: 1 }],
  ['scopes not an array', { ...REFERENCE_ROUTES, scopes: 'a b' }],
  ['scope with a space', { ...REFERENCE_ROUTES, scopes: ['a b', 'c'] }],
  ['empty scope', { ...REFERENCE_ROUTES, scopes: ['', 'c'] }],
  ['routes not an array', { ...REFERENCE_ROUTES, routes: {} }],
  ['route not an object', { ...REFERENCE_ROUTES, routes: [null] }],
  ['scope index out of range', { ...REFERENCE_ROUTES, routes: [{ ...route0, scopes: [2] }] }],
  ['negative scope index', { ...REFERENCE_ROUTES, routes: [{ ...route0, scopes: [-1] }] }],
  ['fractional scope index', { ...REFERENCE_ROUTES, routes: [{ ...route0, scopes: [0.5] }] }],
  ['empty scopes of a route', { ...REFERENCE_ROUTES, routes: [{ ...route0, scopes: [] }] }],
  ['bad match', { ...REFERENCE_ROUTES, routes: [{ ...route0, match: 'SOME_OF' }] }],
  ['missing pattern', { ...REFERENCE_ROUTES, routes: [{ ...route0, pattern: undefined }] }],
  ['pattern not under a stage wildcard', { ...REFERENCE_ROUTES, routes: [{ ...route0, pattern: 'prod/GET/orders' }] }],
  ['overlaps missing', { ...REFERENCE_ROUTES, overlaps: undefined }],
  ['overlap route out of range', { ...REFERENCE_ROUTES, overlaps: [[0, 9, 1]] }],
  ['overlap flags out of range', { ...REFERENCE_ROUTES, overlaps: [[0, 1, 4]] }],
  ['overlap flags zero', { ...REFERENCE_ROUTES, overlaps: [[0, 1, 0]] }],
  ['overlap not a triple', { ...REFERENCE_ROUTES, overlaps: [[0, 1]] }],
];

test.each(badTables)('bad routes.json (%s): every request denied, config_error logged', async (_, content) => {
  const r = await run(env({ ROUTE_TABLE_PATH: write('bad-routes.json', content) }));
  expect(r.result).toBe('Unauthorized');
  expect(r.startup).toHaveLength(1);
  expect(r.startup[0]).toMatchObject({ level: 'error', reason: 'config_error' });
  expect(r.startup[0].configDetail).toMatch(/routes\.json/);
  expect(r.request).toEqual([{ level: 'error', msg: 'denied', reason: 'config_error' }]);
});

test('missing routes.json', async () => {
  const r = await run(env({ ROUTE_TABLE_PATH: path.join(dir, 'nope.json') }));
  expect(r.result).toBe('Unauthorized');
  expect(r.startup[0].configDetail).toMatch(/could not be read.*ENOENT/);
});

const badEnv: [string, Record<string, string | undefined>][] = [
  ['CLIENT_TENANTS missing', { CLIENT_TENANTS: undefined }],
  ['CLIENT_TENANTS not JSON', { CLIENT_TENANTS: '{client1globex: globex}' }],
  ['CLIENT_TENANTS an array', { CLIENT_TENANTS: '["client1globex"]' }],
  ['CLIENT_TENANTS tenant not a string', { CLIENT_TENANTS: '{"client1globex": 7}' }],
  ['CLIENT_TENANTS bad client id', { CLIENT_TENANTS: '{"client 1": "globex"}' }],
  ['USER_POOL_ID missing', { USER_POOL_ID: undefined }],
  ['USER_POOL_ID malformed', { USER_POOL_ID: 'us-east-1-AbC' }],
  ['TOKEN_CACHE_MAX_ENTRIES not a number', { TOKEN_CACHE_MAX_ENTRIES: 'lots' }],
  ['JWKS_TIMEOUT_MS out of range', { JWKS_TIMEOUT_MS: '0' }],
  ['MAX_TOKEN_BYTES out of range', { MAX_TOKEN_BYTES: '10' }],
  ['USAGE_KEY_PREFIX not a usage key prefix', { USAGE_KEY_PREFIX: 'apikey-' }],
  ['JWKS_PATH not a JWKS', { JWKS_PATH: '/dev/null' }],
  ['TABLE_NAME malformed', { TABLE_NAME: 'no spaces allowed' }],
  ['TABLE_NAME too short', { TABLE_NAME: 'ab' }],
  ['TABLE_NAME a table ARN (the construct writes the name)', { TABLE_NAME: 'arn:aws:dynamodb:us-east-1:123456789012:table/registry' }],
  ['REGISTRY_CACHE_TTL_SECONDS above 900', { TABLE_NAME: 'registry', REGISTRY_CACHE_TTL_SECONDS: '901' }],
  ['REGISTRY_CACHE_TTL_SECONDS negative', { TABLE_NAME: 'registry', REGISTRY_CACHE_TTL_SECONDS: '-1' }],
  ['REGISTRY_CACHE_TTL_SECONDS not an integer', { TABLE_NAME: 'registry', REGISTRY_CACHE_TTL_SECONDS: '1.5' }],
  ['REGISTRY_CACHE_TTL_SECONDS not a number', { TABLE_NAME: 'registry', REGISTRY_CACHE_TTL_SECONDS: 'thirty' }],
];

test.each(badEnv)('bad environment (%s): every request denied, config_error logged', async (_, overrides) => {
  // With registry support, so that TABLE_NAME and its TTL are refused for their values.
  const r = await run(env(overrides), undefined, createRegistryTenantResolver);
  expect(r.result).toBe('Unauthorized');
  expect(r.startup).toHaveLength(1);
  expect(r.startup[0]).toMatchObject({ level: 'error', reason: 'config_error' });
  expect(r.request).toEqual([{ level: 'error', msg: 'denied', reason: 'config_error' }]);
});

describe('tenant registry (TABLE_NAME)', () => {
  test('without TABLE_NAME the resolver is the static mapping', () => {
    expect(configFromEnv(env(), dir).tenants).toBeInstanceOf(StaticTenantResolver);
  });

  test.each([
    ['TTL default', 'registry', undefined],
    ['TTL 0', 'registry', '0'],
    ['TTL 900', 'registry', '900'],
  ])('with TABLE_NAME the registry resolver wraps the declared clients (%s)', async (_, table, ttl) => {
    const config = configFromEnv(env({ TABLE_NAME: table, REGISTRY_CACHE_TTL_SECONDS: ttl }), dir, createRegistryTenantResolver);
    expect(config.tenants).toBeInstanceOf(RegistryTenantResolver);
    // A declared client resolves without any registry call (the DynamoDB client is never used here).
    expect(config.tenants.resolve('client1globex')).toBe('globex');
    expect(config.tenants.recheckAt?.('client1globex', 0)).toBeUndefined();
    const r = await run(env({ TABLE_NAME: table, REGISTRY_CACHE_TTL_SECONDS: ttl }), undefined, createRegistryTenantResolver);
    expect(r.result).toMatchObject({ principalId: 'client1globex', context: { tenantId: 'globex' } });
    expect(r.startup).toEqual([]);
  });

  test('the registry factory receives the environment, the declared clients and the outage back-off', () => {
    const factory = jest.fn((_e: Parameters<RegistryFactory>[0], o: Parameters<RegistryFactory>[1]) => o.declared);
    const e = env({ TABLE_NAME: 'registry', REGISTRY_CACHE_TTL_SECONDS: '45', OUTAGE_BACKOFF_MS: '2500' });
    configFromEnv(e, dir, factory);
    expect(factory).toHaveBeenCalledTimes(1);
    expect(factory.mock.calls[0][0]).toBe(e);
    expect(factory.mock.calls[0][1]).toMatchObject({ backoffMs: 2500 });
    expect(factory.mock.calls[0][1].declared.resolve('client1globex')).toBe('globex');
  });

  test('the registry build reads TABLE_NAME and REGISTRY_CACHE_TTL_SECONDS: a bad value is a config error naming it', () => {
    expect(() => configFromEnv(env({ TABLE_NAME: 'a b' }), dir, createRegistryTenantResolver)).toThrow(/^TABLE_NAME/);
    expect(() => configFromEnv(env({ TABLE_NAME: 'registry', REGISTRY_CACHE_TTL_SECONDS: '-1' }), dir, createRegistryTenantResolver))
      .toThrow(/^REGISTRY_CACHE_TTL_SECONDS/);
    // Without TABLE_NAME, the declared clients alone (no DynamoDB client).
    expect(configFromEnv(env(), dir, createRegistryTenantResolver).tenants).toBeInstanceOf(StaticTenantResolver);
  });

  test('TABLE_NAME on a bundle without registry support is a config error (every request denied), not ignored', async () => {
    const r = await run(env({ TABLE_NAME: 'registry' }));
    expect(r.result).toBe('Unauthorized');
    expect(r.startup).toHaveLength(1);
    expect(r.startup[0]).toMatchObject({ level: 'error', reason: 'config_error' });
    expect(r.startup[0].configDetail)
      .toBe('TABLE_NAME is set but this bundle has no tenant-registry support (deploy assets/authorizer-registry)');
  });
});

describe('client directory (CLIENT_TENANTS_PATH)', () => {
  const directoryEnv = () => env({ CLIENT_TENANTS: undefined, CLIENT_TENANTS_PATH: '/cdk-cognito-m2m/clients/ApiTenantAuthorizer1/', CLIENT_TENANTS_PARAMETERS: '{"Api":1}' });

  test('CLIENT_TENANTS_PATH on a bundle without directory support is a config error (every request denied), not ignored', async () => {
    const r = await run(directoryEnv());
    expect(r.result).toBe('Unauthorized');
    expect(r.startup).toHaveLength(1);
    expect(r.startup[0]).toMatchObject({ level: 'error', reason: 'config_error' });
    expect(r.startup[0].configDetail)
      .toBe('CLIENT_TENANTS_PATH is set but this bundle has no client-directory support (deploy assets/authorizer-directory)');
    expect(r.request).toEqual([{ level: 'error', msg: 'denied', reason: 'config_error' }]);
  });

  test('with directory support, the declared clients are the directory (read on the first request, not at cold start)', () => {
    const directory = jest.fn<ReturnType<DirectoryFactory>, Parameters<DirectoryFactory>>(directoryFromEnv);
    const config = configFromEnv(directoryEnv(), dir, undefined, { directory });
    expect(config.tenants).toBeInstanceOf(DirectoryTenantResolver);
    expect(directory).toHaveBeenCalledTimes(1);
    expect(directory.mock.calls[0][0].CLIENT_TENANTS_PATH).toBe('/cdk-cognito-m2m/clients/ApiTenantAuthorizer1/');
  });

  test('the registry builds serve the directory: their factory carries it', () => {
    expect(createRegistryTenantResolver.directory).toBe(directoryFromEnv);
    expect(configFromEnv(directoryEnv(), dir, createRegistryTenantResolver).tenants).toBeInstanceOf(DirectoryTenantResolver);
  });

  test('inline clients need no directory support, and CLIENT_TENANTS with CLIENT_TENANTS_PATH is refused with or without it', () => {
    expect(configFromEnv(env(), dir).tenants).toBeInstanceOf(StaticTenantResolver);
    const both = env({ CLIENT_TENANTS_PATH: '/cdk-cognito-m2m/clients/ApiTenantAuthorizer1/', CLIENT_TENANTS_PARAMETERS: '{"Api":1}' });
    for (const directory of [undefined, directoryFromEnv]) {
      expect(() => configFromEnv(both, dir, undefined, { directory })).toThrow('CLIENT_TENANTS and CLIENT_TENANTS_PATH are both set');
    }
  });
});

test('the config error detail never quotes the CLIENT_TENANTS value', async () => {
  const r = await run(env({ CLIENT_TENANTS: '{"client1globex": "globex", secretish: 1}' }));
  expect(JSON.stringify(r.startup)).not.toContain('secretish');
});

test('routeTableOf throws ConfigError', () => {
  expect(() => routeTableOf({ ...REFERENCE_ROUTES, version: 1 })).toThrow(ConfigError);
  expect(routeTableOf(REFERENCE_ROUTES)).toBe(REFERENCE_ROUTES);
});

describe('the Lambda entry (index.ts)', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
    jest.restoreAllMocks();
  });

  function loadHandler(e: NodeJS.ProcessEnv): (event: AuthorizerEvent) => Promise<unknown> {
    process.env = { ...saved, ...e };
    let handler: ((event: AuthorizerEvent) => Promise<unknown>) | undefined;
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      handler = require('../../../lambda/authorizer/index').handler;
    });
    return handler!;
  }

  /** The end of the current turn of the event loop, when the handler's lines are written (lambda/shared/log.ts `afterTurn`). */
  const turn = () => new Promise((resolve) => setImmediate(resolve));

  test('reads the environment and routes.json, answers, and logs to stdout only on denial and a token\'s first sighting', async () => {
    const out: string[] = [];
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => { out.push(String(chunk)); return true; });
    const handler = loadHandler(env());
    const token = sign(key, claims());
    await expect(handler(tokenEvent(token))).resolves.toMatchObject({ principalId: 'client1globex' });
    await expect(handler(tokenEvent(token))).resolves.toMatchObject({ principalId: 'client1globex' });
    // The answers did not wait for the line: it is written when the turn is over.
    expect(out).toEqual([]);
    await turn();
    expect(out.map((l) => JSON.parse(l))).toEqual([expect.objectContaining({ level: 'info', msg: 'token first seen', clientId: 'client1globex' })]);
    out.length = 0;
    await expect(handler(tokenEvent(sign(key, claims({ client_id: 'nobody' }))))).rejects.toThrow(/^Unauthorized$/);
    await turn();
    expect(out.map((l) => JSON.parse(l))).toEqual([{ level: 'warn', msg: 'denied', reason: 'untrusted_client', clientId: 'nobody' }]);
  });

  test('the lines of one turn go out in one write, one line each, in the order they were logged', async () => {
    const out: string[] = [];
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => { out.push(String(chunk)); return true; });
    const handler = loadHandler(env());
    const tokens = [sign(key, claims()), sign(key, claims({ client_id: 'nobody' })), sign(key, claims())];
    const answers = await Promise.allSettled(tokens.map((t) => handler(tokenEvent(t))));
    expect(answers.map((a) => a.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    await turn();
    expect(out).toHaveLength(1);
    expect(out[0].endsWith('\n')).toBe(true);
    const lines = out[0].slice(0, -1).split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.msg, l.reason, l.tokenId])).toEqual([
      ['token first seen', undefined, JSON.parse(Buffer.from(tokens[0].split('.')[1], 'base64url').toString()).jti],
      ['denied', 'untrusted_client', undefined],
      ['token first seen', undefined, JSON.parse(Buffer.from(tokens[2].split('.')[1], 'base64url').toString()).jti],
    ]);
    // The next turn starts empty.
    await handler(tokenEvent(tokens[0]));
    await turn();
    expect(out).toHaveLength(1);
  });

  test('defaults ROUTE_TABLE_PATH to routes.json next to index (a missing one is a config error)', async () => {
    const out: string[] = [];
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => { out.push(String(chunk)); return true; });
    const handler = loadHandler(env({ ROUTE_TABLE_PATH: undefined }));
    await expect(handler(tokenEvent(sign(key, claims())))).rejects.toThrow(/^Unauthorized$/);
    await turn();
    const logs = out.join('').trim().split('\n').map((l) => JSON.parse(l));
    expect(logs[0].configDetail).toContain(path.join('lambda', 'authorizer', 'routes.json'));
    expect(logs[1]).toEqual({ level: 'error', msg: 'denied', reason: 'config_error' });
  });
});
