/**
 * The authorizer's JWKS: validation and the cache the verifier takes keys
 * from, which fetches with a deadline and rate-limits refetches.
 *
 * This module is also the drop-in for aws-jwt-verify's `./jwk.js`
 * (scripts/bundle-handlers.ts; jest `moduleNameMapper`). The verifier falls
 * back to `new SimpleJwksCache()` when given no cache, so the original's
 * cache, penalty box and retrying HTTPS fetcher would be bundled even though
 * the authorizer always passes its own cache: 4.3 KB of a 30 KB bundle. The
 * names aws-jwt-verify imports keep their results (the same checks, the same
 * error classes), with one addition: a JWK this cache validated and froze is
 * not validated again for every token.
 *
 * Cache behaviour (`JwksCache`):
 * - one fetch per URI at a time (concurrent requests share it);
 * - a fetch that fails (network, status, size, time, not a JWKS) makes the
 *   next `failureBackoffMs` fail fast with the same error, so an outage is
 *   not hammered by every request;
 * - a fetched JWKS without the token's kid blocks further fetches for
 *   unknown kids for `penaltySeconds`: made-up kids cannot make the
 *   authorizer fetch more than once per interval (aws-jwt-verify's penalty
 *   box does the same); a found kid lifts the block.
 *
 * Equivalence of the validation with aws-jwt-verify's is checked in
 * test/lambda/authorizer/jwks.test.ts.
 */
import {
  JwkInvalidKtyError, JwkInvalidUseError, JwksNotAvailableInCacheError, JwksValidationError, JwkValidationError,
  JwtWithoutValidKidError, KidNotFoundInJwksError, WaitPeriodNotYetEndedJwkError,
} from 'aws-jwt-verify/error';
// Types only: a value import would bundle the original module this one replaces.
import type { Jwk, Jwks, JwksCache as JwksCacheApi, JwkWithKid } from 'aws-jwt-verify/jwk';
import type { JwtHeader } from 'aws-jwt-verify/jwt-model';
import { httpsGet, Transport } from './https-get';
import { isJsonObject, safeJsonParse } from './safe-json-parse';

/** Fields a JWK may carry, which must be strings when present (kty always). */
const STRING_FIELDS = ['kty', 'use', 'alg', 'kid', 'n', 'e', 'x', 'y', 'crv'];
/** Signature keys: the members each key type must have (non-empty). */
const SIGNATURE_FIELDS: Record<string, readonly string[] | undefined> = { EC: ['crv', 'x', 'y'], RSA: ['n', 'e'], OKP: ['crv', 'x'] };

/** JWKs this module copied, validated and froze (checks cannot change their answer). */
const validJwks = new WeakSet<object>();
/** Of those, the ones `assertIsSignatureJwk` accepted. */
const signatureJwks = new WeakSet<object>();

/** The JWK with this kid (a key without a kid never matches). */
export function findJwkInJwks(jwks: Jwks, kid: string): JwkWithKid | undefined {
  return jwks.keys.find((jwk) => jwk.kid != null && jwk.kid === kid) as JwkWithKid | undefined;
}

/** Throws `JwkValidationError` unless `jwk` is an object whose kty (and any other JWK member) is a string. */
export function assertIsJwk(jwk: unknown): asserts jwk is Jwk {
  if (!isJsonObject(jwk)) throw new JwkValidationError('JWK should be an object');
  if (validJwks.has(jwk)) return;
  for (const f of STRING_FIELDS) {
    if ((f === 'kty' || f in jwk) && typeof jwk[f] !== 'string') throw new JwkValidationError(`JWK ${f} should be a string`);
  }
}

/** Throws `JwksValidationError` (or the key's `JwkValidationError`) unless `jwks` is `{ keys: Jwk[] }`. */
export function assertIsJwks(jwks: unknown): asserts jwks is Jwks {
  if (!isJsonObject(jwks)) throw new JwksValidationError('JWKS should be an object');
  if (!Object.keys(jwks).includes('keys') || !Array.isArray(jwks.keys)) throw new JwksValidationError('JWKS keys should be an array');
  jwks.keys.forEach(assertIsJwk);
}

/** Whether `check` accepts `value` (does not throw). */
function passes(check: (value: unknown) => void, value: unknown): boolean {
  try {
    check(value);
    return true;
  } catch {
    return false;
  }
}

export function isJwk(jwk: unknown): jwk is Jwk {
  return passes(assertIsJwk, jwk);
}

export function isJwks(jwks: unknown): jwks is Jwks {
  return passes(assertIsJwks, jwks);
}

/** Throws unless `jwk` is an EC, RSA or OKP key for signatures (`use`, if set, is `sig`) with its key members. */
export function assertIsSignatureJwk(jwk: Jwk): void {
  if (signatureJwks.has(jwk)) return;
  const kty: unknown = jwk.kty;
  const fields = typeof kty === 'string' && Object.hasOwn(SIGNATURE_FIELDS, kty) ? SIGNATURE_FIELDS[kty] : undefined;
  if (!fields) throw new JwkInvalidKtyError(`JWK kty must be one of: EC, RSA, OKP; received: ${String(kty)}`, kty, ['EC', 'RSA', 'OKP']);
  if (jwk.use && jwk.use !== 'sig') throw new JwkInvalidUseError(`JWK use must be sig; received: ${jwk.use}`, jwk.use, 'sig');
  for (const f of fields) {
    if (!jwk[f]) throw new JwkValidationError(`JWK ${f} is missing`);
  }
  if (validJwks.has(jwk)) signatureJwks.add(jwk);
}

/** Parses a fetched body as a JWKS; anything else is a `JwksValidationError`. */
function parseJwks(body: ArrayBuffer): Jwks {
  let jwks: unknown;
  try {
    jwks = safeJsonParse(new TextDecoder('utf8', { fatal: true, ignoreBOM: true }).decode(body));
  } catch {
    throw new JwksValidationError('JWKS could not be parsed as JSON');
  }
  assertIsJwks(jwks);
  return jwks;
}

export interface JwksCacheOptions {
  /** Deadline of one JWKS fetch, counted from its start. @default 1500 */
  readonly timeoutMs?: number;
  /** After a fetched JWKS lacked a token's kid, no fetch for unknown kids for this long. @default 10 */
  readonly penaltySeconds?: number;
  /** After a failed fetch, fail fast with its error for this long. @default 1000 */
  readonly failureBackoffMs?: number;
  /** @default https.request */
  readonly transport?: Transport;
  readonly now?: () => number;
}

interface Entry {
  readonly jwks: Jwks;
  readonly byKid: Map<string, JwkWithKid>;
}

/** aws-jwt-verify's `JwksCache`, with a fetch deadline, single-flight fetches, failure back-off and a penalty box. */
export class JwksCache implements JwksCacheApi {
  readonly #entries = new Map<string, Entry>();
  readonly #fetching = new Map<string, Promise<Entry>>();
  /** Until when fetches for a URI fail fast, and with which error. */
  readonly #holds = new Map<string, { readonly until: number; readonly error: Error }>();
  readonly #now: () => number;
  readonly #options: JwksCacheOptions;

  constructor(options: JwksCacheOptions = {}) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  /** Validates the JWKS and caches a frozen copy of its keys (replacing the URI's previous JWKS). */
  public addJwks(jwksUri: string, jwks: Jwks): void {
    this.#store(jwksUri, jwks);
  }

  public async getJwks(jwksUri: string): Promise<Jwks> {
    return (await this.#fetch(jwksUri)).jwks;
  }

  public getCachedJwk(jwksUri: string, decomposedJwt: { header: JwtHeader }): JwkWithKid {
    const kid = kidOf(decomposedJwt.header);
    const entry = this.#entries.get(jwksUri);
    if (!entry) throw new JwksNotAvailableInCacheError('JWKS not cached yet');
    const jwk = entry.byKid.get(kid);
    if (!jwk) throw new KidNotFoundInJwksError('JWK for the kid not found in the JWKS');
    return jwk;
  }

  public async getJwk(jwksUri: string, decomposedJwt: { header: JwtHeader }): Promise<JwkWithKid> {
    const kid = kidOf(decomposedJwt.header);
    const cached = this.#entries.get(jwksUri)?.byKid.get(kid);
    if (cached) return cached;
    const jwk = (await this.#fetch(jwksUri)).byKid.get(kid);
    if (!jwk) {
      this.#hold(jwksUri, (this.#options.penaltySeconds ?? 10) * 1000, new WaitPeriodNotYetEndedJwkError('JWKS refetch blocked for now'));
      throw new KidNotFoundInJwksError('JWK for the kid not found in the JWKS');
    }
    this.#holds.delete(jwksUri);
    return jwk;
  }

  #store(jwksUri: string, jwks: Jwks): Entry {
    assertIsJwks(jwks);
    const keys = jwks.keys.map((k) => {
      const copy = Object.freeze({ ...k });
      validJwks.add(copy);
      return copy;
    });
    const byKid = new Map<string, JwkWithKid>();
    for (const k of keys) {
      if (k.kid != null && !byKid.has(k.kid)) byKid.set(k.kid, k as JwkWithKid);
    }
    const entry = { jwks: Object.freeze({ ...jwks, keys: Object.freeze(keys) }) as Jwks, byKid };
    this.#entries.set(jwksUri, entry);
    return entry;
  }

  #hold(jwksUri: string, ms: number, error: Error): void {
    this.#holds.set(jwksUri, { until: this.#now() + ms, error });
  }

  #fetch(jwksUri: string): Promise<Entry> {
    const hold = this.#holds.get(jwksUri);
    if (hold && this.#now() < hold.until) return Promise.reject(hold.error);
    let pending = this.#fetching.get(jwksUri);
    if (!pending) {
      pending = httpsGet(jwksUri, this.#options.timeoutMs ?? 1500, this.#options.transport)
        .then((body) => this.#store(jwksUri, parseJwks(body)))
        .catch((err: Error) => {
          this.#hold(jwksUri, this.#options.failureBackoffMs ?? 1000, err);
          throw err;
        })
        .finally(() => this.#fetching.delete(jwksUri));
      this.#fetching.set(jwksUri, pending);
    }
    return pending;
  }
}

function kidOf(header: JwtHeader): string {
  if (typeof header.kid !== 'string') throw new JwtWithoutValidKidError('JWT header does not have valid kid claim');
  return header.kid;
}

/** For aws-jwt-verify's `verifyJwt` (not used by the authorizer): fetches the JWKS and returns the token's key. */
export function fetchJwk(jwksUri: string, decomposedJwt: { header: JwtHeader }): Promise<JwkWithKid> {
  return new JwksCache().getJwk(jwksUri, decomposedJwt);
}

/** The verifier's default cache (see the header). */
export { JwksCache as SimpleJwksCache };
