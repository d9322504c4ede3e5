/**
 * Token traffic per client and tenant (lib/private/contracts/token-usage.ts):
 * the authorizer writes one line when it verifies a token its verified-token
 * cache does not know, naming the client, its tenant and the token's id,
 * issue and expiry times, and never the token. M2mMonitoring's Contributor
 * Insights rules and saved queries read these lines.
 */
import * as crypto from 'crypto';
import * as fc from 'fast-check';
import { allowsAnything, claims, jwksOf, makeAuthorizer, makeKey, outcome, sign, tokenEvent, READ } from './helpers';
import { Logger } from '../../../lambda/shared/log';
import { TOKEN_FIRST_SEEN_FIELDS, TOKEN_FIRST_SEEN_MESSAGE, TOKEN_ID_PATTERN } from '../../../lib/private/contracts/token-usage';

const key = makeKey();

/** The claims of a signed token. */
const claimsOf = (token: string): Record<string, unknown> => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));

test('the line: info level, the contract\'s message, client, tenant, the token\'s jti, iat and exp, and nothing else', async () => {
  // GIVEN
  const t = makeAuthorizer({ jwks: jwksOf(key) });
  const token = sign(key, claims({ client_id: 'client2initech', sub: 'client2initech', scope: READ }));
  const c = claimsOf(token);
  // WHEN
  expect(allowsAnything(await outcome(t.authorizer, tokenEvent(token)))).toBe(true);
  // THEN
  expect(t.logs()).toEqual([{
    level: 'info',
    msg: TOKEN_FIRST_SEEN_MESSAGE,
    [TOKEN_FIRST_SEEN_FIELDS.clientId]: 'client2initech',
    [TOKEN_FIRST_SEEN_FIELDS.tenantId]: 'initech',
    [TOKEN_FIRST_SEEN_FIELDS.tokenId]: c.jti,
    [TOKEN_FIRST_SEEN_FIELDS.issuedAt]: c.iat,
    [TOKEN_FIRST_SEEN_FIELDS.expiresAt]: c.exp,
  }]);
  expect(TOKEN_ID_PATTERN.test(c.jti as string)).toBe(true);
  // No fragment of the token (any 16-character window), and not its scopes.
  for (let i = 0; i + 16 <= token.length; i += 8) expect(t.lines[0]).not.toContain(token.slice(i, i + 16));
  expect(t.lines[0]).not.toContain(READ);
});

test('once per token in an execution environment: cache hits write nothing; another environment writes its own line', async () => {
  // GIVEN two execution environments and two tokens of one client
  const first = makeAuthorizer({ jwks: jwksOf(key) });
  const second = makeAuthorizer({ jwks: jwksOf(key) });
  const [a, b] = [sign(key, claims()), sign(key, claims())];
  // WHEN the first environment gets each token three times, the second environment the first token once
  for (let i = 0; i < 3; i++) {
    await first.authorizer.handle(tokenEvent(a));
    await first.authorizer.handle(tokenEvent(b));
  }
  await second.authorizer.handle(tokenEvent(a));
  // THEN one line per token in the first, one in the second: the same tokenId tells the repeated sighting apart
  expect(first.firstSeen().map((l) => l.tokenId)).toEqual([claimsOf(a).jti, claimsOf(b).jti]);
  expect(second.firstSeen().map((l) => l.tokenId)).toEqual([claimsOf(a).jti]);
  expect(first.lines).toHaveLength(2);
});

test('concurrent first requests for one token (the tenant looked up asynchronously) write one line', async () => {
  let release: () => void = () => undefined;
  const lookedUp = new Promise<void>((r) => { release = r; });
  const t = makeAuthorizer({ jwks: jwksOf(key), deps: { tenants: { resolve: () => lookedUp.then(() => 'globex') } } });
  const token = sign(key, claims());
  const answers = Promise.all([1, 2, 3].map(() => outcome(t.authorizer, tokenEvent(token))));
  release();
  expect((await answers).every(allowsAnything)).toBe(true);
  expect(t.firstSeen()).toHaveLength(1);
});

test('a token denied before its tenant is known (expired, untrusted client, another tenant claimed) is not seen', async () => {
  const t = makeAuthorizer({ jwks: jwksOf(key) });
  const now = Math.floor(Date.now() / 1000);
  for (const overrides of [{ exp: now - 60 }, { client_id: 'nobody', sub: 'nobody' }, { tenant_id: 'initech' }]) {
    expect(await outcome(t.authorizer, tokenEvent(sign(key, claims(overrides))))).toBe('Unauthorized');
  }
  expect(t.firstSeen()).toEqual([]);
  expect(t.decisionLogs().map((l) => l.reason)).toEqual(['expired', 'untrusted_client', 'tenant_mismatch']);
});

test('a valid token whose scopes reach no method is seen (it was issued and used) and denied', async () => {
  const t = makeAuthorizer({ jwks: jwksOf(key) });
  const r = await outcome(t.authorizer, tokenEvent(sign(key, claims({ scope: 'https://api.acme.example/invoices/read' }))));
  expect(allowsAnything(r)).toBe(false);
  expect(t.logs().map((l) => l.msg)).toEqual([TOKEN_FIRST_SEEN_MESSAGE, 'denied']);
});

test('a cached token re-checked after its status TTL (registry, client directory) is stored again without a new line', async () => {
  // GIVEN a resolver whose answers hold for 60 s, and a clock the test moves
  let now = Date.now();
  const lookups: string[] = [];
  const t = makeAuthorizer({
    jwks: jwksOf(key),
    deps: { now: () => now, tenants: { resolve: (id: string) => { lookups.push(id); return 'globex'; }, recheckAt: (_, at) => at + 60_000 } },
  });
  const token = sign(key, claims());
  // WHEN the token is used every 10 s for 5 minutes
  for (let s = 0; s < 300; s += 10) {
    expect(allowsAnything(await outcome(t.authorizer, tokenEvent(token)))).toBe(true);
    now += 10_000;
  }
  // THEN it was resolved again every minute, and seen once
  expect(lookups).toHaveLength(5);
  expect(t.firstSeen()).toHaveLength(1);
});

test('a token the full cache evicted is seen again when it comes back: the lines are an upper bound, tokenId tells them apart', async () => {
  const t = makeAuthorizer({ jwks: jwksOf(key), config: { tokenCacheMaxEntries: 1 } });
  const [a, b] = [sign(key, claims()), sign(key, claims())];
  for (const token of [a, b, a]) await t.authorizer.handle(tokenEvent(token));
  expect(t.firstSeen().map((l) => l.tokenId)).toEqual([claimsOf(a).jti, claimsOf(b).jti, claimsOf(a).jti]);
  expect(new Set(t.firstSeen().map((l) => l.tokenId)).size).toBe(2);
});

test.each([
  ['longer than 128 characters', 'a'.repeat(129)],
  ['with a space', 'abc def'],
  ['with JSON in it', '","level":"error'],
  ['not ASCII', 'ünï-cödé'],
  ['empty', ''],
])('a jti %s is not logged; the sighting still is, with client and tenant', async (_, jti) => {
  const t = makeAuthorizer({ jwks: jwksOf(key) });
  expect(allowsAnything(await outcome(t.authorizer, tokenEvent(sign(key, claims({ jti })))))).toBe(true);
  const [line] = t.firstSeen();
  expect(line).toMatchObject({ clientId: 'client1globex', tenantId: 'globex' });
  expect(line).not.toHaveProperty('tokenId');
  expect(t.lines).toHaveLength(1);
});

test('a token without jti or iat: the sighting names client, tenant and expiry only', async () => {
  const t = makeAuthorizer({ jwks: jwksOf(key) });
  const c = claims({ jti: undefined, iat: undefined });
  expect(allowsAnything(await outcome(t.authorizer, tokenEvent(sign(key, c))))).toBe(true);
  expect(t.logs()).toEqual([{ level: 'info', msg: TOKEN_FIRST_SEEN_MESSAGE, clientId: 'client1globex', tenantId: 'globex', expiresAt: c.exp }]);
});

test('the token id pattern takes Cognito\'s jti (a UUID) and nothing that could carry a JWT or break the line', () => {
  expect(TOKEN_ID_PATTERN.test(crypto.randomUUID())).toBe(true);
  for (const bad of ['a'.repeat(129), 'eyJ.eyJ.sig', 'a/b', 'a"b', 'a\nb', '']) expect(TOKEN_ID_PATTERN.test(bad)).toBe(false);
});

test('the logger keeps a tokenId exactly when the contract\'s pattern matches it', () => {
  fc.assert(fc.property(fc.oneof(fc.uuid(), fc.string({ maxLength: 140 }), fc.stringMatching(/^[A-Za-z0-9_-]{120,135}$/)), (tokenId) => {
    const lines: string[] = [];
    new Logger('info', (l) => { lines.push(l); }).info(TOKEN_FIRST_SEEN_MESSAGE, { tokenId });
    expect(JSON.parse(lines[0]).tokenId).toBe(TOKEN_ID_PATTERN.test(tokenId) ? tokenId : undefined);
  }), { numRuns: 500 });
});
