/**
 * The authorizer's JWKS cache (aws-jwt-verify's public JwksCache interface)
 * and the bounded GET: the cache validates with aws-jwt-verify's own checks,
 * fetches once, fails fast after a failure, rate-limits unknown kids, and
 * every fetch failure is a FetchError within its deadline.
 * Fetches go to real loopback servers over HTTP.
 */
import {
  FetchError, JwksNotAvailableInCacheError, JwksValidationError, JwkValidationError, JwtWithoutValidKidError, KidNotFoundInJwksError,
  WaitPeriodNotYetEndedJwkError,
} from 'aws-jwt-verify/error';
import * as original from 'aws-jwt-verify/jwk';
import { closedPort, jwksOf, loopbackServer, loopbackTransport, makeKey } from './helpers';
import { httpsGet, MAX_BODY_BYTES } from '../../../lambda/authorizer/https-get';
import { JwksCache } from '../../../lambda/authorizer/jwks';

const URI = 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC123/.well-known/jwks.json';
const jwt = (kid: unknown) => ({ header: { alg: 'RS256', kid } as never });

describe('JwksCache', () => {
  const key = makeKey('kid-1');
  const other = makeKey('kid-2');

  test('addJwks validates, and caches a frozen copy: later changes to the caller\'s object have no effect', () => {
    const cache = new JwksCache();
    expect(() => cache.addJwks(URI, { keys: [{ kty: 5 }] } as never)).toThrow(JwkValidationError);
    expect(() => cache.addJwks(URI, { keys: 'nope' } as never)).toThrow(JwksValidationError);
    const jwks = { keys: [{ ...key.jwk }] } as unknown as original.Jwks;
    cache.addJwks(URI, jwks);
    const cached = cache.getCachedJwk(URI, jwt('kid-1'));
    (jwks.keys[0] as Record<string, unknown>).n = 'tampered';
    (jwks.keys[0] as Record<string, unknown>).kty = 5;
    expect(cached.n).toBe(key.jwk.n);
    expect(Object.isFrozen(cached)).toBe(true);
    // The cached copy is the key as given (the verifier checks it with aws-jwt-verify's own validators).
    expect({ ...cached }).toEqual(key.jwk);
    expect(original.isJwk(cached)).toBe(true);
  });

  test('getCachedJwk: no kid, nothing cached, unknown kid', () => {
    const cache = new JwksCache();
    expect(() => cache.getCachedJwk(URI, jwt(undefined))).toThrow(JwtWithoutValidKidError);
    expect(() => cache.getCachedJwk(URI, jwt('kid-1'))).toThrow(JwksNotAvailableInCacheError);
    cache.addJwks(URI, jwksOf(key));
    expect(() => cache.getCachedJwk(URI, jwt('kid-2'))).toThrow(KidNotFoundInJwksError);
    expect(cache.getCachedJwk(URI, jwt('kid-1')).kid).toBe('kid-1');
  });

  test('concurrent requests share one fetch; the JWKS is then served from the cache', async () => {
    const server = await loopbackServer((_, res) => setTimeout(() => res.end(JSON.stringify(jwksOf(key, other))), 50));
    try {
      const transport = loopbackTransport(server.port);
      // A deadline far beyond the server's 50 ms: sharing is what this test is about, not timing.
      const cache = new JwksCache({ transport, timeoutMs: 30_000 });
      const jwks = await Promise.all([cache.getJwk(URI, jwt('kid-1')), cache.getJwk(URI, jwt('kid-2')), cache.getJwks(URI)]);
      expect(jwks[0].kid).toBe('kid-1');
      expect(jwks[1].kid).toBe('kid-2');
      expect(await cache.getJwk(URI, jwt('kid-2'))).toBe(jwks[1]);
      expect(transport.calls).toBe(1);
    } finally {
      await server.close();
    }
  });

  test('an unknown kid blocks fetches for unknown kids during the penalty; a known kid is still served; then one refetch', async () => {
    let served = jwksOf(key);
    const server = await loopbackServer((_, res) => res.end(JSON.stringify(served)));
    try {
      let t = 1_000;
      const transport = loopbackTransport(server.port);
      const cache = new JwksCache({ transport, penaltySeconds: 10, now: () => t });
      await expect(cache.getJwk(URI, jwt('kid-2'))).rejects.toBeInstanceOf(KidNotFoundInJwksError);
      await expect(cache.getJwk(URI, jwt('kid-3'))).rejects.toBeInstanceOf(WaitPeriodNotYetEndedJwkError);
      expect((await cache.getJwk(URI, jwt('kid-1'))).kid).toBe('kid-1');
      expect(transport.calls).toBe(1);
      served = jwksOf(key, other); // rotated in
      t += 9_999;
      await expect(cache.getJwk(URI, jwt('kid-2'))).rejects.toBeInstanceOf(WaitPeriodNotYetEndedJwkError);
      t += 1;
      expect((await cache.getJwk(URI, jwt('kid-2'))).kid).toBe('kid-2');
      expect(transport.calls).toBe(2);
      // Found: the block is lifted, an unknown kid may fetch again at once.
      await expect(cache.getJwk(URI, jwt('kid-9'))).rejects.toBeInstanceOf(KidNotFoundInJwksError);
      expect(transport.calls).toBe(3);
    } finally {
      await server.close();
    }
  });

  test('a failed fetch makes the next ones fail fast with its error until the back-off ends', async () => {
    let status = 503;
    const server = await loopbackServer((_, res) => { res.statusCode = status; res.end(JSON.stringify(jwksOf(key))); });
    try {
      let t = 0;
      const transport = loopbackTransport(server.port);
      const cache = new JwksCache({ transport, failureBackoffMs: 5_000, now: () => t });
      const first = await cache.getJwk(URI, jwt('kid-1')).catch((e: unknown) => e);
      expect(first).toBeInstanceOf(FetchError);
      expect((first as Error).message).toMatch(/status 503, expected 200/);
      expect(await cache.getJwk(URI, jwt('kid-1')).catch((e: unknown) => e)).toBe(first);
      expect(transport.calls).toBe(1);
      status = 200;
      t = 5_000;
      expect((await cache.getJwk(URI, jwt('kid-1'))).kid).toBe('kid-1');
      expect(transport.calls).toBe(2);
    } finally {
      await server.close();
    }
  });

  test('a body that is not a JWKS is a JwksValidationError (and gets the back-off too)', async () => {
    const bodies: [string, new (...a: never[]) => Error][] = [
      ['{"keys": "nope"}', JwksValidationError], ['not json', JwksValidationError], ['\xff\xfe', JwksValidationError], ['{"keys": [{"kty": 7}]}', JwkValidationError],
    ];
    for (const [body, errorClass] of bodies) {
      const server = await loopbackServer((_, res) => res.end(Buffer.from(body, 'latin1')));
      try {
        const transport = loopbackTransport(server.port);
        const cache = new JwksCache({ transport });
        await expect(cache.getJwks(URI)).rejects.toBeInstanceOf(errorClass);
        await expect(cache.getJwk(URI, jwt('kid-1'))).rejects.toBeInstanceOf(errorClass);
        expect(transport.calls).toBe(1);
      } finally {
        await server.close();
      }
    }
  });
});

describe('httpsGet', () => {
  const get = (port: number, ms = 2_000) => httpsGet(URI, ms, loopbackTransport(port));
  const failure = (p: Promise<unknown>) => p.then(() => 'resolved', (e: Error) => `${e.constructor.name}: ${e.message}`);

  test('returns the body of a 200 response', async () => {
    const server = await loopbackServer((req, res) => res.end(`${req.method} ${req.url}`));
    try {
      expect(Buffer.from(await get(server.port)).toString()).toBe('GET /us-east-1_AbC123/.well-known/jwks.json');
    } finally {
      await server.close();
    }
  });

  test('a status other than 200, a refused connection, a transport that throws: FetchError', async () => {
    const server = await loopbackServer((_, res) => { res.statusCode = 302; res.setHeader('location', 'https://evil.example/'); res.end('{}'); });
    try {
      expect(await failure(get(server.port))).toMatch(/^FetchError: .*status 302, expected 200/);
    } finally {
      await server.close();
    }
    expect(await failure(get(await closedPort()))).toMatch(/^FetchError: .*ECONNREFUSED/);
    expect(await failure(httpsGet('http://127.0.0.1:1/', 1_000))).toMatch(/^FetchError: .*Protocol "http:" not supported/);
  });

  test('a body larger than the cap is refused without reading it all', async () => {
    let wrote = 0;
    const server = await loopbackServer((_, res) => {
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      const pump = (): void => {
        while (wrote < 64 * MAX_BODY_BYTES) {
          wrote += chunk.length;
          if (!res.write(chunk)) { res.once('drain', pump); return; }
        }
        res.end();
      };
      pump();
    });
    try {
      expect(await failure(get(server.port))).toMatch(/^FetchError: .*body larger than 262144 bytes/);
      expect(wrote).toBeLessThan(64 * MAX_BODY_BYTES);
    } finally {
      await server.close();
    }
  });

  test('the deadline covers the whole exchange: headers sent, body never finished', async () => {
    const server = await loopbackServer((_, res) => { res.writeHead(200); res.write('{"keys":'); });
    try {
      // Only the 300 ms deadline ends this exchange; its message says so (no elapsed time is measured: that races the load).
      expect(await failure(get(server.port, 300))).toMatch(/^FetchError: .*no complete response within 300 ms/);
    } finally {
      await server.close();
    }
  });

  test('a server that never answers: FetchError at the deadline', async () => {
    const server = await loopbackServer(() => undefined);
    try {
      expect(await failure(get(server.port, 200))).toMatch(/^FetchError: .*within 200 ms/);
    } finally {
      await server.close();
    }
  });
});
