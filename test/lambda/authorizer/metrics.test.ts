/**
 * The authorizer's decisions as CloudWatch metrics in Embedded Metric Format
 * (lambda/authorizer/metrics.ts, contract lib/private/contracts/authorizer-metrics.ts):
 * a denial's metric rides on its one log line; allowed decisions are counted
 * and written at most every 10 seconds; tenant and client ids are never
 * dimensions; no token reaches a line; outside Lambda nothing is written.
 * A token's first sighting (token traffic per client) is a plain log line
 * beside them, never a metric.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  claims, CLIENTS, isFirstSeen, jwksOf, KeyPair, makeAuthorizer, makeKey, outcome, READ, REFERENCE_ROUTES, sign, tokenEvent, USER_POOL_ID,
} from './helpers';
import { createAuthorizerFromEnv } from '../../../lambda/authorizer/authorizer';
import { decisionMetrics, untrustedParameterReporter } from '../../../lambda/authorizer/metrics';
import { Logger } from '../../../lambda/shared/log';

const FN = 'Orders-ApiTenantAuthorizerFunction-AbC123';
const T0 = 1_700_000_000_000;

let key: KeyPair;
beforeAll(() => { key = makeKey(); });

/**
 * An authorizer whose metrics use a clock the test moves; every line it writes is captured: `lines` and `parsed()`
 * are the decisions' lines, `seen()` the tokens' first sightings.
 */
function metered() {
  const all: string[] = [];
  const logger = new Logger('info', (l) => { all.push(l); });
  let t = T0;
  const metrics = decisionMetrics(FN, logger, () => t)!;
  const a = makeAuthorizer({ jwks: jwksOf(key), deps: { logger, metrics } });
  const decisions = () => all.filter((l) => !isFirstSeen(l));
  return {
    authorizer: a.authorizer,
    get lines() { return decisions(); },
    parsed: () => decisions().map((l) => JSON.parse(l) as Record<string, unknown>),
    seen: () => all.filter(isFirstSeen).map((l) => JSON.parse(l) as Record<string, unknown>),
    advance: (ms: number) => { t += ms; },
  };
}

const DENIED_DIRECTIVE = {
  Namespace: 'CdkCognitoM2m',
  Dimensions: [['functionName'], ['functionName', 'reason']],
  Metrics: [{ Name: 'Denied' }],
};
const ALLOWED_DIRECTIVE = {
  Namespace: 'CdkCognitoM2m',
  Dimensions: [['functionName']],
  Metrics: [{ Name: 'Allowed' }],
};

/**
 * The rules of the EMF specification a line must follow for CloudWatch to
 * extract its metrics: a numeric Timestamp, each metric a number at the top
 * level, each dimension a string at the top level, at most 30 dimensions per
 * set; and ours: no tenant or client id as a dimension.
 */
function expectValidEmf(line: Record<string, unknown>) {
  const aws = line._aws as { Timestamp: unknown; CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] }[] };
  expect(typeof aws.Timestamp).toBe('number');
  for (const d of aws.CloudWatchMetrics) {
    expect(typeof d.Namespace).toBe('string');
    for (const m of d.Metrics) expect(typeof line[m.Name]).toBe('number');
    for (const set of d.Dimensions) {
      expect(set.length).toBeLessThanOrEqual(30);
      for (const dim of set) {
        expect(typeof line[dim]).toBe('string');
        expect(['clientId', 'tenantId']).not.toContain(dim);
      }
    }
  }
}

describe('a denial', () => {
  test('carries the Denied metric on its one log line, with the reason as dimension and the client as a plain field', async () => {
    // GIVEN
    const m = metered();
    const token = sign(key, claims({ exp: Math.floor(Date.now() / 1000) - 60 }));
    // WHEN
    expect(await outcome(m.authorizer, tokenEvent(token))).toBe('Unauthorized');
    // THEN
    expect(m.parsed()).toEqual([{
      level: 'warn',
      msg: 'denied',
      reason: 'expired',
      clientId: 'client1globex',
      functionName: FN,
      Denied: 1,
      _aws: { Timestamp: T0, CloudWatchMetrics: [DENIED_DIRECTIVE] },
    }]);
    expectValidEmf(m.parsed()[0]);
    // No fragment of the token (any 16-character window) is in the line.
    for (let i = 0; i + 16 <= token.length; i += 8) expect(m.lines[0]).not.toContain(token.slice(i, i + 16));
  });

  test('before any verification (no Authorization header): the reason, no client', async () => {
    const m = metered();
    await outcome(m.authorizer, tokenEvent(undefined));
    expect(m.parsed()).toEqual([{
      level: 'warn', msg: 'denied', reason: 'missing_header', functionName: FN, Denied: 1, _aws: { Timestamp: T0, CloudWatchMetrics: [DENIED_DIRECTIVE] },
    }]);
  });

  test('a token whose scopes reach no method (Deny policy) counts as denied, not allowed', async () => {
    const m = metered();
    const r = await outcome(m.authorizer, tokenEvent(sign(key, claims({ scope: 'https://api.acme.example/other/read' }))));
    expect(typeof r).not.toBe('string');
    expect(m.parsed()).toEqual([expect.objectContaining({ msg: 'denied', reason: 'no_scope', Denied: 1 })]);
    expect(m.parsed()[0]).not.toHaveProperty('Allowed');
  });

  test('an untrusted client: the client id is a field, never a dimension', async () => {
    const m = metered();
    await outcome(m.authorizer, tokenEvent(sign(key, claims({ client_id: 'nobody', sub: 'nobody' }))));
    const [line] = m.parsed();
    expect(line).toMatchObject({ reason: 'untrusted_client', clientId: 'nobody', functionName: FN, Denied: 1 });
    expectValidEmf(line);
    expect(JSON.stringify((line._aws as { CloudWatchMetrics: unknown }).CloudWatchMetrics)).not.toMatch(/clientId|tenantId|nobody/);
  });
});

describe('allowed decisions', () => {
  test('the first is written at once, later ones are counted and written together once 10 seconds have passed', async () => {
    // GIVEN
    const m = metered();
    const tokens = [0, 1, 2, 3].map((i) => sign(key, claims({ jti: `t${i}` })));
    // WHEN: one request, then three within 10 s (one of them a verified-token cache hit)
    await outcome(m.authorizer, tokenEvent(tokens[0]));
    m.advance(1_000);
    await outcome(m.authorizer, tokenEvent(tokens[1]));
    await outcome(m.authorizer, tokenEvent(tokens[1]));
    m.advance(8_999);
    await outcome(m.authorizer, tokenEvent(tokens[2]));
    // THEN: one line so far, for the first request
    expect(m.parsed()).toEqual([{
      level: 'info', msg: 'allowed', functionName: FN, Allowed: 1, _aws: { Timestamp: T0, CloudWatchMetrics: [ALLOWED_DIRECTIVE] },
    }]);
    // WHEN: 10 s after the first line
    m.advance(1);
    await outcome(m.authorizer, tokenEvent(tokens[3]));
    // THEN: the three counted plus this one, stamped now
    expect(m.parsed()).toHaveLength(2);
    expect(m.parsed()[1]).toEqual({
      level: 'info', msg: 'allowed', functionName: FN, Allowed: 4, _aws: { Timestamp: T0 + 10_000, CloudWatchMetrics: [ALLOWED_DIRECTIVE] },
    });
    for (const line of m.parsed()) expectValidEmf(line);
    // Neither tenant nor client is on an allowed line (the count spans several), nor any token.
    for (const line of m.lines) {
      expect(line).not.toMatch(/tenantId|clientId|globex|client1globex/);
      for (const t of tokens) expect(line).not.toContain(t.slice(-32));
    }
    // Client and tenant are on the tokens' first sightings instead: one per token (the cache hit is none), and never a metric.
    expect(m.seen().map((l) => l.tokenId)).toEqual(['t0', 't1', 't2', 't3']);
    for (const line of m.seen()) {
      expect(line).toMatchObject({ level: 'info', clientId: 'client1globex', tenantId: 'globex' });
      expect(line).not.toHaveProperty('_aws');
      expect(line).not.toHaveProperty('functionName');
    }
  });

  test('denials in between do not disturb the allowed count', async () => {
    const m = metered();
    await outcome(m.authorizer, tokenEvent(sign(key, claims())));
    m.advance(100);
    await outcome(m.authorizer, tokenEvent(sign(key, claims())));
    await outcome(m.authorizer, tokenEvent(undefined));
    m.advance(10_000);
    await outcome(m.authorizer, tokenEvent(sign(key, claims())));
    expect(m.parsed().map((l) => [l.msg, l.Allowed ?? l.Denied])).toEqual([['allowed', 1], ['denied', 1], ['allowed', 2]]);
  });
});

describe('the Lambda entry (createAuthorizerFromEnv)', () => {
  let dir: string;
  beforeAll(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'authorizer-metrics-')); });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  function env(overrides: Record<string, string | undefined>): NodeJS.ProcessEnv {
    const routes = path.join(dir, 'routes.json');
    const jwks = path.join(dir, 'jwks.json');
    fs.writeFileSync(routes, JSON.stringify(REFERENCE_ROUTES));
    fs.writeFileSync(jwks, JSON.stringify(jwksOf(key)));
    return { USER_POOL_ID, CLIENT_TENANTS: JSON.stringify(CLIENTS), ROUTE_TABLE_PATH: routes, JWKS_PATH: jwks, ...overrides };
  }

  /** The lines one request writes, without its token's first sighting. */
  async function linesOf(e: NodeJS.ProcessEnv, token: string | undefined) {
    const lines: string[] = [];
    const a = createAuthorizerFromEnv(e, dir, { logger: new Logger('info', (l) => { lines.push(l); }) });
    await outcome(a, tokenEvent(token));
    return lines.filter((l) => !isFirstSeen(l)).map((l) => JSON.parse(l) as Record<string, unknown>);
  }

  test('in Lambda, the function\'s name (AWS_LAMBDA_FUNCTION_NAME) is the dimension', async () => {
    const lines = await linesOf(env({ AWS_LAMBDA_FUNCTION_NAME: FN }), sign(key, claims({ scope: READ })));
    expect(lines).toEqual([expect.objectContaining({ msg: 'allowed', functionName: FN, Allowed: 1 })]);
    expectValidEmf(lines[0]);
  });

  test('a misconfigured deployment: every request counts as denied for config_error', async () => {
    const lines = await linesOf(env({ AWS_LAMBDA_FUNCTION_NAME: FN, USER_POOL_ID: 'not-a-pool' }), sign(key, claims()));
    const denial = lines.find((l) => l.msg === 'denied');
    expect(denial).toMatchObject({ level: 'error', reason: 'config_error', functionName: FN, Denied: 1, _aws: { CloudWatchMetrics: [DENIED_DIRECTIVE] } });
    expectValidEmf(denial!);
  });

  test('outside Lambda (no AWS_LAMBDA_FUNCTION_NAME) no metrics are written: the lines are as before', async () => {
    expect(await linesOf(env({}), sign(key, claims()))).toEqual([]);
    expect(await linesOf(env({}), undefined)).toEqual([{ level: 'warn', msg: 'denied', reason: 'missing_header' }]);
  });
});

describe('untrusted directory parameters', () => {
  test('each load that finds any writes their count as UntrustedDirectoryParameters (a valid EMF line, functionName only); each name is logged once', () => {
    const lines: string[] = [];
    let t = T0;
    const report = untrustedParameterReporter(FN, new Logger('info', (l) => { lines.push(l); }), () => t);
    report(['/cdk-cognito-m2m/clients/Api/x', '/cdk-cognito-m2m/clients/Api/y']);
    t += 300_000;
    report(['/cdk-cognito-m2m/clients/Api/y']);
    report([]);
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(parsed.map((l) => [l.msg, l.parameterName ?? l.UntrustedDirectoryParameters])).toEqual([
      ['untrusted directory parameter ignored', '/cdk-cognito-m2m/clients/Api/x'],
      ['untrusted directory parameter ignored', '/cdk-cognito-m2m/clients/Api/y'],
      ['untrusted directory parameters', 2],
      ['untrusted directory parameters', 1],
    ]);
    for (const line of parsed.filter((l) => l._aws)) {
      expectValidEmf(line);
      expect(line._aws).toMatchObject({ CloudWatchMetrics: [{ Namespace: 'CdkCognitoM2m', Dimensions: [['functionName']], Metrics: [{ Name: 'UntrustedDirectoryParameters' }] }] });
    }
    expect((parsed[3]._aws as { Timestamp: number }).Timestamp).toBe(T0 + 300_000);
  });

  test('a name that is not an SSM parameter name is not written to the log', () => {
    const lines: string[] = [];
    untrustedParameterReporter(undefined, new Logger('info', (l) => { lines.push(l); }))(['/cdk-cognito-m2m/clients/Api/"}{"x']);
    expect(lines.map((l) => JSON.parse(l))).toEqual([{ level: 'warn', msg: 'untrusted directory parameter ignored' }]);
  });
});
