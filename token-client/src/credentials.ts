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

/**
 * Reads the credentials when first needed, e.g. with the AWS SDK's `GetSecretValue`;
 * returns the secret string (JSON as above) or the credentials themselves.
 */
export type CredentialsLoader = () => Promise<string | ClientCredentials>;

/** A user pool id: its Region, `_`, then letters and digits. */
const USER_POOL_ID = /^[a-z]{2}(-[a-z]+)+-\d+_[0-9A-Za-z]+$/;

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
  if (userPoolId !== undefined && !USER_POOL_ID.test(userPoolId)) {
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
