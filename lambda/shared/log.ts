/**
 * Structured JSON logging for the handlers: one line per event.
 *
 * The API only takes fields that are safe to log by construction (a reason
 * code, identifiers checked against a strict pattern, our own error class
 * names and messages). There is deliberately no way to pass a token, a header
 * value or an arbitrary object.
 */

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** The fields a log line may carry. Anything else is not loggable. */
export interface SafeLogFields {
  /** Reason class of a denial or failure (a fixed code, never free text). */
  readonly reason?: string;
  /** A client id; dropped unless it looks like one (`[A-Za-z0-9_-]{1,128}`). */
  readonly clientId?: string;
  /** A tenant id; dropped unless it looks like one (`[A-Za-z0-9_.:@-]{1,128}`). */
  readonly tenantId?: string;
  /** Class name of the underlying error (never its message, which may quote claims). */
  readonly errorName?: string;
  /** Detail written by our own code about our own configuration (never request data). */
  readonly configDetail?: string;
  /** A count (cache sizes, route counts). */
  readonly count?: number;
  /** An SSM parameter's name (never its value); dropped unless it looks like one. */
  readonly parameterName?: string;
  /**
   * A token's id (`jti`, which authenticates nothing; Cognito's is a UUID); dropped unless it looks like an id
   * (`[A-Za-z0-9_-]{1,128}`, TOKEN_ID_PATTERN of lib/private/contracts/token-usage.ts).
   */
  readonly tokenId?: string;
  /** When a token was issued (`iat`, seconds since the epoch; aws-jwt-verify admits only a finite number). */
  readonly issuedAt?: number;
  /** When a token expires (`exp`, seconds since the epoch; aws-jwt-verify admits only a finite number). */
  readonly expiresAt?: number;
  /**
   * Embedded Metric Format members added to the line as they are (metric and
   * dimension values, the `_aws` block): built by lambda/authorizer/metrics.ts
   * from fixed names and the function's own name, never from request data.
   */
  readonly emf?: EmfMembers;
}

/** The members of an Embedded Metric Format line besides the log fields. */
export type EmfMembers = { readonly [member: string]: string | number | object };

export type LogSink = (line: string) => void;

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/**
 * The fields a line takes, in this order, each with its check: a pattern the
 * value must match (identifiers, names), or `true` for our own text (cut to
 * 1,000 characters) and counts (finite numbers). A value failing its check
 * is dropped. (An object rather than a list of pairs: every handler bundles
 * this, and the object is the smaller.)
 */
const ID = /^[A-Za-z0-9_-]{1,128}$/;
const FIELDS: { readonly [name in Exclude<keyof SafeLogFields, 'emf'>]-?: RegExp | true } = {
  reason: /^/,
  clientId: ID,
  tenantId: /^[A-Za-z0-9_.:@-]{1,128}$/,
  errorName: /^[A-Za-z0-9_]{1,64}$/,
  configDetail: true,
  count: true,
  parameterName: /^[A-Za-z0-9_./-]{1,1011}$/,
  tokenId: ID,
  issuedAt: true,
  expiresAt: true,
};

/** Writes one JSON line per call to stdout (or the given sink). */
export class Logger {
  readonly #min: number;
  readonly #sink: LogSink;

  constructor(level: LogLevel = 'info', sink: LogSink = (line) => { process.stdout.write(line); }) {
    this.#sink = sink;
    this.#min = LEVELS[level];
  }

  public isDebug(): boolean {
    return this.#min <= LEVELS.debug;
  }

  public debug(msg: string, fields?: SafeLogFields): void { this.#write('debug', msg, fields); }
  public info(msg: string, fields?: SafeLogFields): void { this.#write('info', msg, fields); }
  public warn(msg: string, fields?: SafeLogFields): void { this.#write('warn', msg, fields); }
  public error(msg: string, fields?: SafeLogFields): void { this.#write('error', msg, fields); }

  #write(level: LogLevel, msg: string, fields: SafeLogFields = {}): void {
    if (LEVELS[level] < this.#min) return;
    const line: Record<string, unknown> = { level, msg };
    let name: keyof typeof FIELDS;
    for (name in FIELDS) {
      const check = FIELDS[name];
      const value = fields[name];
      if (value === undefined) continue;
      if (check !== true) {
        if (check.test(value as string)) line[name] = value;
      } else if (typeof value === 'string') {
        line[name] = value.slice(0, 1000);
      } else if (Number.isFinite(value)) {
        line[name] = value;
      }
    }
    this.#sink(JSON.stringify(Object.assign(line, fields.emf)) + '\n');
  }
}

/**
 * A sink for lines that need not be out before the answer: it holds them
 * until the current turn of the event loop is over (`setImmediate`), then
 * hands them to `write` in one call, so that the lines of a turn cost one
 * write. Each line stays a line of its own (the log service splits stdout
 * at newlines), and none waits past the turn: in Lambda the turn ends with
 * the invocation, before the runtime asks for the next one.
 */
export function afterTurn(write: (lines: string) => void = (lines) => { process.stdout.write(lines); }): LogSink {
  let held = '';
  return (line) => {
    if (!held) {
      setImmediate(() => {
        const lines = held;
        held = '';
        write(lines);
      });
    }
    held += line;
  };
}

/** Reads LOG_LEVEL (`debug`, `info`, `warn`, `error`; default `info`). */
export function logLevelFromEnv(value: string | undefined): LogLevel {
  const v = (value ?? '').toLowerCase();
  return v === 'debug' || v === 'warn' || v === 'error' ? v : 'info';
}
