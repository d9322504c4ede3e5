/** The files the web UI reads: their shape checks name the field and the rule; which methods a client reaches. */
import { CatalogRoute, checkCatalog, checkWebUiConfig, revokeUrlOf, routeReachedBy } from '../../../lib/private/contracts/web-ui';

const CONFIG = {
  version: 1,
  apiUrl: 'https://abc.execute-api.us-east-1.amazonaws.com/prod',
  tokenEndpoint: 'https://acme.auth.us-east-1.amazoncognito.com/oauth2/token',
  signIn: {
    authorizeUrl: 'https://people.auth.us-east-1.amazoncognito.com/oauth2/authorize',
    tokenUrl: 'https://people.auth.us-east-1.amazoncognito.com/oauth2/token',
    logoutUrl: 'https://people.auth.us-east-1.amazoncognito.com/logout',
    clientId: 'abc123',
    scopes: ['openid'],
  },
  grantableScopes: [{ name: 'orders/read', description: 'Read orders' }],
  rotationGraceHours: 24,
  defaultAccessTokenValidityMinutes: 60,
};

describe('checkWebUiConfig', () => {
  test('accepts a complete config', () => {
    expect(checkWebUiConfig(CONFIG)).toEqual(CONFIG);
  });

  test.each([
    [{ ...CONFIG, version: 2 }, 'config.json: version must be 1, got 2'],
    [{ ...CONFIG, apiUrl: '' }, 'config.json: apiUrl must be a non-empty string'],
    [{ ...CONFIG, signIn: { ...CONFIG.signIn, clientId: 7 } }, 'config.json: signIn.clientId must be a non-empty string'],
    [{ ...CONFIG, signIn: { ...CONFIG.signIn, scopes: 'openid' } }, 'config.json: signIn.scopes must be an array of strings'],
    [{ ...CONFIG, grantableScopes: [{ name: 'x' }] }, 'config.json: grantableScopes[0].description must be a string'],
    [{ ...CONFIG, rotationGraceHours: 0 }, 'config.json: rotationGraceHours must be a positive number'],
    [[], 'config.json: the document must be an object'],
  ])('refuses %j', (doc, message) => {
    expect(() => checkWebUiConfig(doc)).toThrow(message);
  });
});

describe('checkCatalog', () => {
  const route = { method: 'GET', path: '/orders', scopes: ['orders/read'], scopeMatch: 'ANY_OF', isPublic: false };
  const api = { name: 'Orders', url: 'https://x/prod/', openApiPath: 'openapi/Orders.json', routes: [route] };

  test('accepts a catalog', () => {
    expect(checkCatalog({ version: 1, apis: [api] }).apis[0].routes[0]).toEqual(route);
  });

  test.each([
    [{ version: 1, apis: {} }, 'catalog.json: apis must be an array'],
    [{ version: 1, apis: [{ ...api, routes: [{ ...route, scopeMatch: 'SOME' }] }] }, 'catalog.json: apis[0].routes[0].scopeMatch must be ANY_OF or ALL_OF'],
    [{ version: 1, apis: [{ ...api, routes: [{ ...route, isPublic: 'no' }] }] }, 'catalog.json: apis[0].routes[0].isPublic must be a boolean'],
    [{ version: 1, apis: [{ ...api, openApiPath: undefined }] }, 'catalog.json: apis[0].openApiPath must be a non-empty string'],
  ])('refuses %j', (doc, message) => {
    expect(() => checkCatalog(doc)).toThrow(message);
  });
});

describe('routeReachedBy', () => {
  const r = (scopes: string[], scopeMatch: 'ANY_OF' | 'ALL_OF', isPublic = false): CatalogRoute => ({ method: 'GET', path: '/x', scopes, scopeMatch, isPublic });

  test.each([
    ['any-of: one scope is enough', r(['a', 'b'], 'ANY_OF'), ['b'], true],
    ['any-of: none held', r(['a', 'b'], 'ANY_OF'), ['c'], false],
    ['all-of: every scope needed', r(['a', 'b'], 'ALL_OF'), ['a'], false],
    ['all-of: every scope held', r(['a', 'b'], 'ALL_OF'), ['b', 'a', 'c'], true],
    ['public: anybody', r([], 'ANY_OF', true), [], true],
    ['no scopes and not public: nobody', r([], 'ALL_OF'), ['a'], false],
  ])('%s', (_, route, granted, reached) => {
    expect(routeReachedBy(route, granted)).toBe(reached);
  });
});

describe('revokeUrlOf', () => {
  test.each([
    ['https://acme-portal.auth.us-east-1.amazoncognito.com/oauth2/token', 'https://acme-portal.auth.us-east-1.amazoncognito.com/oauth2/revoke'],
    ['https://login.acme.example/oauth2/token', 'https://login.acme.example/oauth2/revoke'],
    ['http://127.0.0.1:4000/oauth2/token', 'http://127.0.0.1:4000/oauth2/revoke'],
  ])('%s → %s (same origin as the token endpoint, so the CSP that allows one allows the other)', (tokenUrl, revoke) => {
    expect(revokeUrlOf({ tokenUrl })).toBe(revoke);
    expect(new URL(revoke).origin).toBe(new URL(tokenUrl).origin);
  });
});
