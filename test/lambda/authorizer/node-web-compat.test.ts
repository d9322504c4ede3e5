/**
 * The drop-in for aws-jwt-verify's `#node-web-compat` gives the original's
 * answers: signature checks for every algorithm aws-jwt-verify supports
 * (valid, tampered, truncated, unknown algorithm), and the same other
 * members (fetch: the authorizer's bounded GET). aws-jwt-verify runs the drop-in under jest and in the bundle.
 */
import * as crypto from 'crypto';
import { FetchError } from 'aws-jwt-verify/error';
// The originals, under the names jest's moduleNameMapper resolves (not in aws-jwt-verify's exports).
// eslint-disable-next-line import/no-unresolved
import { nodeWebCompat as original, VerifyArgs } from '#aws-jwt-verify/node-web-compat-node';
import { nodeWebCompat } from '../../../lambda/authorizer/node-web-compat';

const keys = {
  rsa: crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }),
  p256: crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }),
  p384: crypto.generateKeyPairSync('ec', { namedCurve: 'P-384' }),
  p521: crypto.generateKeyPairSync('ec', { namedCurve: 'P-521' }),
  ed: crypto.generateKeyPairSync('ed25519'),
};
const CASES: [string, keyof typeof keys, string | null][] = [
  ['RS256', 'rsa', 'sha256'], ['RS384', 'rsa', 'sha384'], ['RS512', 'rsa', 'sha512'],
  ['ES256', 'p256', 'sha256'], ['ES384', 'p384', 'sha384'], ['ES512', 'p521', 'sha512'], ['EdDSA', 'ed', null],
];
const INPUT = `${Buffer.from('{"alg":"x"}').toString('base64url')}.${Buffer.from('{"sub":"é"}').toString('base64url')}`;

function outcome(f: (a: VerifyArgs) => boolean, args: VerifyArgs): string {
  try {
    return String(f(args));
  } catch (err) {
    return `throws ${(err as Error).name}`;
  }
}

describe.each(CASES)('%s', (alg, k, digest) => {
  const { privateKey, publicKey } = keys[k];
  const sig = crypto.sign(digest, Buffer.from(INPUT), { key: privateKey, dsaEncoding: 'ieee-p1363' });
  const variants: [string, Partial<VerifyArgs>][] = [
    ['valid', {}],
    ['signature byte flipped', { signature: Buffer.from(sig.map((b, i) => (i === 5 ? 255 - b : b))).toString('base64') }],
    ['input changed', { jwsSigningInput: `${INPUT}x` }],
    ['signature truncated', { signature: sig.subarray(0, sig.length - 1).toString('base64') }],
    ['signature empty', { signature: '' }],
    ['other key', { keyObject: keys[k === 'rsa' ? 'p256' : 'rsa'].publicKey }],
    ['DER-encoded ECDSA signature', { signature: crypto.sign(digest, Buffer.from(INPUT), privateKey).toString('base64') }],
  ];
  test.each(variants)('%s: same answer as aws-jwt-verify', (name, change) => {
    const args: VerifyArgs = { alg, keyObject: publicKey, jwsSigningInput: INPUT, signature: sig.toString('base64url'), ...change };
    const want = outcome(original.verifySignatureSync, args);
    expect(outcome(nodeWebCompat.verifySignatureSync, args)).toBe(want);
    if (name === 'valid') expect(want).toBe('true');
  });
});

test.each(['HS256', 'none', 'PS256', '__proto__', 'constructor'])('unknown algorithm %s: throws, like the original (never a default digest)', (alg) => {
  const { privateKey, publicKey } = keys.rsa;
  const args = { alg, keyObject: publicKey, jwsSigningInput: INPUT, signature: crypto.sign('sha256', Buffer.from(INPUT), privateKey).toString('base64') };
  expect(outcome(nodeWebCompat.verifySignatureSync, args)).toBe(outcome(original.verifySignatureSync, args));
  expect(outcome(nodeWebCompat.verifySignatureSync, args)).toMatch(/^throws/);
});

test('async verification and the other members match', async () => {
  const { privateKey, publicKey } = keys.rsa;
  const args = { alg: 'RS256', keyObject: publicKey, jwsSigningInput: INPUT, signature: crypto.sign('sha256', Buffer.from(INPUT), privateKey).toString('base64') };
  await expect(nodeWebCompat.verifySignatureAsync(args)).resolves.toBe(true);
  expect(Object.keys(nodeWebCompat).sort()).toEqual(Object.keys(original).sort());
  // fetch is the authorizer's bounded GET (https-get.ts): a failure is aws-jwt-verify's FetchError.
  await expect(nodeWebCompat.fetch('http://127.0.0.1:1/jwks.json')).rejects.toBeInstanceOf(FetchError);
  expect(nodeWebCompat.defaultFetchTimeouts).toEqual(original.defaultFetchTimeouts);
  const jwk = publicKey.export({ format: 'jwk' });
  expect(nodeWebCompat.transformJwkToKeyObjectSync(jwk).export({ format: 'jwk' })).toEqual(original.transformJwkToKeyObjectSync(jwk).export({ format: 'jwk' }));
  expect((await nodeWebCompat.transformJwkToKeyObjectAsync(jwk)).export({ format: 'jwk' })).toEqual(jwk);
  const pem = publicKey.export({ format: 'pem', type: 'spki' }).toString();
  expect(await nodeWebCompat.transformPemToJwk(pem)).toEqual(await original.transformPemToJwk(pem));
  for (const s of ['eyJhIjoiYiJ9', 'eyJhIjoi5pel5pysIn0', '-_8', '']) expect(nodeWebCompat.parseB64UrlString(s)).toBe(original.parseB64UrlString(s));
  const t = nodeWebCompat.setTimeoutUnref(() => undefined, 1000);
  expect(t.hasRef()).toBe(false);
  clearTimeout(t);
});

test('aws-jwt-verify verifies through the drop-in under jest', () => {
  jest.isolateModules(() => {
    const seen: string[] = [];
    jest.doMock('../../../lambda/authorizer/node-web-compat', () => ({
      nodeWebCompat: { ...nodeWebCompat, verifySignatureSync: (a: VerifyArgs) => { seen.push(a.alg); return nodeWebCompat.verifySignatureSync(a); } },
    }));
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { verifyJwtSync } = require('aws-jwt-verify/jwt-verifier') as typeof import('aws-jwt-verify/jwt-verifier');
    const { privateKey, publicKey } = keys.rsa;
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const input = `${b64({ alg: 'RS256', kid: 'k' })}.${b64({ sub: 'x', exp: Math.floor(Date.now() / 1000) + 60 })}`;
    const jwt = `${input}.${crypto.sign('sha256', Buffer.from(input), privateKey).toString('base64url')}`;
    const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'k', alg: 'RS256', use: 'sig' };
    expect(verifyJwtSync(jwt, jwk as never, { issuer: null, audience: null })).toMatchObject({ sub: 'x' });
    expect(seen).toEqual(['RS256']);
  });
});
