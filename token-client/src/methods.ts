import { ClientCredentials, checkEndpoint, configError } from './credentials';
import { TokenClientError, TokenClientErrorCode, redactor } from './errors';
import { HttpAnswer } from './http';
import { parseRetryAfter } from './retry';

/**
 * How tokens are obtained:
 * - `{ type: 'token-endpoint' }`: the OAuth 2.0 token endpoint (`grant_type=client_credentials`,
 *   `client_secret_basic`); `url` defaults to the credentials' `tokenEndpoint`.
 * - `{ type: 'get-client-token' }`: Cognito's `GetClientToken` API (AWS JSON 1.1, unsigned);
 *   `region` defaults to the one in the credentials' `userPoolId`, then in a
 *   `*.auth.<region>.amazoncognito.com` token endpoint, then `AWS_REGION`; `endpoint` defaults
 *   to `https://cognito-idp.<region>.amazonaws.com/`.
 *
 * Without a method, credentials with a `tokenEndpoint` use the token endpoint and others
 * (a pool without a domain) use GetClientToken.
 */
export type TokenMethod =
  | { readonly type: 'token-endpoint'; readonly url?: string }
  | { readonly type: 'get-client-token'; readonly region?: string; readonly endpoint?: string };

export interface TokenGrant {
  readonly accessToken: string;
  readonly expiresInSeconds: number;
}

export interface TokenRequest {
  /** Where the request goes; also the endpoint named in errors. */
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body: string;
  /** Turns an answer into a token or a `TokenClientError`. */
  interpret(answer: HttpAnswer, nowMs: number): TokenGrant;
}

const OAUTH_ERRORS: ReadonlySet<string> = new Set([
  'invalid_client', 'invalid_request', 'invalid_scope', 'unauthorized_client', 'invalid_grant', 'unsupported_grant_type',
]);

const AWS_ERRORS: Readonly<Record<string, TokenClientErrorCode>> = {
  NotAuthorizedException: 'invalid_client',
  ResourceNotFoundException: 'invalid_client',
  InvalidParameterException: 'invalid_request',
  TooManyRequestsException: 'rate_limited',
  LimitExceededException: 'rate_limited',
  InternalErrorException: 'server_error',
  InternalServerError: 'server_error',
  ServiceUnavailable: 'server_error',
};

export function buildRequest(given: TokenMethod | undefined, creds: ClientCredentials, scopes: readonly string[]): TokenRequest {
  const method: TokenMethod = given ?? (creds.tokenEndpoint === undefined ? { type: 'get-client-token' } : { type: 'token-endpoint' });
  return method.type === 'get-client-token' ? getClientTokenRequest(method, creds, scopes) : tokenEndpointRequest(method, creds, scopes);
}

/** The form encoding RFC 6749 2.3.1 asks for before Basic auth (and for form bodies). */
function formEncode(value: string): string {
  return new URLSearchParams({ v: value }).toString().slice(2);
}

function tokenEndpointRequest(method: { url?: string }, creds: ClientCredentials, scopes: readonly string[]): TokenRequest {
  const raw = method.url ?? creds.tokenEndpoint;
  if (!raw) throw configError('the token-endpoint method needs a token endpoint: set "tokenEndpoint" in the credentials or "method.url"');
  const url = checkEndpoint('token endpoint', raw);
  const endpoint = `${url.origin}${url.pathname}`;
  const basic = basicCredential(creds);
  const form = new URLSearchParams({ grant_type: 'client_credentials' });
  if (scopes.length > 0) form.set('scope', scopes.join(' '));
  return {
    url: url.toString(),
    headers: {
      'Authorization': `Basic ${basic}`,
      'Content-Type': 'application/x-www-form-urlencoded',
      'Accept': 'application/json',
    },
    body: form.toString(),
    interpret: (answer, nowMs) => {
      if (answer.status === 200) {
        const json = parseJson(answer, endpoint);
        return grantOf(json.access_token, json.expires_in, json.token_type, endpoint, answer.status);
      }
      const json = tryJson(answer.body);
      const rawError = typeof json?.error === 'string' ? json.error : undefined;
      const named = rawError !== undefined && OAUTH_ERRORS.has(rawError) ? rawError as TokenClientErrorCode : undefined;
      const safe = redactorFor(creds);
      const oauthError = named ?? (rawError !== undefined ? safe(rawError) : undefined);
      const description = typeof json?.error_description === 'string' ? `: ${safe(json.error_description)}` : '';
      const code = codeOfStatus(answer.status, named);
      return fail(code, `the token endpoint refused the request${oauthError ? ` with ${oauthError}` : ''}${description}`,
        endpoint, answer, nowMs, oauthError);
    },
  };
}

function getClientTokenRequest(method: { region?: string; endpoint?: string }, creds: ClientCredentials, scopes: readonly string[]): TokenRequest {
  const region = method.region ?? creds.userPoolId?.split('_')[0] ?? regionOfTokenEndpoint(creds.tokenEndpoint) ?? process.env.AWS_REGION;
  if (!method.endpoint && !region) {
    throw configError('the get-client-token method needs a Region: set "method.region" or AWS_REGION, or give credentials with a userPoolId or a Cognito-domain token endpoint');
  }
  if (region !== undefined && !/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region)) throw configError(`"method.region" must be an AWS Region, got "${region}"`);
  const url = checkEndpoint('GetClientToken endpoint', method.endpoint ?? `https://cognito-idp.${region}.amazonaws.com/`);
  const endpoint = `${url.origin}${url.pathname} (GetClientToken)`;
  const request: Record<string, unknown> = { ClientId: creds.clientId, Secret: creds.clientSecret };
  if (scopes.length > 0) request.Scopes = [...scopes];
  return {
    url: url.toString(),
    headers: {
      'Content-Type': 'application/x-amz-json-1.1',
      'X-Amz-Target': 'AWSCognitoIdentityProviderService.GetClientToken',
      'Accept': 'application/json',
    },
    body: JSON.stringify(request),
    interpret: (answer, nowMs) => {
      if (answer.status === 200) {
        const result = parseJson(answer, endpoint).ClientAuthenticationResult as Record<string, unknown> | undefined;
        if (!result || typeof result !== 'object') {
          return fail('bad_response', 'the answer has no ClientAuthenticationResult', endpoint, answer, nowMs);
        }
        return grantOf(result.AccessToken, result.ExpiresIn, result.TokenType, endpoint, answer.status);
      }
      const json = tryJson(answer.body);
      const rawType = (typeof json?.__type === 'string' ? json.__type : undefined) ?? answer.headers.get('x-amzn-errortype') ?? undefined;
      // "com.amazonaws...#NotAuthorizedException:http://..." -> "NotAuthorizedException"
      const type = rawType?.split('#').pop()?.split(':')[0];
      const message = typeof json?.message === 'string' ? json.message : typeof json?.Message === 'string' ? json.Message : undefined;
      const named = type !== undefined && Object.prototype.hasOwnProperty.call(AWS_ERRORS, type) ? AWS_ERRORS[type] : undefined;
      const code = codeOfStatus(answer.status, named);
      const safe = redactorFor(creds);
      const safeType = type === undefined ? undefined : named ? type : safe(type);
      return fail(code, `GetClientToken failed${safeType ? ` with ${safeType}` : ''}${message ? `: ${safe(message)}` : ''}`,
        endpoint, answer, nowMs, safeType);
    },
  };
}

/**
 * Redaction for text a server sends back about these credentials: every form in which the secret
 * travels or could be echoed (as is, form- and URL-encoded, JSON-escaped, inside the base64 Basic
 * credential, also base64url and URL-encoded); the client id where it appears whole.
 */
function redactorFor(creds: ClientCredentials): (text: string) => string {
  const { clientId: id, clientSecret: secret } = creds;
  const basic = basicCredential(creds);
  const plainBasic = Buffer.from(`${id}:${secret}`).toString('base64');
  return redactor([
    secret, formEncode(secret), encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1),
    basic, plainBasic, encodeURIComponent(basic), Buffer.from(basic, 'base64').toString('base64url'),
    Buffer.from(plainBasic, 'base64').toString('base64url'),
  ], [id]);
}

/** The `client_secret_basic` credential: base64 of the form-encoded id and secret (RFC 6749 2.3.1). */
function basicCredential(creds: ClientCredentials): string {
  return Buffer.from(`${formEncode(creds.clientId)}:${formEncode(creds.clientSecret)}`).toString('base64');
}

/** `https://<prefix>.auth.<region>.amazoncognito.com/oauth2/token` -> `<region>`. */
function regionOfTokenEndpoint(tokenEndpoint: string | undefined): string | undefined {
  if (!tokenEndpoint) return undefined;
  try {
    return /\.auth(?:-fips)?\.([a-z0-9-]+)\.amazoncognito\.com$/.exec(new URL(tokenEndpoint).hostname)?.[1];
  } catch {
    return undefined;
  }
}

function codeOfStatus(status: number, named: TokenClientErrorCode | undefined): TokenClientErrorCode {
  if (named) return named;
  if (status === 429) return 'rate_limited';
  if (status >= 500) return 'server_error';
  return 'http_error';
}

function fail(code: TokenClientErrorCode, cause: string, endpoint: string, answer: HttpAnswer, nowMs: number, remoteError?: string): never {
  throw new TokenClientError({
    code,
    cause,
    endpoint,
    status: answer.status,
    remoteError,
    retryAfterMs: parseRetryAfter(answer.headers.get('retry-after'), nowMs),
  });
}

function tryJson(body: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(body);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? v as Record<string, unknown> : undefined;
  } catch {
    return undefined;
  }
}

function parseJson(answer: HttpAnswer, endpoint: string): Record<string, unknown> {
  const json = tryJson(answer.body);
  // The body may hold a token: never quote it.
  if (!json) throw new TokenClientError({ code: 'bad_response', cause: 'the success answer is not a JSON object', endpoint, status: answer.status });
  return json;
}

function grantOf(accessToken: unknown, expiresIn: unknown, tokenType: unknown, endpoint: string, status: number): TokenGrant {
  const bad = (cause: string) => new TokenClientError({ code: 'bad_response', cause, endpoint, status });
  if (typeof accessToken !== 'string' || accessToken === '') throw bad('the answer has no access token');
  const seconds = typeof expiresIn === 'string' && /^\d+$/.test(expiresIn) ? Number(expiresIn) : expiresIn;
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds <= 0) throw bad('the answer has no positive expires_in');
  if (tokenType !== undefined && (typeof tokenType !== 'string' || tokenType.toLowerCase() !== 'bearer')) {
    throw bad('the token type is not Bearer');
  }
  return { accessToken, expiresInSeconds: seconds };
}
