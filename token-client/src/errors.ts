/**
 * Why a token could not be obtained. `code` is stable and meant for branching:
 * - OAuth 2.0 errors (RFC 6749 5.2), also used for their GetClientToken equivalents:
 *   `invalid_client` (NotAuthorizedException, ResourceNotFoundException), `invalid_request`
 *   (InvalidParameterException), `invalid_scope`, `unauthorized_client`, `invalid_grant`,
 *   `unsupported_grant_type`;
 * - `rate_limited` (HTTP 429, TooManyRequestsException), `server_error` (HTTP 5xx, InternalErrorException);
 * - `network` (connection refused or reset, DNS), `timeout` (an attempt or the overall deadline ran out);
 * - `bad_response` (a success answer that is not a usable token), `http_error` (any other refusal);
 * - `credentials_unavailable` (the credentials loader failed in a way that can pass: throttling,
 *   a 5xx or an outage of its store, a network error);
 * - `config` (missing or malformed credentials or options, or a loader failure that will not pass by
 *   itself, such as AccessDenied).
 */
export type TokenClientErrorCode =
  | 'invalid_client' | 'invalid_request' | 'invalid_scope' | 'unauthorized_client' | 'invalid_grant' | 'unsupported_grant_type'
  | 'rate_limited' | 'server_error' | 'network' | 'timeout' | 'bad_response' | 'http_error' | 'credentials_unavailable' | 'config';

/** The codes worth another attempt: transient on the server's, the network's or the credential store's side. */
const RETRYABLE: ReadonlySet<TokenClientErrorCode> = new Set<TokenClientErrorCode>(['rate_limited', 'server_error', 'network', 'timeout', 'credentials_unavailable']);

export interface TokenClientErrorInit {
  readonly code: TokenClientErrorCode;
  /** What went wrong, without any credential or token. */
  readonly cause: string;
  readonly endpoint?: string;
  readonly status?: number;
  readonly attempts?: number;
  /** The server's own error name: an OAuth `error` or an AWS `__type` (for a loader failure, the loader error's name). */
  readonly remoteError?: string;
  /** The wait the server asked for (Retry-After), in milliseconds. */
  readonly retryAfterMs?: number;
}

/** Each error's init, kept outside the object so that no inspection shows it twice. */
const INITS = new WeakMap<TokenClientError, TokenClientErrorInit>();

/**
 * The one error the token client throws. Its message names the cause and the endpoint,
 * never the client secret, its encodings or a token; `JSON.stringify` shows the same fields.
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
  /** Whether another attempt could succeed (rate limits, server errors, network errors, timeouts, an unavailable credential store). */
  public readonly retryable: boolean;

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
    INITS.set(this, init);
  }

  /** The same error, counting `attempts` requests. */
  public withAttempts(attempts: number): TokenClientError {
    return amend(this, { attempts });
  }
}

/** The same error with some fields changed (message and stack are rebuilt from them). */
export function amend(err: TokenClientError,
  changes: Partial<TokenClientErrorInit> | ((init: TokenClientErrorInit) => Partial<TokenClientErrorInit>)): TokenClientError {
  const init = INITS.get(err)!;
  return new TokenClientError({ ...init, ...(typeof changes === 'function' ? changes(init) : changes) });
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

/** How much server text is examined; the part kept in an error is shorter still. */
const SCAN_LIMIT = 4096;
/** How much server text an error keeps. */
const KEEP = 200;
/** Echoed fragments of a secret this long or longer are found anywhere in server text. */
const FRAGMENT = 8;

/**
 * Credential-carrying shapes, whatever their value: an echoed `Authorization` header (also URL-encoded),
 * form fields and JSON members that carry a secret or a token.
 */
const SHAPES: ReadonlyArray<readonly [RegExp, string]> = [
  [/\b(Basic|Bearer)(\s+|%20|\+)[^\s"',;&<>]+/gi, '$1$2[redacted]'],
  [/\b(client_?secret|client_assertion|access_?token|refresh_?token|secret|password)("?(?:\s|%20)*(?:=|%3D|:)(?:\s|%20)*)(?:"(?:[^"\\]|\\.)*"?|[^\s&"',;<>]*)/gi, '$1$2[redacted]'],
];

/**
 * Makes text a server sent back (error names, descriptions, messages) safe to show: every form in
 * which the client authenticated (the secret as is, form- and URL-encoded and JSON-escaped, the
 * base64 Basic credential) is replaced, including fragments of eight characters or more (a truncated
 * echo); then any Authorization header, `client_secret=` field or `"Secret"` member left. `names`
 * (e.g. the client id) are replaced where they appear whole.
 */
export function redactor(secrets: ReadonlyArray<string>, names: ReadonlyArray<string> = []): (text: string) => string {
  // Every fragment of FRAGMENT characters (the whole of a shorter form), by length.
  const grams = new Map<number, Set<string>>();
  for (const s of new Set(secrets.filter(Boolean))) {
    const k = Math.min(FRAGMENT, s.length);
    const set = grams.get(k) ?? new Set<string>();
    for (let i = 0; i + k <= s.length; i++) set.add(s.slice(i, i + k));
    grams.set(k, set);
  }
  return (text) => {
    let out = text;
    if (out.length > SCAN_LIMIT) {
      // Drop the word cut at the limit, so no partial echo survives the cut.
      out = out.slice(0, SCAN_LIMIT).replace(/[^\s"',;:&<>[\]{}]*$/, '');
    }
    const hidden = new Uint8Array(out.length);
    for (const [k, set] of grams) {
      for (let i = 0; i + k <= out.length; i++) {
        if (set.has(out.slice(i, i + k))) hidden.fill(1, i, i + k);
      }
    }
    let kept = '';
    for (let i = 0; i < out.length; i++) {
      if (!hidden[i]) kept += out[i];
      else if (!hidden[i - 1]) kept += '[redacted]';
    }
    out = kept;
    for (const n of names) {
      if (n) out = out.split(n).join('[redacted]');
    }
    for (const [shape, replacement] of SHAPES) out = out.replace(shape, replacement);
    // Keep server text short and on one line.
    return out.replace(/\s+/g, ' ').slice(0, KEEP);
  };
}
