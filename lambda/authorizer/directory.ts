/**
 * The CDK-declared client → tenant mapping read from SSM Parameter Store
 * (CLIENT_TENANTS_PATH), for apps whose clients do not fit an environment
 * variable or live in other stacks (lib/private/contracts/client-directory.ts).
 *
 * - The parameters the library created (`trusted`, from
 *   CLIENT_TENANTS_PARAMETERS) are merged into one map, and the whole map is
 *   replaced on each load, so clients removed from the app disappear.
 * - Two reads (ssm.ts, no AWS SDK): a load a request waits for (the first,
 *   an unknown client's, a map past `maxStaleMs`) reads the trusted
 *   parameters by name (`loadTrusted`: GetParameters, 10 names per call, the
 *   first call alone, then DIRECTORY_CONCURRENCY at once); the background refresh reads
 *   every parameter directly under the path (`load`: GetParametersByPath),
 *   which is how a parameter someone else put there is found: it is ignored
 *   before it is parsed (it can neither add nor change a mapping, nor fail
 *   the load) and its name goes to `onUntrusted` (a log line and a metric,
 *   metrics.ts). So foreign parameters are reported from an execution
 *   environment's first refresh on (`refreshMs` after its first load), never
 *   before its first answer. Under a role without ssm:GetParameters the
 *   loads a request waits for read by path too (logged once).
 * - The first request loads; concurrent requests share one load.
 * - A known client resolves synchronously from the map (the hot path does
 *   not wait). Once the map is `refreshMs` old, the next request starts a
 *   reload in the background and is answered from the current map.
 * - An unknown client triggers a reload at most once per `unknownRetryMs`
 *   (made-up client ids cannot make the authorizer hammer SSM); otherwise it
 *   is untrusted.
 * - A failed load is not retried for `backoffMs` (OUTAGE_BACKOFF_MS): during
 *   an outage an execution environment loads at most once per back-off
 *   window, however many requests arrive. Without a map, or with one older
 *   than `maxStaleMs`, the request is denied `tenants_unavailable` (fail
 *   closed, straight from memory within the window); a younger map keeps
 *   serving while SSM is down. The first load after the window that
 *   succeeds ends the back-off. A load fails with its first call that fails
 *   (after that call's retry, ssm.ts): its later calls are not sent.
 * - `recheckAt` is the next refresh: a verified token cached by the
 *   authorizer is re-resolved then, so a removed client loses access within
 *   `refreshMs` of its removal reaching SSM.
 */
import { AuthorizerError } from './errors';
import { untrustedParameterReporter } from './metrics';
import { SsmCall, ssmCaller, SsmOptions } from './ssm';
import type { TenantResolver } from './tenant-resolver';
import {
  DIRECTORY_ENV, DIRECTORY_PATH_PREFIX, OUTAGE_BACKOFF_MS, parseDirectoryParameters, parseMapping,
} from '../../lib/private/contracts/client-directory';
import { HANDLER_ENV } from '../../lib/private/contracts/env';
import { ConfigError, Env, integer, invalid, optional } from '../shared/config';
import { Logger, logLevelFromEnv } from '../shared/log';

/** One parameter as read. */
export interface DirectoryParameter {
  readonly name: string;
  readonly value: string | undefined;
}

/** Reads parameters of the directory; rejects on an outage. */
export type DirectoryLoader = () => Promise<readonly DirectoryParameter[]>;

export interface DirectoryTenantResolverOptions {
  /** Reads every parameter under the path (the background refresh, which finds the untrusted ones). */
  readonly load: DirectoryLoader;
  /**
   * Reads the trusted parameters only: the loads a request waits for (no map yet, a map past
   * `maxStaleMs`, an unknown client). @default - `load`
   */
  readonly loadTrusted?: DirectoryLoader;
  /** Full names of the parameters the library created (CLIENT_TENANTS_PARAMETERS): the only ones read. */
  readonly trusted: ReadonlySet<string>;
  /** Told the names of the other parameters under the path, after every load that finds any. @default - ignored silently */
  readonly onUntrusted?: (names: readonly string[]) => void;
  /**
   * Time after a failed load during which no load starts (requests are answered from memory).
   * @default 0 - no back-off; `directoryFromEnv` passes OUTAGE_BACKOFF_MS (default DEFAULT_OUTAGE_BACKOFF_MS)
   */
  readonly backoffMs?: number;
  /** Age after which a reload starts in the background. @default 300000 (5 min) */
  readonly refreshMs?: number;
  /** Least time between reloads an unknown client triggers. @default 30000 */
  readonly unknownRetryMs?: number;
  /** Age after which the map is no longer used (every request needs a successful load). @default 900000 (15 min) */
  readonly maxStaleMs?: number;
  /** @default Date.now */
  readonly now?: () => number;
}

/**
 * Merges the trusted directory parameters into one map (any invalid one fails
 * the whole load) and lists the names of the others, which are not parsed.
 */
export function mergeDirectory(
  parameters: readonly DirectoryParameter[],
  trusted: ReadonlySet<string>,
): { tenants: Map<string, string>; untrusted: string[] } {
  const tenants = new Map<string, string>();
  const untrusted: string[] = [];
  for (const p of parameters) {
    if (trusted.has(p.name)) parseMapping(p.value, `parameter ${p.name}`, tenants);
    else untrusted.push(p.name);
  }
  return { tenants, untrusted };
}

export class DirectoryTenantResolver implements TenantResolver {
  #map: Map<string, string> | undefined;
  /** Epoch ms at which the load that produced `#map` started. */
  #loadedAt = 0;
  /** Epoch ms at which the last load (successful or not) started. */
  #attemptedAt = -Infinity;
  /** Epoch ms at which the last load failed (-Infinity after a success), and why. */
  #failedAt = -Infinity;
  #failure: unknown;
  #inflight: Promise<Map<string, string>> | undefined;
  readonly #load: DirectoryLoader;
  readonly #loadTrusted: DirectoryLoader;
  readonly #trusted: ReadonlySet<string>;
  readonly #onUntrusted: (names: readonly string[]) => void;
  readonly #backoffMs: number;
  readonly #refreshMs: number;
  readonly #unknownRetryMs: number;
  readonly #maxStaleMs: number;
  readonly #now: () => number;

  constructor(options: DirectoryTenantResolverOptions) {
    this.#load = options.load;
    this.#loadTrusted = options.loadTrusted ?? options.load;
    this.#trusted = options.trusted;
    this.#onUntrusted = options.onUntrusted ?? (() => undefined);
    this.#backoffMs = Math.max(0, options.backoffMs ?? 0);
    this.#refreshMs = options.refreshMs ?? 300_000;
    this.#unknownRetryMs = options.unknownRetryMs ?? 30_000;
    this.#maxStaleMs = Math.max(options.maxStaleMs ?? 900_000, this.#refreshMs);
    this.#now = options.now ?? Date.now;
  }

  /** Clients in the current map (0 before the first load). */
  public get size(): number { return this.#map?.size ?? 0; }

  public resolve(clientId: string): string | undefined | Promise<string | undefined> {
    const now = this.#now();
    const map = this.#map;
    if (map === undefined || now - this.#loadedAt >= this.#maxStaleMs) {
      return this.#reload(this.#loadTrusted).then((m) => m.get(clientId), (err: unknown) => {
        throw new AuthorizerError('tenants_unavailable', err, clientId);
      });
    }
    if (now - this.#loadedAt >= this.#refreshMs) this.#reload(this.#load).catch(() => undefined);
    const tenant = map.get(clientId);
    if (tenant !== undefined) return tenant;
    if (now - this.#attemptedAt < this.#unknownRetryMs) return undefined;
    // Unknown: perhaps added since the last load. An outage here is not the caller's fault, but the client stays unknown.
    return this.#reload(this.#loadTrusted).then((m) => m.get(clientId), () => undefined);
  }

  public declares(clientId: string): boolean {
    return this.#map?.has(clientId) ?? false;
  }

  public recheckAt(_clientId: string, now: number): number {
    return Math.max(now, this.#loadedAt + this.#refreshMs);
  }

  /** Starts `load` unless a load is in flight (then shares it) or the back-off holds. */
  #reload(load: DirectoryLoader): Promise<Map<string, string>> {
    if (this.#inflight) return this.#inflight;
    const started = this.#now();
    // Within the back-off window after a failure: the same answer, without calling SSM.
    if (started - this.#failedAt < this.#backoffMs) return Promise.reject(this.#failure);
    this.#attemptedAt = started;
    let loading: Promise<readonly DirectoryParameter[]>;
    try {
      loading = load();
    } catch (err) {
      loading = Promise.reject(err);
    }
    const pending = loading
      .then((parameters) => {
        const { tenants, untrusted } = mergeDirectory(parameters, this.#trusted);
        this.#map = tenants;
        this.#loadedAt = started;
        this.#failedAt = -Infinity;
        if (untrusted.length > 0) this.#onUntrusted(untrusted);
        return tenants;
      })
      .catch((err: unknown) => {
        // An outage, or a trusted parameter that is not a mapping: both start the back-off.
        this.#failedAt = this.#now();
        this.#failure = err;
        throw err;
      })
      .finally(() => { this.#inflight = undefined; });
    this.#inflight = pending;
    return pending;
  }
}

/** Validates CLIENT_TENANTS_PATH. */
export function checkDirectoryPath(path: string): string {
  const rest = path.startsWith(DIRECTORY_PATH_PREFIX) ? path.slice(DIRECTORY_PATH_PREFIX.length) : undefined;
  if (rest === undefined || !/^[A-Za-z0-9_.-]{1,200}\/$/.test(rest)) throw invalid(DIRECTORY_ENV.path, path, `${DIRECTORY_PATH_PREFIX}<name>/`);
  return path;
}

/** OUTAGE_BACKOFF_MS: milliseconds, 0 (no back-off) to its maximum; its default when unset. */
export function outageBackoffFromEnv(env: Env): number {
  return integer(env, OUTAGE_BACKOFF_MS);
}

/** What a function's directory needs besides the environment. */
export interface DirectoryDeps {
  /** Where untrusted parameters are reported. @default a Logger at LOG_LEVEL writing to stdout */
  readonly logger?: Logger;
  /** @default Date.now */
  readonly now?: () => number;
  /** Overrides of the SSM endpoint, Region and credentials the environment gives (ssm.ts). */
  readonly ssm?: SsmOptions;
}

/**
 * The directory of a function (the authorizer or the tenant-claim trigger)
 * from CLIENT_TENANTS_PATH (set) and CLIENT_TENANTS_PARAMETERS, with the
 * back-off of OUTAGE_BACKOFF_MS and untrusted parameters reported under the
 * function's name (AWS_LAMBDA_FUNCTION_NAME).
 */
export function directoryFromEnv(env: Env, deps: DirectoryDeps = {}): DirectoryTenantResolver {
  const path = checkDirectoryPath(optional(env, DIRECTORY_ENV.path) ?? '');
  let trusted: Set<string>;
  try {
    trusted = parseDirectoryParameters(env[DIRECTORY_ENV.parameters], path);
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
  const logger = deps.logger ?? new Logger(logLevelFromEnv(env[HANDLER_ENV.logLevel]));
  const call = ssmCaller(env, deps.ssm);
  const byPath = readByPath(call, path);
  return new DirectoryTenantResolver({
    load: byPath,
    loadTrusted: readByName(call, [...trusted], byPath, () => {
      logger.warn('ssm:GetParameters denied: the directory is read by path', { errorName: 'AccessDeniedException' });
    }),
    trusted,
    onUntrusted: untrustedParameterReporter(env.AWS_LAMBDA_FUNCTION_NAME, logger, deps.now),
    backoffMs: outageBackoffFromEnv(env),
    now: deps.now,
  });
}

/** GetParameters calls of one load in flight at once (a wave, after the first call). */
export const DIRECTORY_CONCURRENCY = 8;

const parametersOf = (output: Record<string, unknown>): DirectoryParameter[] =>
  ((output.Parameters ?? []) as { Name?: string; Value?: string }[]).map((p) => ({ name: p.Name ?? '(unnamed)', value: p.Value }));

/** Every parameter directly under `path` (GetParametersByPath, not recursive, 10 per page, every page). */
export function readByPath(call: SsmCall, path: string): DirectoryLoader {
  return async () => {
    const out: DirectoryParameter[] = [];
    let token: unknown;
    do {
      const page = await call('GetParametersByPath', { Path: path.replace(/\/$/, ''), Recursive: false, MaxResults: 10, NextToken: token });
      out.push(...parametersOf(page));
      token = page.NextToken;
    } while (token);
    return out;
  };
}

/**
 * The parameters named (GetParameters, 10 names per call), in the order of
 * `names`; a name SSM does not have is left out. The first call goes alone,
 * the others in waves of DIRECTORY_CONCURRENCY calls: a call that fails
 * fails the load, and the later waves are not sent, so a load during an
 * outage or under throttling costs one call (its attempts, ssm.ts). Under a
 * role without ssm:GetParameters (AccessDeniedException), `fallback` reads
 * them from then on, and `onDenied` is told once.
 */
export function readByName(call: SsmCall, names: readonly string[], fallback: DirectoryLoader, onDenied: () => void): DirectoryLoader {
  let denied = false;
  const get = (i: number) => call('GetParameters', { Names: names.slice(i, i + 10) }).then(parametersOf);
  return async () => {
    if (!denied) {
      try {
        const out: DirectoryParameter[] = [];
        for (let i = 0, wave = 1; i < names.length; i += 10 * wave, wave = DIRECTORY_CONCURRENCY) {
          const calls: Promise<DirectoryParameter[]>[] = [];
          for (let j = i; j < Math.min(names.length, i + 10 * wave); j += 10) calls.push(get(j));
          for (const got of await Promise.all(calls)) out.push(...got);
        }
        return out;
      } catch (err) {
        if ((err as Error).name !== 'AccessDeniedException') throw err;
        denied = true;
        onDenied();
      }
    }
    return fallback();
  };
}
