import { TokenClientError } from './errors';

/**
 * OAuth 2.0 client credentials of one app client, as `TenantAppClient` stores them
 * in Secrets Manager (JSON keys `tenantId`, `clientId`, `clientSecret`, `scope`,
 * `tokenEndpoint` when the pool has a domain, `userPoolId` when the client may use GetClientToken).
 */
export interface ClientCredentials {
  readonly clientId: string;
  readonly clientSecret: string;
  /** The token endpoint, `https://<domain>/oauth2/token`. Needed for the token-endpoint method. */
  readonly tokenEndpoint?: string;
  /** Space-separated scopes to request when the caller names none. */
  readonly scope?: string;
  readonly tenantId?: string;
  /** The user pool, `<region>_<id>`: the Region of the GetClientToken method. */
  readonly userPoolId?: string;
}

/** What the token client tells a credentials loader about a read. */
export interface CredentialsLoadRequest {
  /**
   * `true` when the credentials read before were refused (`invalid_client`), e.g. because the secret
   * was rotated: a loader that caches on its own should read the store itself this time
   * (e.g. Powertools' `getSecret(name, { forceFetch: true })`).
   */
  readonly refresh: boolean;
}

/**
 * Reads the credentials when first needed, e.g. with the AWS SDK's `GetSecretValue`, and again
 * when the token endpoint refuses them (`invalid_client`); returns the secret string (JSON as
 * above) or the credentials themselves. A loader may ignore its argument.
 */
export type CredentialsLoader = (request?: CredentialsLoadRequest) => Promise<string | ClientCredentials>;

/**
 * A user pool id: its Region, `_`, then letters and digits; at most 55 characters (the
 * library's rule, lib/private/contracts/ids.ts USER_POOL_ID: a test keeps the two equal).
 */
const USER_POOL_ID = /^[a-z]{2,4}(?:-[a-z]+)+-\d{1,2}_[0-9A-Za-z]+$/;
const USER_POOL_ID_MAX_CHARS = 55;

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Parses and checks the JSON secret string that `TenantAppClient` writes.
 * Errors name the field and the rule, never the secret's contents.
 */
export function credentialsFromSecretString(json: string): ClientCredentials {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    // JSON.parse's message quotes the input: leave it out.
    throw configError('the secret string is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw configError('the secret string must be a JSON object with clientId and clientSecret');
  }
  return validateCredentials(parsed as Record<string, unknown>, 'secret string');
}

/** Checks credentials given directly or by a loader. */
export function validateCredentials(value: Record<string, unknown>, source: string): ClientCredentials {
  const str = (field: string, required: boolean): string | undefined => {
    const v = value[field];
    if (v === undefined && !required) return undefined;
    if (typeof v !== 'string' || v.trim() === '') {
      throw configError(`${source}: field "${field}" must be a non-empty string${v === undefined ? ' (missing)' : ''}`);
    }
    return v;
  };
  const clientId = str('clientId', true)!;
  const clientSecret = str('clientSecret', true)!;
  const tokenEndpoint = str('tokenEndpoint', false);
  const scope = value.scope === '' ? undefined : str('scope', false);
  const tenantId = str('tenantId', false);
  const userPoolId = str('userPoolId', false);
  if (tokenEndpoint !== undefined) checkEndpoint(`${source}: field "tokenEndpoint"`, tokenEndpoint);
  if (userPoolId !== undefined && (userPoolId.length > USER_POOL_ID_MAX_CHARS || !USER_POOL_ID.test(userPoolId))) {
    throw configError(`${source}: field "userPoolId" must look like <region>_<id>, e.g. us-east-1_AbCdEf123, got "${userPoolId}"`);
  }
  const creds: ClientCredentials = { clientId, clientSecret, tokenEndpoint, scope, tenantId };
  return userPoolId === undefined ? creds : { ...creds, userPoolId };
}

/** An endpoint must be https, or http on a loopback address (tests, local proxies). */
export function checkEndpoint(what: string, value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw configError(`${what} must be an absolute URL, got "${value}"`);
  }
  const ok = url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.has(url.hostname));
  if (!ok || url.username || url.password) {
    throw configError(`${what} must be an https URL without user info (http only on loopback), got "${url.origin}"`);
  }
  return url;
}

export function configError(cause: string): TokenClientError {
  return new TokenClientError({ code: 'config', cause });
}

/**
 * Failures of a credential store that pass by themselves: throttling (Secrets Manager
 * `ThrottlingException`, SSM `ThrottlingException`, `TooManyRequestsException`), its outages
 * (`InternalServiceError`, `InternalFailure`, `ServiceUnavailable`), timeouts and network errors.
 */
const TRANSIENT = /throttl|^TooManyRequests|^RequestLimitExceeded$|^SlowDown$|^Internal(Service|Server)?(Error|Failure)(Exception)?$|^ServiceUnavailable|^RequestTimeout|^TimeoutError$|^UND_ERR_/i;
/** Network failures, also found in a message when a wrapper dropped the `code` (only the code is kept). */
const NETWORK = /\b(ECONNRESET|ECONNREFUSED|ECONNABORTED|ETIMEDOUT|EPIPE|ENOTFOUND|EAI_AGAIN|ENETUNREACH|ENETDOWN|EHOSTUNREACH)\b/;

/** What a loader's error may carry: the AWS SDK's `name`, `$metadata`, `$retryable` and `$fault`; Node.js's `code`. */
interface StoreError {
  readonly name?: unknown;
  readonly code?: unknown;
  readonly message?: unknown;
  readonly cause?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: unknown };
  readonly $retryable?: unknown;
  readonly $fault?: unknown;
}

/**
 * The error for a loader that threw: `credentials_unavailable` (retryable) when the store is
 * throttling, failing (5xx) or out of reach, else `config` (AccessDenied, a missing secret, a bug
 * in the loader). Names only the error's type, code and HTTP status, never its message.
 */
export function loaderError(e: unknown): TokenClientError {
  if (e instanceof TokenClientError) return e;
  let name: string | undefined;
  let status: number | undefined;
  let transient = false;
  let cur: unknown = e;
  // The AWS SDK puts the type in `name` and the status in `$metadata`; fetch and Node.js put a code in `cause`.
  for (let depth = 0; depth < 4 && cur !== null && typeof cur === 'object'; depth++) {
    const err = cur as StoreError;
    const network = typeof err.message === 'string' ? NETWORK.exec(err.message)?.[1] : undefined;
    for (const label of [err.code, err.name, network]) {
      if (typeof label !== 'string' || !/^[\w.:-]{1,80}$/.test(label)) continue;
      if (TRANSIENT.test(label) || NETWORK.test(label)) transient = true;
      if (name === undefined && !/^(Type|Range|Syntax)?Error$/.test(label)) name = label;
    }
    const code = err.$metadata?.httpStatusCode;
    if (typeof code === 'number') {
      status ??= code;
      if (code >= 500 || code === 429) transient = true;
    }
    if (err.$retryable || err.$fault === 'server') transient = true;
    cur = err.cause;
  }
  const what = [name, status === undefined ? undefined : `HTTP ${status}`].filter(Boolean).join(', ') || (e instanceof Error ? 'Error' : typeof e);
  return transient
    ? new TokenClientError({ code: 'credentials_unavailable', cause: `the credentials loader failed (${what}); the credential store is throttling or unavailable, try again later`, remoteError: name })
    : new TokenClientError({ code: 'config', cause: `the credentials loader failed (${what})`, remoteError: name });
}

/** Whether two sets of credentials authenticate the same way. */
export function sameCredentials(a: ClientCredentials, b: ClientCredentials): boolean {
  return a.clientId === b.clientId && a.clientSecret === b.clientSecret && a.tokenEndpoint === b.tokenEndpoint && a.userPoolId === b.userPoolId;
}
