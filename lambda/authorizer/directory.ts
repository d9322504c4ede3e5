/**
 * The CDK-declared client → tenant mapping read from SSM Parameter Store
 * (CLIENT_TENANTS_PATH), for apps whose clients do not fit an environment
 * variable or live in other stacks (lib/private/client-directory.ts).
 *
 * - Every parameter directly under the path is read (GetParametersByPath,
 *   paginated) and merged into one map; the whole map is replaced on each
 *   load, so clients removed from the app disappear.
 * - The first request loads it; concurrent requests share one load.
 * - A known client resolves synchronously from the map (the hot path does
 *   not wait). Once the map is `refreshMs` old, the next request starts a
 *   reload in the background and is answered from the current map.
 * - An unknown client triggers a reload at most once per `unknownRetryMs`
 *   (made-up client ids cannot make the authorizer hammer SSM); otherwise it
 *   is untrusted.
 * - A failed load is never cached. Without a map, or with one older than
 *   `maxStaleMs`, the request is denied `tenants_unavailable` (fail closed);
 *   a younger map keeps serving while SSM is down.
 * - `recheckAt` is the next refresh: a verified token cached by the
 *   authorizer is re-resolved then, so a removed client loses access within
 *   `refreshMs` of its removal reaching SSM.
 *
 * `@aws-sdk/client-ssm` (provided by the Lambda runtime) is loaded lazily, and
 * only by `createParameterDirectoryLoader`, i.e. only when the path is set.
 */
import type { SSMClient, SSMClientConfig } from '@aws-sdk/client-ssm';
import { AuthorizerError, ConfigError } from './errors';
import type { TenantResolver } from './tenant-resolver';
import { DIRECTORY_PATH_PREFIX, parseMapping } from '../../lib/private/client-directory';

/** One parameter as read. */
export interface DirectoryParameter {
  readonly name: string;
  readonly value: string | undefined;
}

/** Reads every parameter of the directory; rejects on an outage. */
export type DirectoryLoader = () => Promise<readonly DirectoryParameter[]>;

export interface DirectoryTenantResolverOptions {
  readonly load: DirectoryLoader;
  /** Age after which a reload starts in the background. @default 300000 (5 min) */
  readonly refreshMs?: number;
  /** Least time between reloads an unknown client triggers. @default 30000 */
  readonly unknownRetryMs?: number;
  /** Age after which the map is no longer used (every request needs a successful load). @default 900000 (15 min) */
  readonly maxStaleMs?: number;
  /** @default Date.now */
  readonly now?: () => number;
}

/** Merges directory parameters into one map; any invalid parameter fails the whole load. */
export function mergeDirectory(parameters: readonly DirectoryParameter[]): Map<string, string> {
  const map = new Map<string, string>();
  for (const p of parameters) parseMapping(p.value, `parameter ${p.name}`, map);
  return map;
}

export class DirectoryTenantResolver implements TenantResolver {
  #map: Map<string, string> | undefined;
  /** Epoch ms at which the load that produced `#map` started. */
  #loadedAt = 0;
  /** Epoch ms at which the last load (successful or not) started. */
  #attemptedAt = -Infinity;
  #inflight: Promise<Map<string, string>> | undefined;
  readonly #load: DirectoryLoader;
  readonly #refreshMs: number;
  readonly #unknownRetryMs: number;
  readonly #maxStaleMs: number;
  readonly #now: () => number;

  constructor(options: DirectoryTenantResolverOptions) {
    this.#load = options.load;
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
      return this.#reload().then((m) => m.get(clientId), (err: unknown) => {
        throw new AuthorizerError('tenants_unavailable', err, clientId);
      });
    }
    if (now - this.#loadedAt >= this.#refreshMs) this.#reload().catch(() => undefined);
    const tenant = map.get(clientId);
    if (tenant !== undefined) return tenant;
    if (now - this.#attemptedAt < this.#unknownRetryMs) return undefined;
    // Unknown: perhaps added since the last load. An outage here is not the caller's fault, but the client stays unknown.
    return this.#reload().then((m) => m.get(clientId), () => undefined);
  }

  public declares(clientId: string): boolean {
    return this.#map?.has(clientId) ?? false;
  }

  public recheckAt(_clientId: string, now: number): number {
    return Math.max(now, this.#loadedAt + this.#refreshMs);
  }

  #reload(): Promise<Map<string, string>> {
    if (this.#inflight) return this.#inflight;
    const started = this.#now();
    this.#attemptedAt = started;
    const pending = this.#load()
      .then((parameters) => {
        const map = mergeDirectory(parameters);
        this.#map = map;
        this.#loadedAt = started;
        return map;
      })
      .finally(() => { this.#inflight = undefined; });
    this.#inflight = pending;
    return pending;
  }
}

/**
 * Options of the authorizer's SSM client: bounded retries and timeouts, so an
 * unreachable SSM is answered (denied) well within the function's timeout.
 */
export const DIRECTORY_CLIENT_OPTIONS: SSMClientConfig = {
  maxAttempts: 2,
  requestHandler: { connectionTimeout: 300, requestTimeout: 1000 },
};

/** Validates CLIENT_TENANTS_PATH. */
export function checkDirectoryPath(path: string): string {
  const rest = path.startsWith(DIRECTORY_PATH_PREFIX) ? path.slice(DIRECTORY_PATH_PREFIX.length) : undefined;
  if (rest === undefined || !/^[A-Za-z0-9_.-]{1,200}\/$/.test(rest)) {
    throw new ConfigError(`CLIENT_TENANTS_PATH ${JSON.stringify(path.slice(0, 120))} must be ${DIRECTORY_PATH_PREFIX}<name>/`);
  }
  return path;
}

/** The SSM client of the execution environment (built on first use). */
let ssmClient: SSMClient | undefined;

/**
 * The loader the Lambda uses: GetParametersByPath on `path` (not recursive,
 * 10 per page, every page) through a module-scope SSM client. Only this
 * function loads `@aws-sdk/client-ssm`.
 */
export function createParameterDirectoryLoader(path: string, clientConfig?: SSMClientConfig): DirectoryLoader {
  let sdk: typeof import('@aws-sdk/client-ssm');
  try {
    // A lazy require is the point: the runtime-provided SDK loads only when the directory is configured.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    sdk = require('@aws-sdk/client-ssm') as typeof import('@aws-sdk/client-ssm');
    if (ssmClient === undefined || clientConfig !== undefined) ssmClient = new sdk.SSMClient({ ...DIRECTORY_CLIENT_OPTIONS, ...clientConfig });
  } catch (err) {
    throw new ConfigError(`CLIENT_TENANTS_PATH is set but the SSM client could not be loaded: ${err instanceof Error ? err.name : 'error'}`);
  }
  const ssm = ssmClient;
  return async () => {
    const out: DirectoryParameter[] = [];
    let token: string | undefined;
    do {
      const page = await ssm.send(new sdk.GetParametersByPathCommand({ Path: path.replace(/\/$/, ''), Recursive: false, MaxResults: 10, NextToken: token }));
      for (const p of page.Parameters ?? []) out.push({ name: p.Name ?? '(unnamed)', value: p.Value });
      token = page.NextToken;
    } while (token);
    return out;
  };
}
