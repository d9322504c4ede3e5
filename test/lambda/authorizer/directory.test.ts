/**
 * The client directory in SSM (lambda/authorizer/directory.ts): loaded on the
 * first request, shared by concurrent ones, refreshed in the background,
 * unknown clients rate-limited, outages fail closed (and back off), removed
 * clients dropped, and only the parameters the library created trusted: a
 * foreign parameter under the path is ignored, logged once and counted.
 * And the whole path: the parameters a 1,000-tenant app synthesizes admit
 * exactly its clients, each with its tenant.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { claims, isFirstSeen, makeAuthorizer, makeKey, jwksOf, outcome, REFERENCE_ROUTES, sign, tokenEvent, USER_POOL_ID } from './helpers';
import { configFromEnv } from '../../../lambda/authorizer/config';
import {
  checkDirectoryPath, DIRECTORY_CONCURRENCY, DirectoryParameter, DirectoryTenantResolver, directoryFromEnv, mergeDirectory, readByName, readByPath,
} from '../../../lambda/authorizer/directory';
import { AuthorizerError } from '../../../lambda/authorizer/errors';
import { untrustedParameterReporter } from '../../../lambda/authorizer/metrics';
import { createRegistryTenantResolver } from '../../../lambda/authorizer/registry-resolver';
import { SSM_MAX_ATTEMPTS, ssmCaller } from '../../../lambda/authorizer/ssm';
import { ConfigError } from '../../../lambda/shared/config';
import { Logger } from '../../../lambda/shared/log';
import { CLIENT_SK, clientPk, TENANT_SK, tenantPk } from '../../../lambda/shared/registry';
import { M2mUserPool, ScopedRestApi, TenantAppClient } from '../../../lib';
import { parseDirectoryParameters } from '../../../lib/private/contracts/client-directory';
import { mockIntegration } from '../../fixtures';
import { clientsOf, directoryParameters } from '../../support/client-directory';
import { createTable, Dynalite, startDynalite } from '../portal/harness';
import { CREDENTIALS, LocalSsm, REGION, startLocalSsm } from '../tenant-claim/local-ssm';

const PATH = '/cdk-cognito-m2m/clients/ApiTenantAuthorizerAB12CD34/';
const param = (name: string, map: Record<string, string>): DirectoryParameter => ({ name: `${PATH}${name}`, value: JSON.stringify(map) });
/** The parameters the construct created: CLIENT_TENANTS_PARAMETERS `{"S":2}`. */
const TRUSTED = parseDirectoryParameters('{"S":2}', PATH);
const FN = 'Api-TenantAuthorizerFunction-AbC123';
/** Requests one call to a failing SSM makes: its attempts (lambda/authorizer/ssm.ts). */
const ATTEMPTS = SSM_MAX_ATTEMPTS;
/** The resolver's default refresh period: the background refresh, which lists the path, runs after it. */
const REFRESH_MS = 300_000;

/** Waits until `check` holds (background work to finish), for at most 30 s: far beyond the work, even on a busy machine. */
async function eventually(check: () => boolean): Promise<void> {
  const until = Date.now() + 30_000;
  while (!check() && Date.now() < until) await new Promise((res) => setTimeout(res, 10));
  expect(check()).toBe(true);
}

/** A loader whose answers the test controls; counts calls. */
function controlledLoader() {
  let answer: () => Promise<DirectoryParameter[]> = async () => [param('S-0', { clientA: 'alpha' })];
  const loader = Object.assign(async () => { loader.calls++; return answer(); }, { calls: 0 });
  return { loader, set: (f: () => Promise<DirectoryParameter[]>) => { answer = f; } };
}

describe('DirectoryTenantResolver', () => {
  test('the first request loads; concurrent requests share that load; known clients then resolve without waiting', async () => {
    const { loader } = controlledLoader();
    const r = new DirectoryTenantResolver({ load: loader, trusted: TRUSTED });
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
    const r = new DirectoryTenantResolver({ load: loader, trusted: TRUSTED, refreshMs: 60_000, now: () => now });
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
    const r = new DirectoryTenantResolver({ load: loader, trusted: TRUSTED, unknownRetryMs: 30_000, now: () => now });
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
    const r = new DirectoryTenantResolver({ load: loader, trusted: TRUSTED });
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
    const r = new DirectoryTenantResolver({ load: loader, trusted: TRUSTED, refreshMs: 60_000, maxStaleMs: 600_000, now: () => now });
    await r.resolve('clientA');
    set(async () => { throw new Error('down'); });
    now = 300_000;
    expect(r.resolve('clientA')).toBe('alpha');
    await new Promise((res) => setImmediate(res));
    now = 600_000;
    await expect(Promise.resolve(r.resolve('clientA'))).rejects.toMatchObject({ reason: 'tenants_unavailable' });
  });

  test('a parameter that is not a mapping fails the whole load, naming the parameter', () => {
    expect(() => mergeDirectory([param('S-0', { a: 'x' }), { name: `${PATH}S-1`, value: '{"b":' }], TRUSTED)).toThrow(`parameter ${PATH}S-1 is not valid JSON`);
    expect(() => mergeDirectory([param('S-0', { a: 'x' }), param('S-1', { a: 'y' })], TRUSTED)).toThrow(`parameter ${PATH}S-1: client a is mapped to x elsewhere and to y here`);
    expect(() => mergeDirectory([param('S-0', { a: 'no spaces allowed' })], TRUSTED)).toThrow('the tenant of a must be a tenant id');
    expect(() => mergeDirectory([{ name: `${PATH}S-0`, value: undefined }], TRUSTED)).toThrow(`parameter ${PATH}S-0 is empty`);
  });
});

describe('only the parameters the library created (a foreign parameter under the path)', () => {
  /** A directory with the library's parameter S-0 and whatever else `extra` puts under the path; lines and metrics captured. */
  function attacked(extra: DirectoryParameter[], opts: { refreshMs?: number } = {}) {
    let now = 1_700_000_000_000;
    const lines: string[] = [];
    const logger = new Logger('info', (l) => { lines.push(l); });
    const { loader, set } = controlledLoader();
    set(async () => [param('S-0', { clientA: 'alpha', clientB: 'beta' }), ...extra]);
    const r = new DirectoryTenantResolver({
      load: loader, trusted: TRUSTED, refreshMs: opts.refreshMs, now: () => now, onUntrusted: untrustedParameterReporter(FN, logger, () => now),
    });
    return { r, loader, logs: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>), advance: (ms: number) => { now += ms; } };
  }

  test('a foreign parameter re-tenanting a CDK client and claiming a portal client is ignored; the library\'s parameter still works', async () => {
    // GIVEN someone with ssm:PutParameter wrote two parameters next to the library's (S-0 and S-1): one named
    // like its next parameter (S-2, which the construct did not create), one with any name
    const { r, logs } = attacked([
      param('S-2', { clientA: 'evil', portalclient1: 'alpha' }),
      param('zz-intruder', { portalclient2: 'beta' }),
    ]);
    // WHEN the directory loads
    // THEN the CDK client keeps its tenant, and the portal clients get none from the directory (the registry decides)
    expect(await r.resolve('clientA')).toBe('alpha');
    expect(r.resolve('clientB')).toBe('beta');
    expect(r.resolve('portalclient1')).toBeUndefined();
    expect(r.resolve('portalclient2')).toBeUndefined();
    expect(r.declares('portalclient1')).toBe(false);
    expect(r.size).toBe(2);
    // Each foreign parameter is logged by name (never its value), and the load's count is a metric.
    expect(logs()).toEqual([
      { level: 'warn', msg: 'untrusted directory parameter ignored', parameterName: `${PATH}S-2` },
      { level: 'warn', msg: 'untrusted directory parameter ignored', parameterName: `${PATH}zz-intruder` },
      {
        level: 'warn',
        msg: 'untrusted directory parameters',
        count: 2,
        functionName: FN,
        UntrustedDirectoryParameters: 2,
        _aws: { Timestamp: 1_700_000_000_000, CloudWatchMetrics: [{ Namespace: 'CdkCognitoM2m', Dimensions: [['functionName']], Metrics: [{ Name: 'UntrustedDirectoryParameters' }] }] },
      },
    ]);
    expect(JSON.stringify(logs())).not.toContain('evil');
  });

  test('each name is logged once per execution environment; every load that finds foreign parameters counts them', async () => {
    const { r, loader, logs, advance } = attacked([param('S-2', { clientA: 'evil' })], { refreshMs: 60_000 });
    await r.resolve('clientA');
    for (let i = 0; i < 3; i++) {
      advance(60_000);
      expect(r.resolve('clientA')).toBe('alpha'); // the background reload
      await new Promise((res) => setImmediate(res));
    }
    expect(loader.calls).toBe(4);
    expect(logs().filter((l) => l.msg === 'untrusted directory parameter ignored')).toHaveLength(1);
    expect(logs().filter((l) => l.msg === 'untrusted directory parameters').map((l) => l.UntrustedDirectoryParameters)).toEqual([1, 1, 1, 1]);
  });

  test('a foreign parameter cannot break the directory either: it is not parsed, so bad JSON or a conflicting mapping fails nothing', async () => {
    const { r, logs } = attacked([
      { name: `${PATH}broken`, value: '{"clientA":' },
      param('conflict', { clientB: 'someone-else' }),
    ]);
    expect(await r.resolve('clientA')).toBe('alpha');
    expect(r.resolve('clientB')).toBe('beta');
    expect(logs().map((l) => l.parameterName).filter(Boolean)).toEqual([`${PATH}broken`, `${PATH}conflict`]);
  });

  test('with none of the library\'s parameters there (yet), a foreign one adds nobody', async () => {
    const { loader } = controlledLoader();
    const r = new DirectoryTenantResolver({ load: loader, trusted: TRUSTED });
    expect(await r.resolve('clientA')).toBe('alpha'); // the loader's S-0
    const only = new DirectoryTenantResolver({ load: async () => [param('S-9', { intruder: 'alpha' })], trusted: TRUSTED });
    expect(await only.resolve('intruder')).toBeUndefined();
    expect(only.size).toBe(0);
  });

  test('outside Lambda (no function name) the names are logged and no metric line is written', async () => {
    const lines: string[] = [];
    const report = untrustedParameterReporter(undefined, new Logger('info', (l) => { lines.push(l); }));
    report([`${PATH}x`]);
    report([`${PATH}x`]);
    report([]);
    expect(lines.map((l) => JSON.parse(l))).toEqual([{ level: 'warn', msg: 'untrusted directory parameter ignored', parameterName: `${PATH}x` }]);
  });
});

describe('outage back-off (controlled clock, loads counted)', () => {
  const T0 = 1_700_000_000_000;
  function outage(backoffMs: number | undefined, opts: { refreshMs?: number; maxStaleMs?: number } = {}) {
    let now = T0;
    const { loader, set } = controlledLoader();
    const r = new DirectoryTenantResolver({ load: loader, trusted: TRUSTED, backoffMs, now: () => now, ...opts });
    const down = () => set(async () => { throw Object.assign(new Error('rate exceeded'), { name: 'ThrottlingException' }); });
    const up = () => set(async () => [param('S-0', { clientA: 'alpha' })]);
    return { r, loader, down, up, at: (t: number) => { now = T0 + t; } };
  }

  /** 100 requests, one every 10 ms (990 ms in all), from `start`: their outcomes. */
  async function burst(r: DirectoryTenantResolver, at: (t: number) => void, start: number, clientId = 'clientA'): Promise<unknown[]> {
    const out: unknown[] = [];
    for (let i = 0; i < 100; i++) {
      at(start + i * 10);
      out.push(await Promise.resolve(r.resolve(clientId)).catch((e: AuthorizerError) => `${e.reason}:${(e.cause as Error | undefined)?.name}`));
    }
    return out;
  }

  test('no map and SSM down: 100 requests within 1 s make 1 load, each denied from memory; one more load per window; a success recovers', async () => {
    const { r, loader, down, up, at } = outage(5000);
    down();
    // THEN every request is denied (never an allow without data), naming the outage's error class
    expect(new Set(await burst(r, at, 0))).toEqual(new Set(['tenants_unavailable:ThrottlingException']));
    expect(loader.calls).toBe(1);
    // Still within the window of the failure at 0 ms: no load.
    at(4999);
    await expect(Promise.resolve(r.resolve('clientA'))).rejects.toMatchObject({ reason: 'tenants_unavailable', clientId: 'clientA' });
    expect(loader.calls).toBe(1);
    // The window is over: one load (failing again), then none until the next window.
    expect(new Set(await burst(r, at, 5000))).toEqual(new Set(['tenants_unavailable:ThrottlingException']));
    expect(loader.calls).toBe(2);
    // SSM is back: the first request after the window loads and is answered; the next ones from the map.
    up();
    at(10_000);
    expect(await r.resolve('clientA')).toBe('alpha');
    expect(r.resolve('clientA')).toBe('alpha');
    expect(loader.calls).toBe(3);
  });

  test('the finding without back-off (backoffMs 0): 100 requests within 1 s make 100 loads', async () => {
    const { r, loader, down, at } = outage(0);
    down();
    await burst(r, at, 0);
    expect(loader.calls).toBe(100);
  });

  test('a map past maxStaleMs during an outage: denied, 1 load per window', async () => {
    const { r, loader, down, at } = outage(5000, { refreshMs: 60_000, maxStaleMs: 600_000 });
    expect(await r.resolve('clientA')).toBe('alpha');
    down();
    expect(new Set(await burst(r, at, 600_000))).toEqual(new Set(['tenants_unavailable:ThrottlingException']));
    expect(loader.calls).toBe(2);
  });

  test('a map due for refresh during an outage keeps serving, and the background reload runs once per window, not per request', async () => {
    const { r, loader, down, at } = outage(5000, { refreshMs: 60_000, maxStaleMs: 600_000 });
    expect(await r.resolve('clientA')).toBe('alpha');
    down();
    const out: unknown[] = [];
    for (let i = 0; i < 100; i++) {
      at(60_000 + i * 10);
      out.push(r.resolve('clientA'));
      await new Promise((res) => setImmediate(res));
    }
    expect(new Set(out)).toEqual(new Set(['alpha']));
    expect(loader.calls).toBe(2);
    at(65_000);
    expect(r.resolve('clientA')).toBe('alpha');
    expect(loader.calls).toBe(3);
  });

  test('a trusted parameter that is not a mapping fails the load and backs off too', async () => {
    let loads = 0;
    const bad = new DirectoryTenantResolver({
      load: async () => { loads++; return [{ name: `${PATH}S-0`, value: '{"clientA":' }]; }, trusted: TRUSTED, backoffMs: 5000, now: () => T0,
    });
    for (let i = 0; i < 10; i++) await expect(Promise.resolve(bad.resolve('clientA'))).rejects.toMatchObject({ reason: 'tenants_unavailable' });
    expect(loads).toBe(1);
  });
});

describe('through the authorizer', () => {
  test('a directory outage denies with tenants_unavailable, logged as an error naming the error class (the operator\'s business)', async () => {
    const key = makeKey();
    const tenants = new DirectoryTenantResolver({ load: async () => { throw Object.assign(new Error('rate exceeded'), { name: 'ThrottlingException' }); }, trusted: TRUSTED });
    const { authorizer, logs } = makeAuthorizer({ jwks: jwksOf(key), config: { tenants } });
    expect(await outcome(authorizer, tokenEvent(sign(key, claims())))).toBe('Unauthorized');
    expect(logs()).toEqual([{ level: 'error', msg: 'denied', reason: 'tenants_unavailable', clientId: 'client1globex', errorName: 'ThrottlingException' }]);
  });
});

describe('two reads: the loads a request waits for read the library\'s parameters by name, the refresh lists the path', () => {
  /** A resolver whose two loaders are counted: `load` lists the path (the library's S-0 and a foreign parameter), `loadTrusted` reads S-0. */
  function twoReads(opts: { unknownRetryMs?: number; maxStaleMs?: number } = {}) {
    let now = 1_700_000_000_000;
    const lines: string[] = [];
    const calls: string[] = [];
    let s0: Record<string, string> = { clientA: 'alpha' };
    const foreign = param('zz-intruder', { clientA: 'evil', clientX: 'beta' });
    const r = new DirectoryTenantResolver({
      load: async () => { calls.push('byPath'); return [param('S-0', s0), foreign]; },
      loadTrusted: async () => { calls.push('byName'); return [param('S-0', s0)]; },
      trusted: TRUSTED,
      now: () => now,
      onUntrusted: untrustedParameterReporter(FN, new Logger('info', (l) => { lines.push(l); }), () => now),
      ...opts,
    });
    return {
      r,
      calls,
      advance: (ms: number) => { now += ms; },
      set: (m: Record<string, string>) => { s0 = m; },
      untrusted: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.parameterName).map((l) => l.parameterName),
    };
  }

  test('the first request waits for the library\'s parameters only: no foreign parameter is read, listed or reported before the first answer', async () => {
    const { r, calls, untrusted } = twoReads();
    expect(await r.resolve('clientA')).toBe('alpha');
    expect(r.resolve('clientX')).toBeUndefined();
    expect(calls).toEqual(['byName']);
    expect(untrusted()).toEqual([]);
  });

  test('the refresh lists the path: the foreign parameter is ignored, logged once and counted; the map stays the library\'s', async () => {
    const { r, calls, advance, untrusted } = twoReads();
    await r.resolve('clientA');
    advance(REFRESH_MS);
    expect(r.resolve('clientA')).toBe('alpha'); // answered from the map while the listing runs
    await new Promise((res) => setImmediate(res));
    expect(calls).toEqual(['byName', 'byPath']);
    expect(untrusted()).toEqual([`${PATH}zz-intruder`]);
    expect([r.resolve('clientA'), r.resolve('clientX'), r.size]).toEqual(['alpha', undefined, 1]);
  });

  test('an unknown client and a map past maxStaleMs are waited for: read by name', async () => {
    const { r, calls, advance, set } = twoReads({ unknownRetryMs: 30_000, maxStaleMs: 900_000 });
    await r.resolve('clientA');
    set({ clientA: 'alpha', clientB: 'beta' });
    advance(30_000);
    expect(await r.resolve('clientB')).toBe('beta');
    advance(900_000);
    expect(await r.resolve('clientB')).toBe('beta');
    expect(calls).toEqual(['byName', 'byName', 'byName']);
  });
});

describe('reading the directory from SSM (a local SSM over its JSON protocol)', () => {
  const RPATH = '/cdk-cognito-m2m/clients/ApiTenantAuthorizerREAD01/';
  let ssm: LocalSsm;
  /** 25 parameters of the library (S-0 … S-24), one foreign one. */
  const NAMES = Array.from({ length: 25 }, (_, i) => `${RPATH}S-${i}`);
  beforeAll(async () => {
    ssm = await startLocalSsm();
    NAMES.forEach((n, i) => ssm.parameters.set(n, JSON.stringify({ [`client${i}`]: `tenant-${i}` })));
    ssm.parameters.set(`${RPATH}zz-foreign`, '{"intruder":"tenant-0"}');
  });
  afterEach(() => {
    ssm.denied.clear();
    ssm.failing = false;
    ssm.throttle = undefined;
    ssm.log.length = 0;
  });
  afterAll(() => ssm.close());
  const call = () => ssmCaller({}, { endpoint: ssm.endpoint, region: REGION, credentials: CREDENTIALS });
  const fail = () => { throw new Error('the fallback was used'); };

  test('by path: every page directly under the path, 10 per page, foreign parameters included (the refresh reports them)', async () => {
    const got = await readByPath(call(), RPATH)();
    expect(got.map((p) => p.name)).toEqual([...NAMES, `${RPATH}zz-foreign`].sort());
    expect(ssm.log.map((l) => l.input)).toEqual([
      { Path: RPATH.slice(0, -1), Recursive: false, MaxResults: 10 },
      { Path: RPATH.slice(0, -1), Recursive: false, MaxResults: 10, NextToken: '10' },
      { Path: RPATH.slice(0, -1), Recursive: false, MaxResults: 10, NextToken: '20' },
    ]);
  });

  test('by name: the library\'s parameters in 10-name GetParameters calls, in order; a name SSM does not have is left out', async () => {
    const names = [...NAMES, `${RPATH}S-25`];
    const got = await readByName(call(), names, fail, fail)();
    expect(got).toEqual(NAMES.map((name, i) => ({ name, value: JSON.stringify({ [`client${i}`]: `tenant-${i}` }) })));
    expect(ssm.log.map((l) => [l.operation, (l.input.Names as string[]).length])).toEqual([['GetParameters', 10], ['GetParameters', 10], ['GetParameters', 6]]);
    expect(ssm.log.flatMap((l) => l.input.Names as string[]).sort()).toEqual([...names].sort());
  });

  test(`by name: at most ${DIRECTORY_CONCURRENCY} calls in flight at once`, async () => {
    // A loader over 200 names (20 calls) whose calls are held until counted.
    let inFlight = 0;
    let most = 0;
    const counting = async (op: 'GetParameters' | 'GetParametersByPath', input: object) => {
      most = Math.max(most, ++inFlight);
      await new Promise((res) => setTimeout(res, 5));
      inFlight--;
      return call()(op, input);
    };
    await readByName(counting, Array.from({ length: 200 }, (_, i) => `${RPATH}T-${i}`), fail, fail)();
    expect(most).toBe(DIRECTORY_CONCURRENCY);
  });

  test('by name: the first call alone, then waves; a call that fails fails the load, and the later waves are not sent', async () => {
    // A server of its own: the retries of the calls in flight when the load fails still arrive after it.
    const throttling = await startLocalSsm();
    try {
      throttling.throttle = { perSecond: 0, burst: 3 };
      const names = Array.from({ length: 200 }, (_, i) => `${RPATH}T-${i}`);
      const own = ssmCaller({}, { endpoint: throttling.endpoint, region: REGION, credentials: CREDENTIALS });
      // Every call the load starts, settled with its retries: the calls in flight when the load fails go on after it.
      const started: Array<Promise<unknown>> = [];
      const tracked: typeof own = (op, input) => {
        const pending = own(op, input);
        started.push(pending.catch(() => undefined));
        return pending;
      };
      await expect(readByName(tracked, names, fail, fail)()).rejects.toMatchObject({ name: 'ThrottlingException' });
      await Promise.all(started);
      // 20 calls of 10 names: the first alone, then a wave of 8, of which 2 answered and 6 throttled, each retried
      // once; the later waves not sent.
      expect(started).toHaveLength(1 + DIRECTORY_CONCURRENCY);
      expect(throttling.calls()).toBe(1 + DIRECTORY_CONCURRENCY + 6);
      // Throttled from the first call: the load costs that call's attempts.
      throttling.throttle = { perSecond: 0, burst: 0 };
      const before = throttling.calls();
      await expect(readByName(own, names, fail, fail)()).rejects.toMatchObject({ name: 'ThrottlingException' });
      expect(throttling.calls() - before).toBe(SSM_MAX_ATTEMPTS);
    } finally {
      await throttling.close();
    }
  });

  test('by name, under a role without ssm:GetParameters: read by path from then on, told once', async () => {
    ssm.denied.add('GetParameters');
    let told = 0;
    const load = readByName(call(), NAMES, readByPath(call(), RPATH), () => { told++; });
    const byName = () => ssm.log.filter((l) => l.operation === 'GetParameters').length;
    expect((await load()).map((p) => p.name)).toContain(`${RPATH}zz-foreign`);
    // The first load's first call was refused (the others were not sent); no later load asks again.
    expect(byName()).toBe(1);
    for (let i = 0; i < 2; i++) expect((await load()).map((p) => p.name)).toContain(`${RPATH}zz-foreign`);
    expect([byName(), told]).toEqual([1, 1]);
  });

  test('from the environment, under a role without ssm:GetParameters: the directory still loads, and the warning is logged once', async () => {
    ssm.denied.add('GetParameters');
    const lines: string[] = [];
    const r = directoryFromEnv({ CLIENT_TENANTS_PATH: RPATH, CLIENT_TENANTS_PARAMETERS: '{"S":25}' }, {
      logger: new Logger('info', (l) => { lines.push(l); }), ssm: { endpoint: ssm.endpoint, region: REGION, credentials: CREDENTIALS },
    });
    expect(await r.resolve('client7')).toBe('tenant-7');
    expect(await r.resolve('intruder')).toBeUndefined();
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      { level: 'warn', msg: 'ssm:GetParameters denied: the directory is read by path', errorName: 'AccessDeniedException' },
      { level: 'warn', msg: 'untrusted directory parameter ignored', parameterName: `${RPATH}zz-foreign` },
    ]);
  });
});

describe('SSM throttling from a burst of new execution environments: fail closed, bounded retries', () => {
  const BPATH = '/cdk-cognito-m2m/clients/ApiTenantAuthorizerBURST1/';
  /** 15 parameters of the library (2 GetParameters calls per load), 10 clients each. */
  const PARAMETERS = 15;
  const ENVIRONMENTS = 20;
  const T0 = 1_700_000_000_000;

  test(`${ENVIRONMENTS} environments start at once and SSM throttles: each answers its tenant or tenants_unavailable, never another; `
    + 'at most one load (2 attempts per call) per back-off window each; all recover in the next window', async () => {
    const ssm = await startLocalSsm();
    try {
      for (let i = 0; i < PARAMETERS; i++) {
        ssm.parameters.set(`${BPATH}Api-${i}`, JSON.stringify(Object.fromEntries(Array.from({ length: 10 }, (_, j) => [`client${i}x${j}`, `tenant-${i}-${j}`]))));
      }
      // GIVEN SSM answers 25 calls, then throttles every call: between 5 and 12 environments load (2 calls each)
      ssm.throttle = { perSecond: 0, burst: 25 };
      let now = T0;
      const environments = Array.from({ length: ENVIRONMENTS }, () => directoryFromEnv(
        { CLIENT_TENANTS_PATH: BPATH, CLIENT_TENANTS_PARAMETERS: `{"Api":${PARAMETERS}}` },
        { logger: new Logger('error', () => undefined), now: () => now, ssm: { endpoint: ssm.endpoint, region: REGION, credentials: CREDENTIALS } },
      ));
      const answer = (r: DirectoryTenantResolver, clientId: string) => Promise.resolve(r.resolve(clientId))
        .catch((e: AuthorizerError) => `${e.reason}:${(e.cause as Error).name}`);
      // WHEN each environment gets 50 requests in its first second (20 ms apart), all environments at once
      const outcomes = new Set<unknown>();
      for (let i = 0; i < 50; i++) {
        now = T0 + i * 20;
        for (const a of await Promise.all(environments.map((r) => answer(r, 'client14x9')))) outcomes.add(a);
      }
      // THEN each request got the client's tenant (an environment that loaded) or was denied: never another tenant, never an allow without data
      expect([...outcomes].sort()).toEqual(['tenant-14-9', 'tenants_unavailable:ThrottlingException']);
      // ... and SSM was asked at most once per environment within the window: 2 calls, each of at most 2 attempts
      expect(ssm.calls()).toBeLessThanOrEqual(ENVIRONMENTS * 2 * SSM_MAX_ATTEMPTS);
      // (a throttled call was retried once: as many throttled answers as failed environments' calls, twice each)
      expect(ssm.throttled() % SSM_MAX_ATTEMPTS).toBe(0);
      const firstWindow = ssm.calls();
      // WHEN the throttling ends and the back-off window (5 s) is over
      ssm.throttle = undefined;
      now = T0 + 5_000;
      // THEN every environment answers again, with one more load (2 calls) at most each
      expect(new Set(await Promise.all(environments.map((r) => answer(r, 'client14x9'))))).toEqual(new Set(['tenant-14-9']));
      expect(ssm.calls() - firstWindow).toBeLessThanOrEqual(ENVIRONMENTS * 2);
    } finally {
      await ssm.close();
    }
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
    // The names the construct passes the authorizer: exactly the parameters it created.
    const fn = Object.values(Template.fromStack(apiStack).findResources('AWS::Lambda::Function'))
      .find((f) => f.Properties.Environment?.Variables?.CLIENT_TENANTS_PATH)!.Properties.Environment.Variables;
    const trusted = parseDirectoryParameters(fn.CLIENT_TENANTS_PARAMETERS, fn.CLIENT_TENANTS_PATH);
    expect(trusted).toEqual(new Set(parameters.map((p) => p.name)));
    const key = makeKey();
    const tenants = new DirectoryTenantResolver({ load: async () => parameters, trusted });
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

describe('the authorizer from its environment, on a local SSM with the registry in dynalite', () => {
  const LPATH = '/cdk-cognito-m2m/clients/ApiTenantAuthorizerLOCAL1/';
  const TABLE = 'registry';
  const key = makeKey();
  let ssm: LocalSsm;
  let dynalite: Dynalite;
  let routesDir: string;

  beforeAll(async () => {
    ssm = await startLocalSsm();
    dynalite = await startDynalite();
    const ddb = new DynamoDBClient({ endpoint: dynalite.endpoint, region: REGION, credentials: CREDENTIALS });
    await createTable(ddb, TABLE);
    // A client the portal registered for tenant umbrella (the items lambda/shared/registry.ts reads).
    await ddb.send(new PutItemCommand({ TableName: TABLE, Item: { pk: { S: clientPk('portalclient1') }, sk: { S: CLIENT_SK }, tenantId: { S: 'umbrella' }, status: { S: 'active' } } }));
    await ddb.send(new PutItemCommand({ TableName: TABLE, Item: { pk: { S: tenantPk('umbrella') }, sk: { S: TENANT_SK }, status: { S: 'active' } } }));
    ddb.destroy();
    // The library's parameter: the CDK client client1globex belongs to globex.
    ssm.parameters.set(`${LPATH}Api-0`, JSON.stringify({ client1globex: 'globex' }));
    routesDir = fs.mkdtempSync(path.join(os.tmpdir(), 'directory-routes-'));
    fs.writeFileSync(path.join(routesDir, 'routes.json'), JSON.stringify(REFERENCE_ROUTES));
  });
  afterEach(() => { ssm.failing = false; });
  afterAll(async () => {
    fs.rmSync(routesDir, { recursive: true, force: true });
    await ssm.close();
    await dynalite.close();
  });

  /** The authorizer as the registry build configures it, with the environment the construct sets; its clock the test's. */
  function fromEnv(extra: Record<string, string> = {}) {
    let now = 1_700_000_000_000;
    const lines: string[] = [];
    const logger = new Logger('info', (l) => { lines.push(l); });
    const config = configFromEnv({
      USER_POOL_ID,
      CLIENT_TENANTS_PATH: LPATH,
      CLIENT_TENANTS_PARAMETERS: '{"Api":1}',
      TABLE_NAME: TABLE,
      AWS_LAMBDA_FUNCTION_NAME: FN,
      ...extra,
    }, routesDir,
    (e, o) => createRegistryTenantResolver(e, { ...o, clientConfig: { endpoint: dynalite.endpoint, region: REGION, credentials: CREDENTIALS } }),
    // The registry build's directory support (createRegistryTenantResolver.directory), which the wrapper above does not carry.
    { directory: directoryFromEnv, logger, now: () => now, ssm: { endpoint: ssm.endpoint, region: REGION, credentials: CREDENTIALS } });
    const { authorizer } = makeAuthorizer({ jwks: jwksOf(key), config: { tenants: config.tenants }, deps: { logger } });
    const tenantOf = async (clientId: string) => {
      const r = await outcome(authorizer, tokenEvent(sign(key, claims({ client_id: clientId, sub: clientId }))));
      return typeof r === 'string' ? r : r.context.tenantId;
    };
    const at = (ms: number) => { now = 1_700_000_000_000 + ms; };
    return { tenantOf, logs: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>), at };
  }

  test('foreign parameters re-tenanting the CDK client and the portal client are ignored: each keeps its own tenant', async () => {
    // GIVEN parameters someone else put under the path: the library's next name, and any name
    ssm.parameters.set(`${LPATH}Api-1`, JSON.stringify({ client1globex: 'initech', portalclient1: 'globex' }));
    ssm.parameters.set(`${LPATH}intruder`, JSON.stringify({ portalclient1: 'initech' }));
    try {
      const a = fromEnv();
      // THEN the CDK client has its tenant from the library's parameter, the portal client its tenant from the registry
      expect(await a.tenantOf('client1globex')).toBe('globex');
      expect(await a.tenantOf('portalclient1')).toBe('umbrella');
      // ... and a client nobody declared or registered stays untrusted
      expect(await a.tenantOf('madeupclient')).toBe('Unauthorized');
      // The first answers read the library's parameter by name: nothing foreign was read.
      const warnings = () => a.logs().filter((l) => l.msg !== 'denied' && !isFirstSeen(l));
      expect(warnings()).toEqual([]);
      // WHEN the map is due for refresh: the refresh lists the path, in the background
      a.at(REFRESH_MS);
      expect(await a.tenantOf('client1globex')).toBe('globex');
      // THEN the foreign parameters are logged once by name and counted; tenants unchanged
      await eventually(() => warnings().length === 3);
      expect(warnings()).toEqual([
        { level: 'warn', msg: 'untrusted directory parameter ignored', parameterName: `${LPATH}Api-1` },
        { level: 'warn', msg: 'untrusted directory parameter ignored', parameterName: `${LPATH}intruder` },
        expect.objectContaining({ level: 'warn', msg: 'untrusted directory parameters', count: 2, functionName: FN, UntrustedDirectoryParameters: 2 }),
      ]);
      expect([await a.tenantOf('client1globex'), await a.tenantOf('portalclient1')]).toEqual(['globex', 'umbrella']);
      expect(JSON.stringify(a.logs())).not.toContain('initech');
    } finally {
      ssm.parameters.delete(`${LPATH}Api-1`);
      ssm.parameters.delete(`${LPATH}intruder`);
    }
  });

  test('SSM down: 100 requests within 1 s make one load (its attempts) per 5 s window (the default); SSM back, the next window recovers', async () => {
    const a = fromEnv();
    ssm.failing = true;
    const before = ssm.calls();
    for (let i = 0; i < 100; i++) {
      a.at(i * 10);
      expect(await a.tenantOf('client1globex')).toBe('Unauthorized');
    }
    // One load: the attempts (SSM_MAX_ATTEMPTS) of its one call to SSM.
    expect(ssm.calls() - before).toBe(ATTEMPTS);
    expect(new Set(a.logs().map((l) => `${l.reason}:${l.errorName}`))).toEqual(new Set(['tenants_unavailable:InternalServerError']));
    expect(a.logs()).toHaveLength(100);
    a.at(4999);
    expect(await a.tenantOf('client1globex')).toBe('Unauthorized');
    expect(ssm.calls() - before).toBe(ATTEMPTS);
    ssm.failing = false;
    a.at(5000);
    expect(await a.tenantOf('client1globex')).toBe('globex');
    expect(ssm.calls() - before).toBe(ATTEMPTS + 1);
  });

  test('OUTAGE_BACKOFF_MS sets the window', async () => {
    const a = fromEnv({ OUTAGE_BACKOFF_MS: '250' });
    ssm.failing = true;
    const before = ssm.calls();
    for (let t = 0; t < 1000; t += 10) {
      a.at(t);
      expect(await a.tenantOf('client1globex')).toBe('Unauthorized');
    }
    // Failures at 0, 250, 500 and 750 ms: four loads.
    expect(ssm.calls() - before).toBe(4 * ATTEMPTS);
  });
});

describe('CLIENT_TENANTS_PARAMETERS and OUTAGE_BACKOFF_MS', () => {
  const base = { USER_POOL_ID: 'us-east-1_AbC123', CLIENT_TENANTS_PATH: PATH, CLIENT_TENANTS_PARAMETERS: '{"S":2}' };

  test('the names of the library\'s parameters: <path><stack>-<i> for each stack\'s count', () => {
    expect([...parseDirectoryParameters('{"Identity":1,"Tenants0":3}', PATH)]).toEqual([
      `${PATH}Identity-0`, `${PATH}Tenants0-0`, `${PATH}Tenants0-1`, `${PATH}Tenants0-2`,
    ]);
    expect(parseDirectoryParameters('{}', PATH).size).toBe(0);
    expect(directoryFromEnv(base)).toBeInstanceOf(DirectoryTenantResolver);
  });

  test.each([
    ['missing', undefined, 'CLIENT_TENANTS_PARAMETERS is not set: it must be a JSON object of stack ids (letters and digits) to parameter counts (1-500)'],
    ['not JSON', '{"S":', 'CLIENT_TENANTS_PARAMETERS "{\\"S\\":" is not valid JSON'],
    ['an array', '["S-0"]', 'CLIENT_TENANTS_PARAMETERS "[\\"S-0\\"]" must be a JSON object'],
    ['a stack id with a slash (another level of the path)', '{"a/b":1}', ': "a/b": 1'],
    ['a count of 0', '{"S":0}', ': "S": 0'],
    ['a count that is not a whole number', '{"S":1.5}', ': "S": 1.5'],
    ['a count as a string', '{"S":"1"}', ': "S": "1"'],
    ['a count over 500', '{"S":501}', ': "S": 501'],
  ])('CLIENT_TENANTS_PARAMETERS %s is a ConfigError that names it', (_, value, message) => {
    const load = () => directoryFromEnv({ ...base, CLIENT_TENANTS_PARAMETERS: value });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(message);
  });

  test('CLIENT_TENANTS_PARAMETERS without CLIENT_TENANTS_PATH is a configuration error', () => {
    expect(() => configFromEnv({ USER_POOL_ID: base.USER_POOL_ID, CLIENT_TENANTS: '{"a":"x"}', CLIENT_TENANTS_PARAMETERS: '{}' }, '/tmp'))
      .toThrow('CLIENT_TENANTS_PARAMETERS is set without CLIENT_TENANTS_PATH');
  });

  test.each(['-1', '60001', '1.5', 'five', ' 5'])('OUTAGE_BACKOFF_MS %p is a ConfigError that names it', (value) => {
    const load = () => directoryFromEnv({ ...base, OUTAGE_BACKOFF_MS: value });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(`OUTAGE_BACKOFF_MS: ${JSON.stringify(value)} is invalid: an integer from 0 to 60000 (milliseconds)`);
  });
});
