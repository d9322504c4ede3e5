/** The verified-token cache: hits skip verification, expiry is exact, caps hold. */
import { CognitoJwtVerifier } from 'aws-jwt-verify';
import { allowsAnything, claims, jwksOf, makeAuthorizer, makeKey, outcome, sign, tokenEvent } from './helpers';
import { TokenCache } from '../../../lambda/authorizer/token-cache';

const key = makeKey();

describe('in the authorizer', () => {
  afterEach(() => jest.restoreAllMocks());

  test('a cache hit skips signature verification entirely', async () => {
    // GIVEN
    const verifySync = jest.spyOn(CognitoJwtVerifier.prototype, 'verifySync');
    const verify = jest.spyOn(CognitoJwtVerifier.prototype, 'verify');
    const t = makeAuthorizer({ jwks: jwksOf(key) });
    const token = sign(key, claims());
    // WHEN
    for (let i = 0; i < 5; i++) expect(allowsAnything(await outcome(t.authorizer, tokenEvent(token)))).toBe(true);
    // THEN
    expect(verifySync).toHaveBeenCalledTimes(1);
    expect(verify).not.toHaveBeenCalled();
    expect(t.authorizer.tokenCache.size).toBe(1);
  });

  test('an entry is never served after the token expires', async () => {
    let now = Date.now();
    const t = makeAuthorizer({ jwks: jwksOf(key), deps: { now: () => now } });
    const exp = Math.floor(now / 1000) + 60;
    const token = sign(key, claims({ exp }));
    expect(allowsAnything(await outcome(t.authorizer, tokenEvent(token)))).toBe(true);
    // One millisecond before exp: still served from the cache.
    now = exp * 1000 - 1;
    expect(allowsAnything(await outcome(t.authorizer, tokenEvent(token)))).toBe(true);
    // At exp: the entry is dropped (and the real clock decides the re-verification).
    now = exp * 1000;
    const spy = jest.spyOn(CognitoJwtVerifier.prototype, 'verifySync');
    jest.spyOn(Date, 'now').mockReturnValue(exp * 1000 + 1000);
    expect(await outcome(t.authorizer, tokenEvent(token))).toBe('Unauthorized');
    expect(spy).toHaveBeenCalledTimes(1);
    expect(t.logs().map((l) => l.reason)).toEqual(['expired']);
  });

  test('the entry cap is respected (LRU eviction)', async () => {
    const t = makeAuthorizer({ jwks: jwksOf(key), config: { tokenCacheMaxEntries: 3 } });
    const tokens = Array.from({ length: 5 }, () => sign(key, claims()));
    for (const tok of tokens) await outcome(t.authorizer, tokenEvent(tok));
    expect(t.authorizer.tokenCache.size).toBe(3);
  });

  test('TOKEN_CACHE_MAX_ENTRIES=0 disables the cache', async () => {
    const spy = jest.spyOn(CognitoJwtVerifier.prototype, 'verifySync');
    const t = makeAuthorizer({ jwks: jwksOf(key), config: { tokenCacheMaxEntries: 0 } });
    const token = sign(key, claims());
    await outcome(t.authorizer, tokenEvent(token));
    await outcome(t.authorizer, tokenEvent(token));
    expect(spy).toHaveBeenCalledTimes(2);
  });

  test('denied tokens are not cached', async () => {
    const t = makeAuthorizer({ jwks: jwksOf(key) });
    await outcome(t.authorizer, tokenEvent(sign(key, claims({ client_id: 'stranger' }))));
    expect(t.authorizer.tokenCache.size).toBe(0);
  });
});

describe('TokenCache', () => {
  const tok = (i: number) => `${'h'.repeat(20)}.${'p'.repeat(20)}.${String(i).padStart(40, 's')}`;

  test('LRU: a hit refreshes recency', () => {
    const c = new TokenCache<number>({ maxEntries: 2, maxBytes: 1e6, now: () => 0 });
    c.set(tok(1), 1, 1000);
    c.set(tok(2), 2, 1000);
    expect(c.get(tok(1))).toBe(1);
    c.set(tok(3), 3, 1000);
    expect(c.get(tok(2))).toBeUndefined();
    expect(c.get(tok(1))).toBe(1);
    expect(c.get(tok(3))).toBe(3);
  });

  test('the byte cap is respected', () => {
    const c = new TokenCache<number>({ maxEntries: 1000, maxBytes: 1000, now: () => 0 });
    for (let i = 0; i < 50; i++) c.set(tok(i), i, 1000);
    expect(c.totalBytes).toBeLessThanOrEqual(1000);
    expect(c.size).toBeGreaterThan(0);
    expect(c.get(tok(49))).toBe(49);
  });

  test('expiry is checked on every hit', () => {
    let now = 0;
    const c = new TokenCache<number>({ maxEntries: 10, maxBytes: 1e6, now: () => now });
    c.set(tok(1), 1, 100);
    now = 99;
    expect(c.get(tok(1))).toBe(1);
    now = 100;
    expect(c.get(tok(1))).toBeUndefined();
    expect(c.size).toBe(0);
  });

  test('checkAfter makes an entry a miss without dropping it (re-validation hook)', () => {
    let now = 0;
    const c = new TokenCache<number>({ maxEntries: 10, maxBytes: 1e6, now: () => now });
    c.set(tok(1), 1, 1000, 0, 50);
    expect(c.get(tok(1))).toBe(1);
    now = 50;
    expect(c.get(tok(1))).toBeUndefined();
    expect(c.size).toBe(1);
  });

  test('a different token with the same signature suffix is a miss', () => {
    const c = new TokenCache<number>({ maxEntries: 10, maxBytes: 1e6, now: () => 0 });
    const a = tok(1);
    const b = 'X' + a.slice(1);
    c.set(a, 1, 1000);
    expect(c.get(b)).toBeUndefined();
    expect(c.get(a)).toBe(1);
  });
});
