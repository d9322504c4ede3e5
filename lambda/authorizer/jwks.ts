/**
 * The authorizer's JWKS cache: an implementation of aws-jwt-verify's public
 * `JwksCache` interface (`aws-jwt-verify/jwk`), passed to the verifier as
 * its `jwksCache`. JWKS validation and JSON parsing are aws-jwt-verify's own
 * (`assertIsJwks`, `safeJsonParse`); what this cache adds is how it fetches:
 * - one fetch per URI at a time (concurrent requests share it), over the
 *   authorizer's bounded GET (https-get.ts: one attempt, a deadline for the
 *   whole exchange, a size cap);
 * - a fetch that fails (network, status, size, time, not a JWKS) makes the
 *   next `failureBackoffMs` fail fast with the same error, so an outage is
 *   not hammered by every request;
 * - a fetched JWKS without the token's kid blocks further fetches for
 *   unknown kids for `penaltySeconds`: made-up kids cannot make the
 *   authorizer fetch more than once per interval (aws-jwt-verify's penalty
 *   box does the same); a found kid lifts the block.
 * A cached JWKS is a frozen copy: later changes to the caller's object have
 * no effect.
 */
import {
  JwksNotAvailableInCacheError, JwksValidationError, JwtWithoutValidKidError, KidNotFoundInJwksError, WaitPeriodNotYetEndedJwkError,
} from 'aws-jwt-verify/error';
import { assertIsJwks, Jwks, JwksCache as JwksCacheApi, JwkWithKid } from 'aws-jwt-verify/jwk';
import type { JwtHeader } from 'aws-jwt-verify/jwt-model';
import { Json, safeJsonParse } from 'aws-jwt-verify/safe-json-parse';
import { httpsGet, Transport } from './https-get';

/** Parses a fetched body as a JWKS; anything else is a `JwksValidationError`. */
function parseJwks(body: ArrayBuffer): Jwks {
  let jwks: Json;
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
    const keys = jwks.keys.map((k) => Object.freeze({ ...k }));
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
