/**
 * A drop-in for aws-jwt-verify's Node.js `#node-web-compat` module (its own
 * seam for platform-specific primitives), substituted for it when the
 * authorizer is bundled (scripts/bundle-handlers.ts) and in the tests (jest
 * `moduleNameMapper`). It is aws-jwt-verify 5.2's implementation (Apache-2.0,
 * Amazon.com, Inc. or its affiliates), with one change: RSA and ECDSA
 * signatures are checked with the one-shot `crypto.verify` instead of a
 * `createVerify` stream. Same digest, key, input and signature bytes, same
 * boolean (and the same "Malformed signature" error for an ECDSA signature
 * of the wrong length); no Writable stream is built per token, which saves
 * about 0.6 ms on the cold start's first verification. `fetch` is the
 * authorizer's bounded GET (https-get.ts) rather than aws-jwt-verify's
 * stream-based one: nothing in the bundle calls it (the JWKS drop-in,
 * jwks.ts, fetches directly), and the original would bundle `stream`.
 *
 * Equivalence with the original is checked for RS256/384/512, ES256/384/512
 * and EdDSA, valid and tampered, and for every other member
 * (test/lambda/authorizer/node-web-compat.test.ts).
 */
/// <reference path="../aws-jwt-verify-internals.d.ts" />
import { createPublicKey, KeyObject, verify } from 'crypto';
import type { NodeWebCompat } from '#aws-jwt-verify/node-web-compat-node';
import { httpsGet } from './https-get';

/** OpenSSL digest per JWS algorithm, as aws-jwt-verify maps them. */
const DIGEST: Record<string, string | undefined> = {
  RS256: 'RSA-SHA256', RS384: 'RSA-SHA384', RS512: 'RSA-SHA512', ES256: 'RSA-SHA256', ES384: 'RSA-SHA384', ES512: 'RSA-SHA512',
};

/** IEEE P1363 signature bytes per curve; a `createVerify` stream throws on any other length, `crypto.verify` returns false. */
const P1363_BYTES: Record<string, number | undefined> = { prime256v1: 64, secp384r1: 96, secp521r1: 132 };

const jwkToKeyObject = (jwk: unknown): KeyObject => createPublicKey({ key: jwk as never, format: 'jwk' });

const verifySignatureSync: NodeWebCompat['verifySignatureSync'] = ({ alg, keyObject, jwsSigningInput, signature }) => {
  if (alg === 'EdDSA') return verify(null, Buffer.from(jwsSigningInput), keyObject, Buffer.from(signature, 'base64'));
  const digest = Object.hasOwn(DIGEST, alg) ? DIGEST[alg] : undefined;
  // The original throws (createVerify(undefined)); crypto.verify would instead pick the key's default digest.
  if (digest === undefined) throw new TypeError(`No digest for JWS algorithm ${String(alg)}`);
  const sig = Buffer.from(signature, 'base64');
  if (keyObject.asymmetricKeyType === 'ec') {
    const bytes = P1363_BYTES[keyObject.asymmetricKeyDetails?.namedCurve ?? ''];
    if (bytes !== undefined && sig.length !== bytes) throw Object.assign(new Error('Malformed signature'), { code: 'ERR_CRYPTO_OPERATION_FAILED' });
  }
  return verify(digest, Buffer.from(jwsSigningInput), { key: keyObject, dsaEncoding: 'ieee-p1363' }, sig);
};

export const nodeWebCompat: NodeWebCompat = {
  // Only aws-jwt-verify's https.js calls this, and the JWKS drop-in (jwks.ts) leaves it out of the bundle.
  fetch: (uri) => httpsGet(uri, 3000),
  transformJwkToKeyObjectSync: jwkToKeyObject,
  transformJwkToKeyObjectAsync: async (jwk) => jwkToKeyObject(jwk),
  parseB64UrlString: (b64) => Buffer.from(b64, 'base64').toString('utf8'),
  verifySignatureSync,
  verifySignatureAsync: async (args) => verifySignatureSync(args),
  defaultFetchTimeouts: { socketIdle: 1500, response: 3000 },
  setTimeoutUnref: (...args) => setTimeout(...args).unref(),
  transformPemToJwk: async (pem) => createPublicKey({ key: Buffer.from(pem), format: 'pem' }).export({ format: 'jwk' }),
};
