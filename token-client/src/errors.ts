/**
 * Why a token could not be obtained. `code` is stable and meant for branching:
 * - OAuth 2.0 errors (RFC 6749 5.2), also used for their GetClientToken equivalents:
 *   `invalid_client` (NotAuthorizedException, ResourceNotFoundException), `invalid_request`
 *   (InvalidParameterException), `invalid_scope`, `unauthorized_client`, `invalid_grant`,
 *   `unsupported_grant_type`;
 * - `rate_limited` (HTTP 429, TooManyRequestsException), `server_error` (HTTP 5xx, InternalErrorException);
 * - `network` (connection refused or reset, DNS), `timeout` (an attempt or the overall deadline ran out);
 * - `bad_response` (a success answer that is not a usable token), `http_error` (any other refusal);
 * - `config` (missing or malformed credentials or options).
 */
export type TokenClientErrorCode =
  | 'invalid_client' | 'invalid_request' | 'invalid_scope' | 'unauthorized_client' | 'invalid_grant' | 'unsupported_grant_type'
  | 'rate_limited' | 'server_error' | 'network' | 'timeout' | 'bad_response' | 'http_error' | 'config';

/** The codes worth another attempt: transient on the server's or the network's side. */
const RETRYABLE: ReadonlySet<TokenClientErrorCode> = new Set<TokenClientErrorCode>(['rate_limited', 'server_error', 'network', 'timeout']);

export interface TokenClientErrorInit {
  readonly code: TokenClientErrorCode;
  /** What went wrong, without any credential or token. */
  readonly cause: string;
  readonly endpoint?: string;
  readonly status?: number;
  readonly attempts?: number;
  /** The server's own error name: an OAuth `error` or an AWS `__type`. */
  readonly remoteError?: string;
  /** The wait the server asked for (Retry-After), in milliseconds. */
  readonly retryAfterMs?: number;
}

/**
 * The one error the token client throws. Its message names the cause and the endpoint,
 * never the client secret or a token; `JSON.stringify` shows the same fields.
 */
export class TokenClientError extends Error {
  public readonly code: TokenClientErrorCode;
  /** The HTTP status of the last answer, if there was one. */
  public readonly status?: number;
  /** How many requests were made (0 for configuration errors). */
  public readonly attempts: number;
  public readonly endpoint?: string;
  public readonly remoteError?: string;
  public readonly retryAfterMs?: number;
  /** Whether another attempt could succeed (rate limits, server errors, network errors, timeouts). */
  public readonly retryable: boolean;
  private readonly init!: TokenClientErrorInit;

  constructor(init: TokenClientErrorInit) {
    super(messageOf(init));
    this.name = 'TokenClientError';
    this.code = init.code;
    this.status = init.status;
    this.attempts = init.attempts ?? 0;
    this.endpoint = init.endpoint;
    this.remoteError = init.remoteError;
    this.retryAfterMs = init.retryAfterMs;
    this.retryable = RETRYABLE.has(init.code);
    Object.defineProperty(this, 'init', { value: init, enumerable: false });
  }

  /** The same error, counting `attempts` requests. */
  public withAttempts(attempts: number): TokenClientError {
    return new TokenClientError({ ...this.init, attempts });
  }
}

function messageOf(init: TokenClientErrorInit): string {
  const where = init.endpoint ? ` from ${init.endpoint}` : '';
  const details = [
    `code ${init.code}`,
    init.status !== undefined ? `HTTP ${init.status}` : undefined,
    init.attempts ? `${init.attempts} attempt${init.attempts === 1 ? '' : 's'}` : undefined,
  ].filter(Boolean).join(', ');
  return init.code === 'config'
    ? `Token client configuration: ${init.cause}`
    : `Could not get an access token${where}: ${init.cause} (${details})`;
}

/** Replaces every occurrence of the given secrets in text a server sent back (error descriptions). */
export function redact(text: string, secrets: ReadonlyArray<string | undefined>): string {
  let out = text;
  for (const s of secrets) {
    if (s) out = out.split(s).join('[redacted]');
  }
  // Keep server text short and on one line.
  return out.replace(/\s+/g, ' ').slice(0, 200);
}
