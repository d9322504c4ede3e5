/**
 * Property: a mutated token is never allowed. Mutations flip bytes of the
 * header, payload or signature, or re-encode the claims with a changed exp,
 * iss, client_id, token_use or scope while keeping the original signature.
 * Only a no-op mutation may be allowed: the same signed input (header and
 * payload text) with the same signature bytes (base64url ignores the unused
 * low bits of the last character, so a few spellings decode identically).
 */
import * as fc from 'fast-check';
import { allowsAnything, b64url, claims, isFirstSeen, jwksOf, makeAuthorizer, makeKey, outcome, sign, tokenEvent, ISSUER } from './helpers';

const key = makeKey();
// A fresh authorizer per run would re-import keys; one per file is fine: the cache is keyed by the exact token.
const t = makeAuthorizer({ jwks: jwksOf(key) });
const original = sign(key, claims({ scope: 'https://api.acme.example/orders/read' }));
const [h, p, s] = original.split('.');
const payload = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as Record<string, unknown>;

function flipByte(segment: string, index: number, xor: number): string {
  const bytes = Buffer.from(segment, 'base64url');
  if (bytes.length === 0) return segment;
  bytes[index % bytes.length] = (bytes[index % bytes.length] + xor) % 256; // never the same byte
  return bytes.toString('base64url');
}

const segmentMutation = fc.record({
  part: fc.constantFrom(0, 1, 2),
  index: fc.nat(),
  xor: fc.integer({ min: 1, max: 255 }),
}).map(({ part, index, xor }) => {
  const parts = [h, p, s];
  parts[part] = flipByte(parts[part], index, xor);
  return parts.join('.');
});

const claimMutation = fc.oneof(
  fc.integer({ min: -10_000_000, max: 10_000_000 }).map((d) => ({ exp: (payload.exp as number) + d })),
  fc.constantFrom(`${ISSUER}x`, 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Other', 'https://evil.example').map((iss) => ({ iss })),
  fc.constantFrom('client2initech', 'client1globe', 'client1globexx', 'stranger').map((client_id) => ({ client_id })),
  fc.constantFrom('id', 'refresh', 'Access', '').map((token_use) => ({ token_use })),
  fc.constantFrom(
    'https://api.acme.example/orders/read https://api.acme.example/orders/write',
    'https://api.acme.example/orders/write',
    '',
  ).map((scope) => ({ scope })),
  fc.record({ extra: fc.string() }),
).map((change) => `${h}.${b64url(JSON.stringify({ ...payload, ...change }))}.${s}`);

const textMutation = fc.record({ index: fc.nat(), char: fc.constantFrom(...'ABCabc012-_.=+/ '.split('')) }).map(({ index, char }) => {
  const i = index % original.length;
  return original.slice(0, i) + char + original.slice(i + 1);
});

function isNoOp(mutated: string): boolean {
  const parts = mutated.split('.');
  return parts.length === 3 && parts[0] === h && parts[1] === p && /^[A-Za-z0-9_-]+$/.test(parts[2])
    && Buffer.from(parts[2], 'base64url').equals(Buffer.from(s, 'base64url'));
}

test('the original token is allowed (sanity)', async () => {
  expect(allowsAnything(await outcome(t.authorizer, tokenEvent(original)))).toBe(true);
});

test('mutated tokens are never allowed', async () => {
  await fc.assert(
    fc.asyncProperty(fc.oneof(segmentMutation, claimMutation, textMutation), async (mutated) => {
      const r = await outcome(t.authorizer, tokenEvent(mutated));
      if (isNoOp(mutated)) return;
      expect(allowsAnything(r)).toBe(false);
    }),
    { numRuns: 400 },
  );
});

test('every denial logged exactly one line without the token; only the original token was seen first', () => {
  const lines = t.lines;
  expect(lines.length).toBeGreaterThan(0);
  for (const line of lines) {
    const parsed = JSON.parse(line);
    // The original (and a no-op spelling of its signature, a new cache key) is the only token ever seen first.
    if (isFirstSeen(parsed)) expect(parsed).toMatchObject({ clientId: 'client1globex', tenantId: 'globex', tokenId: payload.jti });
    else expect(parsed.msg).toBe('denied');
    expect(line).not.toContain(s.slice(0, 24));
    expect(line).not.toContain(p.slice(0, 24));
  }
});
