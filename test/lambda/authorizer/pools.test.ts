/**
 * Several user pools behind one authorizer, and Cognito's two issuer formats:
 * a client is trusted for tokens of its own pool only, and each pool's
 * tokens are accepted with the issuer formats configured for it and refused
 * with the other (aws-jwt-verify alone would accept both).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { claims, jwksOf, makeAuthorizer, makeKey, outcome, REFERENCE_ROUTES, sign, tokenEvent, USER_POOL_ID } from './helpers';
import { configFromEnv } from '../../../lambda/authorizer/config';
import { StaticTenantResolver } from '../../../lambda/authorizer/tenant-resolver';
import { ConfigError } from '../../../lambda/shared/config';

const EU_POOL = 'eu-west-1_EuPool9';
const ORIGINAL = (pool: string) => `https://cognito-idp.${pool.split('_')[0]}.amazonaws.com/${pool}`;
const UPDATED = (pool: string) => `https://issuer-cognito-idp.${pool.split('_')[0]}.amazonaws.com/${pool}`;
const key = makeKey();

/** Tenants: client1globex in the API's pool; euclient in the EU pool (keyed with its pool). */
const tenants = new StaticTenantResolver(new Map([['client1globex', 'globex'], [`${EU_POOL}/euclient`, 'eu-tenant']]));

function authorizerWith(config: NonNullable<Parameters<typeof makeAuthorizer>[0]>['config']) {
  const t = makeAuthorizer({ config: { tenants, ...config } });
  t.authorizer.cacheJwks(jwksOf(key));
  if (config?.additionalUserPools?.length) t.authorizer.cacheJwks(jwksOf(key), EU_POOL);
  return t;
}

async function decide(a: ReturnType<typeof authorizerWith>, iss: string, clientId: string): Promise<string> {
  const r = await outcome(a.authorizer, tokenEvent(sign(key, claims({ iss, client_id: clientId, sub: clientId }))));
  if (typeof r !== 'string') return `allowed ${r.context?.tenantId}`;
  return `denied ${a.logs().pop()?.reason}`;
}

describe('several pools', () => {
  const a = authorizerWith({ additionalUserPools: [{ userPoolId: EU_POOL, issuerFormats: ['ORIGINAL'] }] });

  test('each pool\'s clients are admitted with their tenants', async () => {
    expect(await decide(a, ORIGINAL(USER_POOL_ID), 'client1globex')).toBe('allowed globex');
    expect(await decide(a, ORIGINAL(EU_POOL), 'euclient')).toBe('allowed eu-tenant');
  });

  test('a client is trusted for tokens of its own pool only', async () => {
    expect(await decide(a, ORIGINAL(EU_POOL), 'client1globex')).toBe('denied untrusted_client');
    expect(await decide(a, ORIGINAL(USER_POOL_ID), 'euclient')).toBe('denied untrusted_client');
  });

  test('a pool that is not configured is refused whatever its client', async () => {
    expect(await decide(a, ORIGINAL('us-east-1_Stranger1'), 'client1globex')).toBe('denied wrong_issuer');
  });
});

describe('issuer formats', () => {
  test('by default only the ORIGINAL issuer: a valid token with the UPDATED issuer is refused', async () => {
    const a = authorizerWith({});
    expect(await decide(a, ORIGINAL(USER_POOL_ID), 'client1globex')).toBe('allowed globex');
    expect(await decide(a, UPDATED(USER_POOL_ID), 'client1globex')).toBe('denied wrong_issuer');
  });

  test('both formats during a switch; UPDATED alone afterwards (multi-Region replication)', async () => {
    const both = authorizerWith({ issuerFormats: ['ORIGINAL', 'UPDATED'] });
    expect(await decide(both, ORIGINAL(USER_POOL_ID), 'client1globex')).toBe('allowed globex');
    expect(await decide(both, UPDATED(USER_POOL_ID), 'client1globex')).toBe('allowed globex');
    const updated = authorizerWith({ issuerFormats: ['UPDATED'] });
    expect(await decide(updated, UPDATED(USER_POOL_ID), 'client1globex')).toBe('allowed globex');
    expect(await decide(updated, ORIGINAL(USER_POOL_ID), 'client1globex')).toBe('denied wrong_issuer');
  });

  test('per pool: the EU pool on UPDATED, the API\'s pool on ORIGINAL', async () => {
    const a = authorizerWith({ additionalUserPools: [{ userPoolId: EU_POOL, issuerFormats: ['UPDATED'] }] });
    expect(await decide(a, UPDATED(EU_POOL), 'euclient')).toBe('allowed eu-tenant');
    expect(await decide(a, ORIGINAL(EU_POOL), 'euclient')).toBe('denied wrong_issuer');
    expect(await decide(a, UPDATED(USER_POOL_ID), 'client1globex')).toBe('denied wrong_issuer');
  });
});

describe('configuration', () => {
  const routes = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'pools-')), 'routes.json');
  fs.writeFileSync(routes, JSON.stringify(REFERENCE_ROUTES));
  const base = { USER_POOL_ID, CLIENT_TENANTS: '{"a":"x"}', ROUTE_TABLE_PATH: routes };
  const config = (env: Record<string, string>) => configFromEnv({ ...base, ...env }, '/tmp');

  test('USER_POOL_ISSUERS and ADDITIONAL_USER_POOLS are read', () => {
    expect(config({}).issuerFormats).toEqual(['ORIGINAL']);
    expect(config({}).additionalUserPools).toEqual([]);
    const c = config({ USER_POOL_ISSUERS: 'ORIGINAL,UPDATED', ADDITIONAL_USER_POOLS: JSON.stringify([{ userPoolId: EU_POOL, issuerFormats: ['UPDATED'] }]) });
    expect([c.issuerFormats, c.additionalUserPools]).toEqual([['ORIGINAL', 'UPDATED'], [{ userPoolId: EU_POOL, issuerFormats: ['UPDATED'] }]]);
  });

  test.each([
    [{ USER_POOL_ISSUERS: 'NEW' }, 'USER_POOL_ISSUERS: "NEW" is invalid: ORIGINAL and/or UPDATED, each once, comma-separated'],
    [{ USER_POOL_ISSUERS: 'UPDATED,UPDATED' }, 'USER_POOL_ISSUERS: "UPDATED,UPDATED" is invalid: ORIGINAL and/or UPDATED, each once'],
    [{ ADDITIONAL_USER_POOLS: '{' }, 'ADDITIONAL_USER_POOLS is not valid JSON: a JSON array of { userPoolId, issuerFormats }'],
    [{ ADDITIONAL_USER_POOLS: '{}' }, 'ADDITIONAL_USER_POOLS: the value is invalid: a JSON array of { userPoolId, issuerFormats }'],
    [{ ADDITIONAL_USER_POOLS: '[{"userPoolId":"nope","issuerFormats":["ORIGINAL"]}]' },
      'ADDITIONAL_USER_POOLS: [0].userPoolId is invalid: a user pool id like us-east-1_AbCdEf123'],
    [{ ADDITIONAL_USER_POOLS: `[{"userPoolId":"${USER_POOL_ID}","issuerFormats":["ORIGINAL"]}]` },
      `ADDITIONAL_USER_POOLS: [0].userPoolId is invalid: ${USER_POOL_ID} is listed twice`],
    [{ ADDITIONAL_USER_POOLS: `[{"userPoolId":"${EU_POOL}","issuerFormats":[]}]` },
      'ADDITIONAL_USER_POOLS: [0].issuerFormats is invalid: a JSON array of ORIGINAL and/or UPDATED'],
  ])('%j is a configuration error', (env, message) => {
    expect(() => config(env as Record<string, string>)).toThrow(ConfigError);
    expect(() => config(env as Record<string, string>)).toThrow(message);
  });
});
