/**
 * The tenant-aware authorizer, as a factory the handler and the tests share.
 *
 * Per request: read the bearer token (TOKEN or REQUEST event), reject
 * oversized or badly shaped input before parsing, answer from the verified-
 * token cache when possible (no signature check), otherwise verify with
 * aws-jwt-verify, resolve the client's tenant, and return the memoized policy
 * for the token's scope set. Failures throw `Unauthorized` after exactly one
 * structured log line; a token that reaches no route gets a Deny policy.
 * A resolver answer with a short TTL (tenant registry: `recheckAt`) bounds how
 * long the verified-token cache serves the token without resolving again.
 * A token the cache did not hold writes one info line once its tenant is
 * known (lib/private/contracts/token-usage.ts: token traffic per client).
 */
import { readFileSync } from 'fs';
import { CognitoJwtVerifier } from 'aws-jwt-verify';
import {
  CognitoJwtInvalidClientIdError, CognitoJwtInvalidTokenUseError, JwkInvalidKtyError, JwkInvalidUseError, JwksNotAvailableInCacheError,
  JwksValidationError, JwkValidationError, FetchError, JwtExpiredError, JwtInvalidClaimError, JwtInvalidIssuerError,
  JwtInvalidSignatureAlgorithmError,
  JwtInvalidSignatureError, JwtNotBeforeError, JwtParseError, JwtWithoutValidKidError, KidNotFoundInJwksError, ParameterValidationError,
  WaitPeriodNotYetEndedJwkError,
} from 'aws-jwt-verify/error';
import { assertIsJwks, type Jwks } from 'aws-jwt-verify/jwk';
import type { Json } from 'aws-jwt-verify/safe-json-parse';
import type { APIGatewayRequestAuthorizerEvent, APIGatewayTokenAuthorizerEvent } from 'aws-lambda';
import { AuthorizerConfig, configFromEnv, DirectoryFactory, RegistryFactory } from './config';
import { AuthorizerError, DenyReason } from './errors';
import type { Transport } from './https-get';
import { JwksCache } from './jwks';
import { DecisionMetrics, decisionMetrics } from './metrics';
import type { PeopleSupport } from './people';
import { PolicyBuilder, PolicyDocument } from './policy';
import { TokenCache } from './token-cache';
import { AUTHORIZER_OPERATOR_ENV } from '../../lib/private/contracts/authorizer';
import { HANDLER_ENV } from '../../lib/private/contracts/env';
import { TENANT_CLAIM } from '../../lib/private/contracts/tenant-claim';
import { TOKEN_FIRST_SEEN_MESSAGE } from '../../lib/private/contracts/token-usage';
import { clientKey, issuerHostPrefix } from '../../lib/private/contracts/trusted-pools';
import { usageKeyValue } from '../../lib/private/contracts/usage-tiers';
import { ConfigError, Env, invalid } from '../shared/config';
import { afterTurn, Logger } from '../shared/log';

export type AuthorizerEvent = APIGatewayTokenAuthorizerEvent | APIGatewayRequestAuthorizerEvent;

/** What API Gateway receives for an accepted token. */
export interface AuthorizerResponse {
  readonly principalId: string;
  readonly policyDocument: PolicyDocument;
  /** `username`: a person of the developer portal's sign-in pool (portal build only). */
  readonly context: { readonly tenantId: string; readonly clientId: string; readonly scopes: string; readonly username?: string };
  readonly usageIdentifierKey?: string;
}

export interface AuthorizerDeps {
  /** How the JWKS is requested. @default https.request */
  readonly jwksTransport?: Transport;
  /** Replaces the tenant resolver of the config. */
  readonly tenants?: AuthorizerConfig['tenants'];
  readonly logger?: Logger;
  readonly now?: () => number;
  /** Seconds during which an unknown kid does not trigger another JWKS fetch. @default 10 */
  readonly penaltyBoxSeconds?: number;
  /** Fail fast for this long after a failed JWKS fetch. @default 1000 */
  readonly jwksFailureBackoffMs?: number;
  /** Bytes the verified-token cache may hold. @default 32 MiB */
  readonly tokenCacheMaxBytes?: number;
  /** Tenant-registry support (createAuthorizerFromEnv): without it, TABLE_NAME is a configuration error. */
  readonly registry?: RegistryFactory;
  /**
   * Client-directory support (createAuthorizerFromEnv; lambda/authorizer-directory): without it, and without a
   * registry factory that carries one, CLIENT_TENANTS_PATH is a configuration error.
   */
  readonly directory?: DirectoryFactory;
  /** Developer-portal people (lambda/authorizer-portal only): tokens of the sign-in pool, roles from groups. */
  readonly people?: PeopleSupport;
  /** CloudWatch metrics of the decisions (EMF, lambda/authorizer/metrics.ts). @default none; createAuthorizerFromEnv: the Lambda function's */
  readonly metrics?: DecisionMetrics;
}

/** The authorizer's answer for one verified token, cached until the token's exp. */
export interface Grant {
  readonly clientId: string;
  readonly tenantId: string;
  readonly scopeIdx: readonly number[];
  readonly reachesAny: boolean;
  readonly context: AuthorizerResponse['context'];
  /** A person's `user:<username>`; a client's principal is its client id. */
  readonly principalId?: string;
  apiPrefix?: string;
  response?: AuthorizerResponse;
}

export interface Authorizer {
  readonly tokenCache: TokenCache<unknown>;
  readonly policies?: PolicyBuilder;
  /** Authorizes one event; rejects with exactly `Error('Unauthorized')`. */
  handle(event: AuthorizerEvent): Promise<AuthorizerResponse>;
  /** Loads a JWKS into the verifier's cache (no fetch needed while its keys match); `userPoolId` picks the pool when people are trusted too. */
  cacheJwks(jwks: Jwks, userPoolId?: string): void;
}

const DEFAULT_CACHE_BYTES = 32 * 1024 * 1024;
const API_PREFIX = /^arn:aws[a-z-]*:execute-api:[a-z0-9-]+:\d{12}:[A-Za-z0-9]+$/;

function unauthorized(): Error {
  return new Error('Unauthorized');
}

function logDenial(logger: Logger, err: unknown, metrics?: DecisionMetrics): void {
  const emf = metrics?.denied();
  if (err instanceof ConfigError) {
    logger.error('denied', { reason: err.reason, emf });
    return;
  }
  if (!(err instanceof AuthorizerError)) {
    logger.error('denied', { reason: 'malformed', emf });
    return;
  }
  const { reason, clientId, cause } = err;
  // An outage or a misconfiguration is the operator's business (error); a rejected token is the caller's (warn).
  const outage = reason === 'registry_unavailable' || reason === 'tenants_unavailable';
  const level = outage || reason === 'jwks_unavailable' ? 'error' : 'warn';
  // A registry or client-directory outage names the underlying error class (never its message) for the operator.
  const errorName = outage && cause instanceof Error ? cause.name : undefined;
  logger[level]('denied', { reason, clientId, errorName, emf });
}

/** The bearer token of a TOKEN or REQUEST event, size- and scheme-checked, not parsed. */
function bearerToken(event: AuthorizerEvent, maxTokenBytes: number): string {
  let raw: string | undefined;
  if (event.type === 'REQUEST') {
    const headers = event.headers;
    if (headers) {
      raw = headers.Authorization ?? headers.authorization;
      if (raw === undefined) {
        for (const k of Object.keys(headers)) {
          if (k.toLowerCase() === 'authorization') { raw = headers[k]; break; }
        }
      }
    }
  } else {
    raw = (event as APIGatewayTokenAuthorizerEvent).authorizationToken;
  }
  if (typeof raw !== 'string' || raw.length === 0) throw new AuthorizerError('missing_header');
  if (raw.length > maxTokenBytes + 7) throw new AuthorizerError('too_large');
  // The scheme is case-insensitive (RFC 6750 via RFC 7235); the common spelling is checked without a regular expression.
  const bearer = raw.startsWith('Bearer ') || /^bearer ./i.test(raw);
  if (!bearer) throw new AuthorizerError('bad_scheme');
  const token = raw.slice(7);
  if (token.length > maxTokenBytes) throw new AuthorizerError('too_large');
  return token;
}

type ErrorClass = abstract new (...args: never[]) => object;

/** aws-jwt-verify's errors (and the fetcher's) → our reason classes; first match wins. */
const ERROR_MAP: readonly (readonly [readonly ErrorClass[], DenyReason])[] = [
  [[JwtExpiredError], 'expired'],
  [[JwtNotBeforeError], 'not_yet_valid'],
  // With two issuer formats configured, an unknown `iss` is a ParameterValidationError ("issuer not configured").
  [[JwtInvalidIssuerError, ParameterValidationError], 'wrong_issuer'],
  [[CognitoJwtInvalidTokenUseError], 'wrong_token_use'],
  [[CognitoJwtInvalidClientIdError], 'untrusted_client'],
  [[JwtInvalidSignatureAlgorithmError], 'alg_not_allowed'],
  [[JwtInvalidSignatureError], 'bad_signature'],
  [[KidNotFoundInJwksError, WaitPeriodNotYetEndedJwkError], 'unknown_kid'],
  [[JwtParseError, JwtWithoutValidKidError], 'malformed'],
  [
    [FetchError, JwksValidationError, JwkValidationError, JwkInvalidUseError, JwkInvalidKtyError, JwksNotAvailableInCacheError],
    'jwks_unavailable',
  ],
];

/** Maps a verification failure onto our reason classes (unknown errors: malformed). */
function mapVerifyError(err: unknown): AuthorizerError {
  if (err instanceof AuthorizerError) return err;
  const entry = ERROR_MAP.find(([from]) => from.some((c) => err instanceof c));
  // Claim errors are raised after the signature checked out: the client id is then known.
  const cid = err instanceof JwtInvalidClaimError ? err.rawJwt?.payload.client_id : undefined;
  return new AuthorizerError(entry ? entry[1] : 'malformed', err, typeof cid === 'string' ? cid : undefined);
}

/** The verifier calls the authorizer makes (one pool, or also the portal's sign-in pool: lambda/authorizer/people.ts). */
export interface Verifier {
  verify(token: string): Promise<unknown>;
  verifySync(token: string): unknown;
  cacheJwks(jwks: Jwks, userPoolId?: string): void;
}

/** An M2M pool's verifier settings; clientId null: the tenant resolver is the one source of trusted clients (checked below). */
export function m2mVerifierConfig(userPoolId: string) {
  return { userPoolId, tokenUse: 'access' as const, clientId: null, includeRawJwtInErrors: true };
}
export type M2mVerifierConfig = ReturnType<typeof m2mVerifierConfig>;

/** A trusted pool as the authorizer sees it: its issuers, and whether its clients are keyed without the pool id. */
interface PoolIssuer {
  readonly userPoolId: string;
  /** The API's own pool: clients keyed by client id alone. */
  readonly primary: boolean;
}

/**
 * The issuers the authorizer accepts, each with its pool. aws-jwt-verify
 * accepts both of Cognito's formats for every pool it is given; the
 * authorizer accepts only the formats configured for each pool.
 */
export function trustedIssuers(config: AuthorizerConfig): Map<string, PoolIssuer> {
  const pools = [
    { userPoolId: config.userPoolId, issuerFormats: config.issuerFormats ?? ['ORIGINAL' as const], primary: true },
    ...(config.additionalUserPools ?? []).map((p) => ({ ...p, primary: false })),
  ];
  const out = new Map<string, PoolIssuer>();
  for (const p of pools) {
    const region = p.userPoolId.split('_')[0];
    for (const f of p.issuerFormats) {
      out.set(`https://${issuerHostPrefix(f)}.${region}.amazonaws.com/${p.userPoolId}`, { userPoolId: p.userPoolId, primary: p.primary });
    }
  }
  return out;
}

/** Builds an authorizer from a validated configuration. */
export function createAuthorizer(config: AuthorizerConfig, deps: AuthorizerDeps = {}): Authorizer {
  const logger = deps.logger ?? new Logger(config.logLevel ?? 'info');
  const now = deps.now ?? Date.now;
  const maxTokenBytes = config.maxTokenBytes ?? 8192;
  const tenants = deps.tenants ?? config.tenants;
  const usageKeyPrefix = config.usageKeyPrefix;
  // Usage keys by tenant: one SHA-256 per tenant, not per request (bounded like the tenants themselves).
  const usageKeys = new Map<string, string>();
  const usageKeyOf = (tenantId: string): string => {
    let value = usageKeys.get(tenantId);
    if (value === undefined) {
      if (usageKeys.size >= 100_000) usageKeys.clear();
      value = usageKeyValue(usageKeyPrefix!, tenantId);
      usageKeys.set(tenantId, value);
    }
    return value;
  };
  const debug = logger.isDebug();
  const metrics = deps.metrics;
  const jwksCache = new JwksCache({
    timeoutMs: config.jwksTimeoutMs,
    penaltySeconds: deps.penaltyBoxSeconds,
    failureBackoffMs: deps.jwksFailureBackoffMs,
    transport: deps.jwksTransport,
    now,
  });
  const people = config.people && deps.people
    ? { config: config.people, grant: deps.people.grant, issuer: deps.people.issuerOf(config.people.userPoolId) }
    : undefined;
  const issuers = trustedIssuers(config);
  const m2mConfigs = [config.userPoolId, ...(config.additionalUserPools ?? []).map((p) => p.userPoolId)].map(m2mVerifierConfig);
  const verifier: Verifier = people
    ? deps.people!.verifier(m2mConfigs, people.config, jwksCache)
    : m2mConfigs.length === 1
      ? CognitoJwtVerifier.create(m2mConfigs[0], { jwksCache })
      : CognitoJwtVerifier.create(m2mConfigs, { jwksCache });
  const policies = new PolicyBuilder(config.routes);
  const tokenCache = new TokenCache<Grant>({
    maxEntries: config.tokenCacheMaxEntries ?? 10_000,
    maxBytes: deps.tokenCacheMaxBytes ?? DEFAULT_CACHE_BYTES,
    now,
  });
  const headers = new Map<string, true>();
  const prefixes = new Set<string>();

  if (config.jwksPath) {
    try {
      const jwks = JSON.parse(readFileSync(config.jwksPath, 'utf8')) as Json;
      assertIsJwks(jwks);
      verifier.cacheJwks(jwks, config.userPoolId);
    } catch {
      throw invalid(AUTHORIZER_OPERATOR_ENV.jwksPath, config.jwksPath, 'a file holding a JWKS');
    }
  }

  /** Header checks, memoized per distinct header segment (Cognito uses a handful). */
  const checkHeader = (token: string): void => {
    const dot = token.indexOf('.');
    if (dot <= 0) throw new AuthorizerError('malformed');
    const h = token.slice(0, dot);
    if (headers.has(h)) return;
    let header: unknown;
    try {
      header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8'));
    } catch (err) {
      throw new AuthorizerError('malformed', err);
    }
    if (typeof header !== 'object' || header === null) throw new AuthorizerError('malformed');
    const { alg, kid } = header as { alg?: unknown; kid?: unknown };
    // Cognito signs access tokens with RS256; anything else (none, HS256, ...) is refused before any key lookup.
    if (alg !== 'RS256') throw new AuthorizerError('alg_not_allowed');
    if (typeof kid !== 'string' || kid.length === 0) throw new AuthorizerError('malformed');
    if (headers.size >= 64) headers.clear();
    headers.set(h, true);
  };

  /** Grants are shared by every token of the same client and scope claim (memoized). */
  const grants = new Map<string, Map<string, Grant>>();
  const grantFor = (clientId: string, tenantId: string, claim: string): Grant => {
    let perClient = grants.get(clientId);
    if (!perClient) {
      if (grants.size >= 10_000) grants.clear();
      perClient = new Map();
      grants.set(clientId, perClient);
    }
    let g = perClient.get(claim);
    if (g === undefined || g.tenantId !== tenantId) {
      const scopeIdx = policies.scopeIndexes(claim);
      const scopes = claim.split(' ').filter((x) => x.length > 0).join(' ');
      g = { clientId, tenantId, scopeIdx, reachesAny: policies.plan(scopeIdx).reached.length > 0, context: { tenantId, clientId, scopes } };
      if (perClient.size >= 100) perClient.clear();
      perClient.set(claim, g);
    }
    return g;
  };

  const apiPrefixOf = (methodArn: unknown): string => {
    const arn = typeof methodArn === 'string' ? methodArn : '';
    const slash = arn.indexOf('/');
    const prefix = slash > 0 ? arn.slice(0, slash) : '';
    if (!prefixes.has(prefix)) {
      if (!API_PREFIX.test(prefix)) throw new AuthorizerError('malformed');
      if (prefixes.size >= 16) prefixes.clear();
      prefixes.add(prefix);
    }
    return prefix;
  };

  const respond = (grant: Grant, apiPrefix: string): AuthorizerResponse => {
    if (grant.apiPrefix === apiPrefix && grant.response) return grant.response;
    const policyDocument = policies.document(apiPrefix, grant.scopeIdx);
    const principalId = grant.principalId ?? grant.clientId;
    const response: AuthorizerResponse = usageKeyPrefix !== undefined
      ? { principalId, policyDocument, context: grant.context, usageIdentifierKey: usageKeyOf(grant.tenantId) }
      : { principalId, policyDocument, context: grant.context };
    grant.apiPrefix = apiPrefix;
    grant.response = response;
    return response;
  };

  const answer = (grant: Grant, apiPrefix: string): AuthorizerResponse => {
    const response = respond(grant, apiPrefix);
    if (!grant.reachesAny) {
      logDenial(logger, new AuthorizerError('no_scope', undefined, grant.clientId), metrics);
    } else {
      metrics?.allowed();
      // The context's client and tenant (the logger keeps only fields that are safe to log).
      if (debug) logger.debug('allowed', grant.context);
    }
    return response;
  };

  /** Caches and returns the grant of a verified token once its client's tenant is known. */
  const finish = (token: string, clientId: string, key: string, exp: number, claim: string, tenantId: string | undefined,
    payload: Record<string, unknown>): Grant => {
    if (tenantId === undefined) throw new AuthorizerError('untrusted_client', undefined, clientId);
    // A tenant claim (lib/tenant-claim.ts) is only a hint: it must name the tenant the authorizer resolved itself.
    const claimed = payload[TENANT_CLAIM];
    if (claimed !== undefined && claimed !== tenantId) throw new AuthorizerError('tenant_mismatch', undefined, clientId);
    const grant = grantFor(clientId, tenantId, claim);
    // A status with a short TTL (registry clients, the SSM directory): the cached token is re-verified and re-resolved after it.
    // Token traffic per client and tenant (lib/private/contracts/token-usage.ts): one line when the cache did not know
    // the token (its first sighting here, or after eviction), none when a re-check stores it again.
    if (tokenCache.set(token, grant, exp * 1000, 0, tenants.recheckAt?.(key, now()))) {
      // An object literal, not a spread of the grant's context: the logger reads a spread object's fields about 3 us slower.
      logger.info(TOKEN_FIRST_SEEN_MESSAGE, {
        clientId, tenantId, tokenId: payload.jti as string | undefined, issuedAt: payload.iat as number | undefined, expiresAt: exp,
      });
    }
    return grant;
  };

  /** Claims checks after the signature verified; returns the grant, or a promise when the tenant lookup is asynchronous. */
  const admit = (token: string, payload: Record<string, unknown>): Grant | Promise<Grant> => {
    if (people && payload.iss === people.issuer) {
      const g = people.grant(payload, people.config, policies);
      tokenCache.set(token, g, (payload.exp as number) * 1000);
      return g;
    }
    const clientId = payload.client_id;
    if (typeof clientId !== 'string') throw new AuthorizerError('untrusted_client');
    const exp = payload.exp;
    if (typeof exp !== 'number') throw new AuthorizerError('malformed');
    // Only the formats configured for the token's pool (aws-jwt-verify accepts both of Cognito's).
    const pool = typeof payload.iss === 'string' ? issuers.get(payload.iss) : undefined;
    if (pool === undefined) throw new AuthorizerError('wrong_issuer', undefined, clientId);
    const claim = typeof payload.scope === 'string' ? payload.scope : '';
    // A client is trusted for tokens of its own pool only.
    const key = pool.primary ? clientId : clientKey(pool.userPoolId, clientId);
    const tenantId = tenants.resolve(key);
    return typeof tenantId === 'object'
      ? tenantId.then((t) => finish(token, clientId, key, exp, claim, t, payload))
      : finish(token, clientId, key, exp, claim, tenantId, payload);
  };

  const deny = (err: unknown): Promise<never> => {
    logDenial(logger, err, metrics);
    return Promise.reject(unauthorized());
  };

  /** Cold JWKS or rotated key: verify asynchronously (bounded fetch, penalty box for unknown kids). */
  const slowPath = async (token: string, apiPrefix: string): Promise<AuthorizerResponse> => {
    let payload: Record<string, unknown>;
    try {
      payload = await verifier.verify(token) as Record<string, unknown>;
    } catch (err) {
      throw mapVerifyError(err);
    }
    return answer(await admit(token, payload), apiPrefix);
  };

  const handle = (event: AuthorizerEvent): Promise<AuthorizerResponse> => {
    try {
      const token = bearerToken(event, maxTokenBytes);
      const apiPrefix = apiPrefixOf(event.methodArn);
      const hit = tokenCache.get(token);
      if (hit !== undefined) return Promise.resolve(answer(hit, apiPrefix));
      checkHeader(token);
      let payload: Record<string, unknown>;
      try {
        payload = verifier.verifySync(token) as Record<string, unknown>;
      } catch (err) {
        if (err instanceof JwksNotAvailableInCacheError || err instanceof KidNotFoundInJwksError) return slowPath(token, apiPrefix).catch(deny);
        throw mapVerifyError(err);
      }
      const grant = admit(token, payload);
      if (grant instanceof Promise) return grant.then((g) => answer(g, apiPrefix)).catch(deny);
      return Promise.resolve(answer(grant, apiPrefix));
    } catch (err) {
      return deny(err);
    }
  };

  return {
    handle,
    cacheJwks: (jwks, userPoolId) => verifier.cacheJwks(jwks, userPoolId ?? config.userPoolId),
    tokenCache,
    policies,
  };
}

/** An authorizer that denies everything because its configuration is invalid (logged once here, then per request). */
export function createFailedAuthorizer(error: ConfigError, logger: Logger = new Logger(), metrics?: DecisionMetrics): Authorizer {
  logger.error('configuration invalid: every request will be denied', { reason: 'config_error', configDetail: error.message });
  return {
    handle: async () => {
      logDenial(logger, error, metrics);
      throw unauthorized();
    },
    cacheJwks: () => undefined,
    tokenCache: new TokenCache({ maxEntries: 0, maxBytes: 0 }),
  };
}

/** Loads the configuration from the environment and builds the authorizer, or a failed one on a config error. */
export function createAuthorizerFromEnv(env: Env, bundleDir: string, deps: AuthorizerDeps = {}): Authorizer {
  // Lines are written when the turn is over (several in one write), so that no answer waits for them.
  const logger = deps.logger ?? new Logger(env[HANDLER_ENV.logLevel] === 'debug' ? 'debug' : 'info', afterTurn());
  const metrics = deps.metrics ?? decisionMetrics(env.AWS_LAMBDA_FUNCTION_NAME, logger);
  try {
    const config = configFromEnv(env, bundleDir, deps.registry, { directory: deps.directory });
    return createAuthorizer(deps.people ? { ...config, people: deps.people.fromEnv(env) } : config, { ...deps, logger, metrics });
  } catch (err) {
    if (err instanceof ConfigError) return createFailedAuthorizer(err, logger, metrics);
    const name = err instanceof Error ? err.name : 'unknown';
    return createFailedAuthorizer(new ConfigError(`unexpected error while loading the configuration: ${name}`), logger, metrics);
  }
}
