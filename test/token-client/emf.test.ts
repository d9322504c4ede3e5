/**
 * The EMF recipe: `emfMetrics` turns the token client's events into CloudWatch embedded-metric-format lines, one per
 * cache key and flush, checked against the specification's structure (support/emf-spec.ts); the Logs Insights query
 * of the README reads fields those lines hold, and their sums tell a "token per call" consumer from a healthy one.
 */
import * as fs from 'fs';
import * as path from 'path';
import { emfViolations } from './support/emf-spec';
import { ScriptedServer, json, scriptedServer, tokenAnswer, Script } from './support/servers';
import { EmfMetricsOptions, TOKEN_PER_CALL_QUERY, TokenClient, TokenClientEvent, cacheKeyOf, emfMetrics } from '../../token-client/src';

const T0 = 1_800_000_000_000;
const SCOPE = 'https://api.example.com/orders/read';
const COUNTS = ['TokenCacheHit', 'TokenFetched', 'TokenRefreshed', 'TokenFetchFailed', 'TokenRefreshFailed', 'TokenRetry', 'TokenInvalidated', 'TokenRequests'];

let server: ScriptedServer | undefined;
let clock: number;
let lines: string[];

beforeEach(() => {
  clock = T0;
  lines = [];
});
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const docs = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>);

/** As in a Lambda consumer: metrics and one client at module scope, waits moving the injected clock. */
async function consumer(script: Script = (_r, n, res) => tokenAnswer(res, `tok-${n}`, 3600), options: Partial<EmfMetricsOptions> = {}) {
  server = await scriptedServer(script);
  const metrics = emfMetrics({ namespace: 'Acme/Consumers', dimensions: { Service: 'orders-reader' }, write: (l) => lines.push(l), now: () => clock, ...options });
  const tokens = new TokenClient({
    credentials: { clientId: 'c1', clientSecret: 's1', tokenEndpoint: server.url },
    onEvent: metrics.onEvent,
    now: () => clock,
    sleep: async (ms) => { clock += ms; },
    random: () => 0.5,
  });
  return { metrics, tokens };
}

describe('lines', () => {
  test('one line per invocation and key, valid EMF: the metrics under the given dimensions, the key as members', async () => {
    const { metrics, tokens } = await consumer();

    // three invocations, each flushing at its end
    for (let i = 0; i < 3; i++) {
      await tokens.getToken({ scopes: [SCOPE] });
      expect(metrics.flush()).toBe(1);
      clock += 1_000;
    }

    expect(lines.map(emfViolations)).toEqual([[], [], []]);
    expect(docs()[0]).toEqual({
      _aws: {
        Timestamp: T0,
        CloudWatchMetrics: [{
          Namespace: 'Acme/Consumers',
          Dimensions: [['Service']],
          Metrics: [...COUNTS.map((Name) => ({ Name, Unit: 'Count' })), { Name: 'TokenFetchTime', Unit: 'Milliseconds' }],
        }],
      },
      Service: 'orders-reader',
      CacheKey: cacheKeyOf('c1', [SCOPE]),
      ClientId: 'c1',
      Scopes: SCOPE,
      TokenCacheHit: 0,
      TokenFetched: 1,
      TokenRefreshed: 0,
      TokenFetchFailed: 0,
      TokenRefreshFailed: 0,
      TokenRetry: 0,
      TokenInvalidated: 0,
      TokenRequests: 1,
      TokenFetchTime: 0,
    });
    expect(docs().slice(1)).toMatchObject([
      { _aws: { Timestamp: T0 + 1_000 }, TokenCacheHit: 1, TokenFetched: 0, TokenRequests: 0 },
      { _aws: { Timestamp: T0 + 2_000 }, TokenCacheHit: 1, TokenFetched: 0, TokenRequests: 0 },
    ]);
    // no fetch, no fetch time: the metric is left out rather than written empty
    expect(docs()[1]).not.toHaveProperty('TokenFetchTime');
    expect(JSON.stringify((docs()[1]._aws as { CloudWatchMetrics: unknown[] }).CloudWatchMetrics)).not.toContain('TokenFetchTime');
  });

  test('retries and a failure: counted, with requests, fetch time and the error codes as a member', async () => {
    const { metrics, tokens } = await consumer((_r, n, res) => (n === 0 ? json(res, 503, {}) : n === 1
      ? tokenAnswer(res, 'tok-1', 3600) : json(res, 400, { error: 'invalid_scope' })));

    await tokens.getToken({ scopes: [SCOPE] });
    await tokens.getToken({ scopes: ['orders/write'] }).catch(() => undefined);
    expect(metrics.flush()).toBe(2);

    expect(lines.map(emfViolations)).toEqual([[], []]);
    expect(docs()).toMatchObject([
      { Scopes: SCOPE, TokenRetry: 1, TokenFetched: 1, TokenRequests: 2, TokenFetchTime: 50, TokenErrors: { server_error: 1 } },
      { Scopes: 'orders/write', TokenFetchFailed: 1, TokenFetched: 0, TokenRequests: 1, TokenErrors: { invalid_scope: 1 } },
    ]);
  });

  test('no dimensions: an empty dimension set (metrics per namespace), still valid', async () => {
    const { metrics, tokens } = await consumer(undefined, { dimensions: undefined });

    await tokens.getToken();
    metrics.flush();

    expect(emfViolations(lines[0])).toEqual([]);
    expect(docs()[0]).toMatchObject({ _aws: { CloudWatchMetrics: [{ Dimensions: [[]] }] } });
  });

  test('a flush writes what happened since the last one: nothing twice, and nothing at all when idle', async () => {
    const { metrics, tokens } = await consumer();

    expect(metrics.flush()).toBe(0);
    await tokens.getToken();
    expect(metrics.flush()).toBe(1);
    expect(metrics.flush()).toBe(0);

    expect(lines).toHaveLength(1);
  });

  test('more than 100 keys between flushes: the first 100 are written before the 101st is counted', () => {
    const metrics = emfMetrics({ namespace: 'Acme/Consumers', write: (l) => lines.push(l), now: () => clock });
    const hit = (i: number): TokenClientEvent => ({ type: 'cache-hit', cacheKey: cacheKeyOf('c1', [`s${i}`]), clientId: 'c1', scopes: [`s${i}`], at: T0, refreshDue: false, expiresAt: T0 + 1 });

    for (let i = 0; i < 101; i++) metrics.onEvent(hit(i));
    expect(lines).toHaveLength(100);
    expect(metrics.flush()).toBe(1);
    expect(docs()[100]).toMatchObject({ Scopes: 's100', TokenCacheHit: 1 });
  });

  test('by default a line goes to standard output as is, not through console.log (which Lambda\'s JSON log format wraps)', () => {
    const written: string[] = [];
    const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => { written.push(String(chunk)); return true; });
    const log = jest.spyOn(console, 'log');
    try {
      const metrics = emfMetrics({ namespace: 'Acme/Consumers' });
      metrics.onEvent({ type: 'cache-hit', cacheKey: 'abc', clientId: 'c1', scopes: [], at: T0, refreshDue: false, expiresAt: T0 });
      metrics.flush();
    } finally {
      write.mockRestore();
      log.mockRestore();
    }
    expect(written).toHaveLength(1);
    expect(written[0].endsWith('}\n')).toBe(true);
    expect(emfViolations(written[0].slice(0, -1))).toEqual([]);
    expect(log).not.toHaveBeenCalled();
  });
});

describe('options', () => {
  test.each([
    [{ namespace: '' }, 'emfMetrics option "namespace" must be 1 to 255 printable ASCII characters'],
    [{ namespace: 'AWS/Cognito' }, 'not starting with ":" or "AWS/", got "AWS/Cognito"'],
    [{ namespace: 'x'.repeat(256) }, 'emfMetrics option "namespace" must be 1 to 255'],
    [{ namespace: 'Acme', dimensions: { Tenant: 'caf\u00e9' } }, 'emfMetrics dimension "Tenant" must have a value of 1 to 1024 printable ASCII characters, got "caf\u00e9"'],
    [{ namespace: 'Acme', dimensions: { Service: '' } }, 'emfMetrics dimension "Service" must have a value of 1 to 1024'],
    [{ namespace: 'Acme', dimensions: { ':Service': 'a' } }, 'emfMetrics dimension name ":Service" must be 1 to 255 printable ASCII characters, not starting with ":"'],
    [{ namespace: 'Acme', dimensions: { ClientId: 'c1' } }, 'emfMetrics dimension name "ClientId" is taken by a member of the line; choose another'],
    [{ namespace: 'Acme', dimensions: Object.fromEntries(Array.from({ length: 31 }, (_, i) => [`D${i}`, 'v'])) }, 'may hold at most 30 dimensions, got 31'],
  ])('%j is refused: %s', (options, message) => {
    expect(() => emfMetrics(options)).toThrow(message);
  });
});

describe('the "token per call" query', () => {
  test('the README shows it as exported, and every field it reads is a member of the lines', async () => {
    const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'token-client', 'README.md'), 'utf8');
    expect(readme).toContain(`\`\`\`\n${TOKEN_PER_CALL_QUERY}\n\`\`\``);

    const { metrics, tokens } = await consumer();
    await tokens.getToken();
    metrics.flush();
    const fields = [...TOKEN_PER_CALL_QUERY.matchAll(/\b(?:ispresent|sum|count_distinct)\((\w+)\)|\bby (\w+)/g)].map((m) => m[1] ?? m[2]);
    expect(fields).toEqual(['TokenFetched', 'TokenFetched', 'TokenCacheHit', 'TokenRequests', 'CacheKey', 'ClientId']);
    expect(fields.filter((f) => !(f in docs()[0]))).toEqual([]);
  });

  test('its sums tell a client per call (fetched = calls, no hits) from one client per container (1 fetch, the rest hits)', async () => {
    server = await scriptedServer((_r, n, res) => tokenAnswer(res, `tok-${n}`, 3600));
    const url = server.url;
    const credentials = { clientId: 'c1', clientSecret: 's1', tokenEndpoint: url };
    const sums = () => {
      const d = docs();
      lines = [];
      return { fetched: d.reduce((s, x) => s + (x.TokenFetched as number), 0), cacheHits: d.reduce((s, x) => s + (x.TokenCacheHit as number), 0) };
    };

    // healthy: one client at module scope, 20 invocations
    const healthyMetrics = emfMetrics({ namespace: 'Acme', write: (l) => lines.push(l) });
    const shared = new TokenClient({ credentials, onEvent: healthyMetrics.onEvent });
    for (let i = 0; i < 20; i++) {
      await shared.getToken();
      healthyMetrics.flush();
    }
    expect(sums()).toEqual({ fetched: 1, cacheHits: 19 });

    // the bug: a client built inside the handler, 20 invocations
    const buggyMetrics = emfMetrics({ namespace: 'Acme', write: (l) => lines.push(l) });
    for (let i = 0; i < 20; i++) {
      await new TokenClient({ credentials, onEvent: buggyMetrics.onEvent }).getToken();
      buggyMetrics.flush();
    }
    expect(sums()).toEqual({ fetched: 20, cacheHits: 0 });
  });
});

describe('the specification checker itself', () => {
  const valid = {
    _aws: { Timestamp: T0, CloudWatchMetrics: [{ Namespace: 'N', Dimensions: [['Service']], Metrics: [{ Name: 'M', Unit: 'Count' }] }] },
    Service: 's',
    M: 1,
  };
  const broken = (change: (d: typeof valid & Record<string, unknown>) => void) => {
    const d = JSON.parse(JSON.stringify(valid)) as typeof valid & Record<string, unknown>;
    change(d);
    return emfViolations(JSON.stringify(d));
  };

  test.each([
    ['a metric without its member', (d: Record<string, unknown>) => { delete d.M; }, 'metric M has no numeric target member on the root node'],
    ['a metric given as a string', (d: Record<string, unknown>) => { d.M = '1'; }, 'metric M has no numeric target member on the root node'],
    ['a dimension that is a number', (d: Record<string, unknown>) => { d.Service = 1; }, 'dimension Service has no string target member on the root node'],
    ['an unknown unit', (d: typeof valid) => { d._aws.CloudWatchMetrics[0].Metrics[0].Unit = 'Tokens'; }, '_aws.CloudWatchMetrics[0].Metrics[0].Unit Tokens is not a CloudWatch unit'],
    ['no dimension set', (d: typeof valid) => { d._aws.CloudWatchMetrics[0].Dimensions = []; }, '_aws.CloudWatchMetrics[0].Dimensions is not an array of at least one DimensionSet'],
    ['a member the directive does not define', (d: typeof valid) => { Object.assign(d._aws.CloudWatchMetrics[0], { Extra: 1 }); }, '_aws.CloudWatchMetrics[0] has a member the specification does not define: Extra'],
    ['no timestamp', (d: typeof valid) => { delete (d._aws as { Timestamp?: number }).Timestamp; }, '_aws.Timestamp is not an integer (milliseconds since the epoch)'],
  ])('finds %s', (_what, change, violation) => {
    expect(emfViolations(JSON.stringify(valid))).toEqual([]);
    expect(broken(change as (d: typeof valid & Record<string, unknown>) => void)).toEqual([violation]);
  });

  test('finds a line that is not one JSON object', () => {
    expect(emfViolations(`INFO ${JSON.stringify(valid)}`)).toEqual(['the log event is not a JSON object']);
  });
});
