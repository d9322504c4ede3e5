/**
 * One test per failure mode: each is denied (Unauthorized, or a Deny policy
 * when the token is valid but reaches nothing) with exactly one structured
 * log line naming the reason class and never containing the token. A valid
 * token that reaches nothing was still issued and used: its first sighting
 * (token traffic per client) is logged too, and holds no token either.
 */
import * as crypto from 'crypto';
import {
  allowsAnything, b64url, claims, closedPort, isFirstSeen, jwksOf, KeyPair, loopbackTransport, loopbackServer, makeAuthorizer, makeKey, outcome,
  requestEvent, sign, tokenEvent, TestAuthorizer, KID, ISSUER, READ,
} from './helpers';

let key: KeyPair;
beforeAll(() => {
  key = makeKey();
});

/** Runs one event and checks: denied, one log line with this reason, token never logged. */
/** Yields to I/O (setImmediate, which the tests never fake) until `condition` holds. */
async function untilTrue(condition: () => boolean): Promise<void> {
  for (let turns = 0; turns < 1_000_000; turns++) {
    await new Promise((res) => setImmediate(res));
    if (condition()) return;
  }
  throw new Error('the condition never held');
}

async function expectDenied(t: TestAuthorizer, event: Parameters<TestAuthorizer['authorizer']['handle']>[0], reason: string, secret?: string) {
  const before = t.lines.length;
  const result = await outcome(t.authorizer, event);
  expect(allowsAnything(result)).toBe(false);
  const lines = t.lines.slice(before);
  const denials = lines.filter((l) => !isFirstSeen(l));
  expect(denials).toHaveLength(1);
  expect(JSON.parse(denials[0])).toMatchObject({ msg: 'denied', reason });
  expect(lines.filter(isFirstSeen)).toHaveLength(reason === 'no_scope' ? 1 : 0);
  const raw = event.type === 'TOKEN' ? event.authorizationToken : JSON.stringify(event.headers);
  for (const line of lines) {
    if (raw && raw.length > 20) {
      // No fragment of the credential (any 16-character window) appears in the log.
      for (let i = 0; i + 16 <= raw.length; i += 8) expect(line).not.toContain(raw.slice(i, i + 16));
    }
    if (secret) expect(line).not.toContain(secret);
  }
  return result;
}

describe('request shape', () => {
  test('missing Authorization header (TOKEN event)', async () => {
    const t = makeAuthorizer({ jwks: jwksOf(key) });
    expect(await expectDenied(t, tokenEvent(undefined), 'missing_header')).toBe('Unauthorized');
  });

  test('missing Authorization header (REQUEST event, no headers)', async () => {
    const t = makeAuthorizer({ jwks: jwksOf(key) });
    expect(await expectDenied(t, requestEvent(null), 'missing_header')).toBe('Unauthorized');
  });

  test('wrong scheme', async () => {
    const t = makeAuthorizer({ jwks: jwksOf(key) });
    const token = sign(key, claims());
    const event = { ...tokenEvent(token), authorizationToken: `Basic ${token}` };
    expect(await expectDenied(t, event, 'bad_scheme')).toBe('Unauthorized');
  });

  test('malformed token (not three base64url parts)', async () => {
    const t = makeAuthorizer({ jwks: jwksOf(key) });
    expect(await expectDenied(t, tokenEvent('not-a-jwt-at-all-but-long-enough'), 'malformed')).toBe('Unauthorized');
  });

  test('malformed header JSON', async () => {
    const t = makeAuthorizer({ jwks: jwksOf(key) });
    const token = `${b64url('{"kid":')}.${b64url(JSON.stringify(claims()))}.${b64url('sig')}`;
    expect(await expectDenied(t, tokenEvent(token), 'malformed')).toBe('Unauthorized');
  });

  test('oversized token is rejected before parsing', async () => {
    const t = makeAuthorizer({ jwks: jwksOf(key), config: { maxTokenBytes: 1024 } });
    const token = sign(key, claims({ padding: 'x'.repeat(2000) }));
    expect(await expectDenied(t, tokenEvent(token), 'too_large')).toBe('Unauthorized');
  });

  test('REQUEST event reads the header case-insensitively', async () => {
    const t = makeAuthorizer({ jwks: jwksOf(key) });
    const token = sign(key, claims());
    const r = await outcome(t.authorizer, requestEvent({ AUTHORIZATION: `Bearer ${token}` }));
    expect(allowsAnything(r)).toBe(true);
  });
});

describe('signature and algorithm', () => {
  test('alg none', async () => {
    const t = makeAuthorizer({ jwks: jwksOf(key) });
    const token = `${b64url(JSON.stringify({ alg: 'none', kid: KID }))}.${b64url(JSON.stringify(claims()))}.`;
    expect(await expectDenied(t, tokenEvent(token), 'alg_not_allowed')).toBe('Unauthorized');
  });

  test('HS256 signed with the public key as HMAC secret', async () => {
    const t = makeAuthorizer({ jwks: jwksOf(key) });
    const input = `${b64url(JSON.stringify({ alg: 'HS256', kid: KID }))}.${b64url(JSON.stringify(claims()))}`;
    const pem = key.publicKey.export({ type: 'spki', format: 'pem' });
    const token = `${input}.${crypto.createHmac('sha256', pem).update(input).digest('base64url')}`;
    expect(await expectDenied(t, tokenEvent(token), 'alg_not_allowed')).toBe('Unauthorized');
  });

  test('unknown kid (JWKS fetched once, kid still absent)', async () => {
    const server = await loopbackServer((_, res) => { res.setHeader('content-type', 'application/json'); res.end(JSON.stringify(jwksOf(key))); });
    try {
      const t = makeAuthorizer({ jwks: jwksOf(key), deps: { jwksTransport: loopbackTransport(server.port) } });
      const other = makeKey('another-kid');
      expect(await expectDenied(t, tokenEvent(sign(other, claims())), 'unknown_kid')).toBe('Unauthorized');
    } finally {
      await server.close();
    }
  });

  test('bad signature (signed by another key with the same kid)', async () => {
    const t = makeAuthorizer({ jwks: jwksOf(key) });
    const impostor = { ...makeKey(KID) };
    expect(await expectDenied(t, tokenEvent(sign(impostor, claims())), 'bad_signature')).toBe('Unauthorized');
  });
});

describe('claims', () => {
  test('expired', async () => {
    const t = makeAuthorizer({ jwks: jwksOf(key) });
    const now = Math.floor(Date.now() / 1000);
    await expectDenied(t, tokenEvent(sign(key, claims({ iat: now - 7200, exp: now - 60 }))), 'expired');
    // The signature was valid: the (verified) client id is logged.
    expect(t.logs()[0].clientId).toBe('client1globex');
  });

  test('nbf in the future', async () => {
    const t = makeAuthorizer({ jwks: jwksOf(key) });
    await expectDenied(t, tokenEvent(sign(key, claims({ nbf: Math.floor(Date.now() / 1000) + 600 }))), 'not_yet_valid');
  });

  test('wrong issuer (another user pool)', async () => {
    const t = makeAuthorizer({ jwks: jwksOf(key) });
    await expectDenied(t, tokenEvent(sign(key, claims({ iss: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Other99' }))), 'wrong_issuer');
  });

  test('ID token (token_use id)', async () => {
    const t = makeAuthorizer({ jwks: jwksOf(key) });
    await expectDenied(t, tokenEvent(sign(key, claims({ token_use: 'id', aud: 'client1globex' }))), 'wrong_token_use');
  });

  test('client not trusted (not in CLIENT_TENANTS)', async () => {
    const t = makeAuthorizer({ jwks: jwksOf(key) });
    await expectDenied(t, tokenEvent(sign(key, claims({ client_id: 'strangerclient', sub: 'strangerclient' }))), 'untrusted_client');
    expect(t.logs()[0].clientId).toBe('strangerclient');
  });

  test('scope missing: Deny policy for the whole API', async () => {
    const t = makeAuthorizer({ jwks: jwksOf(key) });
    const r = await expectDenied(t, tokenEvent(sign(key, claims({ scope: 'https://api.acme.example/invoices/read' }))), 'no_scope');
    expect(r).toMatchObject({
      principalId: 'client1globex',
      policyDocument: { Statement: [{ Effect: 'Deny', Resource: 'arn:aws:execute-api:us-east-1:123456789012:abcdef1234/*' }] },
    });
  });

  test('scope of another resource server sharing a prefix does not match', async () => {
    const t = makeAuthorizer({ jwks: jwksOf(key) });
    const scope = 'https://api.acme.example/orders-archive/read https://api.acme.example/orders/read/extra https://api.acme.example/order/read';
    expect(READ.startsWith('https://api.acme.example/order')).toBe(true);
    await expectDenied(t, tokenEvent(sign(key, claims({ scope }))), 'no_scope');
  });
});

describe('JWKS endpoint problems', () => {
  const BOUND_MS = 300;

  test('JWKS endpoint down (connection refused)', async () => {
    const port = await closedPort();
    const t = makeAuthorizer({ deps: { jwksTransport: loopbackTransport(port) }, config: { jwksTimeoutMs: BOUND_MS } });
    await expectDenied(t, tokenEvent(sign(key, claims())), 'jwks_unavailable');
  });

  test('JWKS endpoint hangs: the request is denied once the time bound has passed, not before', async () => {
    const server = await loopbackServer(() => undefined); // accepts, never answers
    // The test moves the bound's timer (the sockets stay real): the denial comes at BOUND_MS exactly, whatever the load.
    jest.useFakeTimers({ doNotFake: ['Date', 'hrtime', 'nextTick', 'performance', 'queueMicrotask', 'setImmediate'] });
    try {
      const t = makeAuthorizer({ deps: { jwksTransport: loopbackTransport(server.port) }, config: { jwksTimeoutMs: BOUND_MS } });
      let settled = false;
      const denied = expectDenied(t, tokenEvent(sign(key, claims())), 'jwks_unavailable').finally(() => { settled = true; });
      await untilTrue(() => server.hits() === 1);
      jest.advanceTimersByTime(BOUND_MS - 1);
      await untilTrue(() => true);
      expect(settled).toBe(false);
      jest.advanceTimersByTime(1);
      await denied;
    } finally {
      jest.useRealTimers();
      await server.close();
    }
  });

  test('JWKS endpoint returns garbage', async () => {
    const server = await loopbackServer((_, res) => { res.setHeader('content-type', 'application/json'); res.end('{"keys": "nope"'); });
    try {
      const t = makeAuthorizer({ deps: { jwksTransport: loopbackTransport(server.port) }, config: { jwksTimeoutMs: BOUND_MS } });
      await expectDenied(t, tokenEvent(sign(key, claims())), 'jwks_unavailable');
    } finally {
      await server.close();
    }
  });

  test('JWKS fetched once and reused', async () => {
    const server = await loopbackServer((_, res) => { res.setHeader('content-type', 'application/json'); res.end(JSON.stringify(jwksOf(key))); });
    try {
      const transport = loopbackTransport(server.port);
      const t = makeAuthorizer({ deps: { jwksTransport: transport } });
      for (let i = 0; i < 5; i++) expect(allowsAnything(await outcome(t.authorizer, tokenEvent(sign(key, claims()))))).toBe(true);
      expect(transport.calls).toBe(1);
      expect(t.decisionLogs()).toEqual([]);
    } finally {
      await server.close();
    }
  });

  test('unknown kids trigger at most one JWKS refetch per penalty interval', async () => {
    const server = await loopbackServer((_, res) => { res.setHeader('content-type', 'application/json'); res.end(JSON.stringify(jwksOf(key))); });
    try {
      const transport = loopbackTransport(server.port);
      // The penalty interval is read on the authorizer's clock, which the test moves.
      let clock = Date.now();
      const t = makeAuthorizer({ jwks: jwksOf(key), deps: { jwksTransport: transport, penaltyBoxSeconds: 1, now: () => clock } });
      const strangers = [makeKey('kid-a'), makeKey('kid-b')];
      for (let i = 0; i < 6; i++) {
        expect(await outcome(t.authorizer, tokenEvent(sign(strangers[i % 2], claims())))).toBe('Unauthorized');
      }
      expect(transport.calls).toBe(1);
      expect(t.logs().map((l) => l.reason)).toEqual(Array(6).fill('unknown_kid'));
      // After the interval, a rotated-in key is picked up by one more fetch.
      clock += 1_000;
      expect(await outcome(t.authorizer, tokenEvent(sign(strangers[0], claims())))).toBe('Unauthorized');
      expect(transport.calls).toBe(2);
    } finally {
      await server.close();
    }
  });

  test('after an outage the fetch is not retried on every request (back-off)', async () => {
    const port = await closedPort();
    const transport = loopbackTransport(port);
    const t = makeAuthorizer({ deps: { jwksTransport: transport, jwksFailureBackoffMs: 60_000 }, config: { jwksTimeoutMs: BOUND_MS } });
    for (let i = 0; i < 4; i++) expect(await outcome(t.authorizer, tokenEvent(sign(key, claims())))).toBe('Unauthorized');
    expect(transport.calls).toBe(1);
    expect(t.logs().map((l) => l.reason)).toEqual(Array(4).fill('jwks_unavailable'));
  });
});

test('the issuer used by the tests is the one derived from USER_POOL_ID', () => {
  expect(ISSUER).toBe('https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC123');
});
