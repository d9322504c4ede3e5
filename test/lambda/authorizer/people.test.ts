/**
 * The portal build's people: access tokens of the portal's sign-in pool,
 * accepted from its web client only, with role and tenant from Cognito groups
 * and nothing the person can edit.
 */
import { API_PREFIX, claims, jwksOf, makeAuthorizer, makeKey, outcome, sign, tokenEvent } from './helpers';
import { PEOPLE, PeopleConfig, peopleConfigFromEnv, personOf } from '../../../lambda/authorizer/people';
import { ConfigError } from '../../../lambda/shared/config';
import { RouteTableSpec } from '../../../lib/private/route-plan';

const PEOPLE_POOL = 'us-east-1_People1';
const PEOPLE_ISSUER = `https://cognito-idp.us-east-1.amazonaws.com/${PEOPLE_POOL}`;
const WEB_CLIENT = 'webclient0000000000000001';
const ADMIN = 'm2m-portal/admin';
const TENANT_ADMIN = 'm2m-portal/tenant-admin';

const CONFIG: PeopleConfig = {
  userPoolId: PEOPLE_POOL,
  clientId: WEB_CLIENT,
  adminGroup: 'platform-admins',
  tenantGroupPrefix: 'tenant-',
  adminScope: ADMIN,
  tenantAdminScope: TENANT_ADMIN,
};

/** The portal's routes as far as they matter here: tenants for admins, clients for both. */
const PORTAL_SPEC: RouteTableSpec = {
  scopes: [ADMIN, TENANT_ADMIN],
  routes: [
    { method: 'POST', path: '/tenants', scopes: [0], match: 'ANY_OF' },
    { method: 'GET', path: '/tenants/{tenantId}/clients', scopes: [0, 1], match: 'ANY_OF' },
  ],
};

const m2mKey = makeKey('m2m-key');
const peopleKey = makeKey('people-key');

function portalAuthorizer() {
  const t = makeAuthorizer({ routes: PORTAL_SPEC, config: { people: CONFIG }, deps: { people: PEOPLE } });
  t.authorizer.cacheJwks(jwksOf(m2mKey));
  t.authorizer.cacheJwks(jwksOf(peopleKey), PEOPLE_POOL);
  return t;
}

/** Claims of a person's access token from the sign-in pool's web client. */
function personClaims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return claims({
    'iss': PEOPLE_ISSUER,
    'client_id': WEB_CLIENT,
    'sub': 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
    'username': 'alice',
    'scope': 'openid email profile',
    'cognito:groups': ['tenant-globex'],
    ...overrides,
  });
}

describe('personOf', () => {
  test('the admin group makes a platform admin, with no tenant', () => {
    expect(personOf({ 'username': 'root', 'cognito:groups': ['platform-admins', 'tenant-globex'] }, CONFIG))
      .toEqual({ username: 'root', tenantId: '', scope: ADMIN });
  });

  test('exactly one tenant group makes an admin of that tenant', () => {
    expect(personOf({ 'username': 'alice', 'cognito:groups': ['other', 'tenant-globex'] }, CONFIG))
      .toEqual({ username: 'alice', tenantId: 'globex', scope: TENANT_ADMIN });
  });

  test.each([
    ['no groups claim', { username: 'alice' }],
    ['no group', { 'username': 'alice', 'cognito:groups': [] }],
    ['two tenants', { 'username': 'alice', 'cognito:groups': ['tenant-globex', 'tenant-initech'] }],
    ['a tenant group with a malformed id', { 'username': 'alice', 'cognito:groups': ['tenant--bad-'] }],
    ['an empty tenant id', { 'username': 'alice', 'cognito:groups': ['tenant-'] }],
    ['groups as a string', { 'username': 'alice', 'cognito:groups': 'platform-admins' }],
    ['no username', { 'cognito:groups': ['tenant-globex'] }],
    ['a group that merely resembles the admin group', { 'username': 'alice', 'cognito:groups': ['Platform-Admins'] }],
  ])('%s gives no role', (_, payload) => {
    expect(personOf(payload, CONFIG)).toBeUndefined();
  });

  test('attributes a person could edit never give a tenant', () => {
    expect(personOf({ 'username': 'alice', 'cognito:groups': [], 'custom:tenant': 'globex', 'tenantId': 'globex' }, CONFIG)).toBeUndefined();
  });
});

describe('peopleConfigFromEnv', () => {
  const env = {
    PEOPLE_POOL_ID: PEOPLE_POOL,
    PEOPLE_CLIENT_ID: WEB_CLIENT,
    PEOPLE_ADMIN_GROUP: 'platform-admins',
    PEOPLE_TENANT_GROUP_PREFIX: 'tenant-',
    PEOPLE_ADMIN_SCOPE: ADMIN,
    PEOPLE_TENANT_ADMIN_SCOPE: TENANT_ADMIN,
  };

  test('reads every variable', () => {
    expect(peopleConfigFromEnv(env)).toEqual(CONFIG);
  });

  test.each([
    ['PEOPLE_POOL_ID', 'not-a-pool', 'PEOPLE_POOL_ID: "not-a-pool" is invalid: a user pool id'],
    ['PEOPLE_CLIENT_ID', '', 'PEOPLE_CLIENT_ID is not set: an app client id'],
    ['PEOPLE_CLIENT_ID', 'web-client', 'PEOPLE_CLIENT_ID: "web-client" is invalid: an app client id'],
    ['PEOPLE_ADMIN_SCOPE', 'two words', 'PEOPLE_ADMIN_SCOPE: "two words" is invalid: a scope'],
    ['PEOPLE_ADMIN_GROUP', 'tenant-admins', 'PEOPLE_ADMIN_GROUP must not start with PEOPLE_TENANT_GROUP_PREFIX'],
  ])('%s=%j is a configuration error', (name, value, message) => {
    expect(() => peopleConfigFromEnv({ ...env, [name]: value })).toThrow(ConfigError);
    expect(() => peopleConfigFromEnv({ ...env, [name]: value })).toThrow(message);
  });
});

describe('the portal authorizer', () => {
  test('a tenant admin reaches the client routes only, with the username in the context and as principal', async () => {
    const t = portalAuthorizer();
    const r = await t.authorizer.handle(tokenEvent(sign(peopleKey, personClaims())));
    expect(r.principalId).toBe('user:alice');
    expect(r.context).toEqual({ tenantId: 'globex', clientId: WEB_CLIENT, scopes: TENANT_ADMIN, username: 'alice' });
    expect(r.policyDocument.Statement).toEqual([
      { Action: 'execute-api:Invoke', Effect: 'Allow', Resource: [`${API_PREFIX}/*/GET/tenants/*/clients`] },
    ]);
  });

  test('a platform admin reaches every route', async () => {
    const t = portalAuthorizer();
    const r = await t.authorizer.handle(tokenEvent(sign(peopleKey, personClaims({ 'username': 'root', 'cognito:groups': ['platform-admins'] }))));
    expect(r.context).toEqual({ tenantId: '', clientId: WEB_CLIENT, scopes: ADMIN, username: 'root' });
    expect(r.policyDocument.Statement[0].Resource).toEqual([`${API_PREFIX}/*/POST/tenants`, `${API_PREFIX}/*/GET/tenants/*/clients`]);
  });

  test('a cached person token gives the same answer without verifying again', async () => {
    const t = portalAuthorizer();
    const token = sign(peopleKey, personClaims());
    const first = await t.authorizer.handle(tokenEvent(token));
    expect(t.authorizer.tokenCache.get(token)).toMatchObject({ principalId: 'user:alice', tenantId: 'globex' });
    expect(await t.authorizer.handle(tokenEvent(token))).toBe(first);
  });

  test('the scope claim of a person token is ignored: the role comes from the groups', async () => {
    const t = portalAuthorizer();
    const r = await t.authorizer.handle(tokenEvent(sign(peopleKey, personClaims({ scope: `${ADMIN} openid` }))));
    expect(r.context.scopes).toBe(TENANT_ADMIN);
  });

  test.each([
    ['another client of the sign-in pool', 'untrusted_client', { client_id: 'someotherclient0000000001' }],
    ['an ID token', 'wrong_token_use', { token_use: 'id' }],
    ['a person without a role', 'no_role', { 'cognito:groups': [] }],
    ['an expired token', 'expired', { exp: Math.floor(Date.now() / 1000) - 60 }],
  ])('%s is denied (%s)', async (_, reason, overrides) => {
    const t = portalAuthorizer();
    const r = await outcome(t.authorizer, tokenEvent(sign(peopleKey, personClaims(overrides))));
    expect(r).toBe('Unauthorized');
    expect(t.logs().at(-1)).toMatchObject({ msg: 'denied', reason });
  });

  test('a person token signed with the M2M pool\'s key does not verify', async () => {
    const t = portalAuthorizer();
    expect(await outcome(t.authorizer, tokenEvent(sign(m2mKey, personClaims(), { kid: peopleKey.kid })))).toBe('Unauthorized');
    expect(t.logs().at(-1)).toMatchObject({ reason: 'bad_signature' });
  });

  test('M2M tokens still resolve through the tenant mapping', async () => {
    const t = portalAuthorizer();
    const r = await t.authorizer.handle(tokenEvent(sign(m2mKey, claims({ scope: TENANT_ADMIN }))));
    expect(r.principalId).toBe('client1globex');
    expect(r.context).toEqual({ tenantId: 'globex', clientId: 'client1globex', scopes: TENANT_ADMIN });
  });

  test('a person\'s token is no M2M token traffic: no first sighting is logged for it, an M2M token\'s is', async () => {
    const t = portalAuthorizer();
    await t.authorizer.handle(tokenEvent(sign(peopleKey, personClaims())));
    await t.authorizer.handle(tokenEvent(sign(peopleKey, personClaims({ 'username': 'root', 'cognito:groups': ['platform-admins'] }))));
    expect(t.lines).toEqual([]);
    await t.authorizer.handle(tokenEvent(sign(m2mKey, claims({ scope: TENANT_ADMIN }))));
    expect(t.firstSeen()).toEqual([expect.objectContaining({ clientId: 'client1globex', tenantId: 'globex' })]);
  });

  test('without the portal build, a token of the sign-in pool is refused as a wrong issuer', async () => {
    const t = makeAuthorizer({ routes: PORTAL_SPEC, jwks: jwksOf(m2mKey), config: { people: CONFIG } });
    expect(await outcome(t.authorizer, tokenEvent(sign(peopleKey, personClaims())))).toBe('Unauthorized');
    expect(t.logs().at(-1)).toMatchObject({ reason: 'wrong_issuer' });
  });
});
