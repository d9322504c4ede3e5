/**
 * Tenant resolution from the tenant registry (the developer portal's table)
 * as well as from the CDK-declared clients (CLIENT_TENANTS).
 *
 * - A declared client resolves from the declared source first, exactly as
 *   without a registry (the inline mapping answers synchronously: no lookup,
 *   no promise; the SSM directory as directory.ts describes).
 * - Any other client is looked up in the registry (`getClientStatus`); the
 *   answer, positive or negative, is cached per client id for the TTL
 *   (REGISTRY_CACHE_TTL_SECONDS), in a bounded map. Concurrent lookups for the
 *   same client share one promise.
 * - Unknown client: `untrusted_client`; client or tenant not active
 *   (suspended, deleting, deleted): `suspended`; lookup failure:
 *   `registry_unavailable` (fail closed: an expired entry is never served).
 *   Every denial carries the client id.
 * - After a failed lookup, no lookup starts for `backoffMs`
 *   (OUTAGE_BACKOFF_MS), for any client: a table outage is not one item's,
 *   so during one an execution environment makes at most one lookup per
 *   window, and every request needing a lookup is denied
 *   `registry_unavailable` from memory. Fresh cached answers keep serving.
 *   The first lookup after the window that succeeds ends the back-off.
 *
 * The suspension delay on the authorizer side is bounded by the TTL: an entry
 * expires TTL after its lookup *started* (before the strongly consistent
 * read), and `recheckAt` hands that instant to the verified-token cache, so a
 * cached token is re-verified and re-resolved once it has passed. API
 * Gateway's authorizer result cache adds its own TTL on top.
 *
 * `@aws-sdk/client-dynamodb` is loaded (lazy `require`) only by
 * `createRegistryTenantResolver` and `getClientStatus`, i.e. only when
 * TABLE_NAME is set; the registry module itself does not load it at import.
 */
import type { DynamoDBClient, DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { directoryFromEnv } from './directory';
import { AuthorizerError } from './errors';
import type { TenantResolver } from './tenant-resolver';
import { REGISTRY_CACHE_TTL_SECONDS, REGISTRY_ENV } from '../../lib/private/contracts/env';
import { TABLE_NAME } from '../../lib/private/contracts/ids';
import { ConfigError, Env, integer, optionalId } from '../shared/config';
import { ClientStatus, getClientStatus, isActive } from '../shared/registry';

/** Reads one client's registry status; `undefined` for a client id the registry does not know. Rejects on an outage. */
export type RegistryLookup = (clientId: string) => Promise<ClientStatus | undefined>;

export interface RegistryTenantResolverOptions {
  /** The CDK-declared clients (inline or the SSM directory): always asked first. */
  readonly declared: TenantResolver;
  readonly lookup: RegistryLookup;
  /** How long an answer (positive or negative) is reused, in seconds; 0 looks up on every call. */
  readonly ttlSeconds: number;
  /** Client ids the cache may hold. @default 10000 */
  readonly maxEntries?: number;
  /**
   * Time after a failed lookup during which no lookup starts (requests needing one are denied).
   * @default 0 - no back-off; the Lambda's configuration passes OUTAGE_BACKOFF_MS (default DEFAULT_OUTAGE_BACKOFF_MS)
   */
  readonly backoffMs?: number;
  /** @default Date.now */
  readonly now?: () => number;
}

/** A cached registry answer. `tenantId` undefined: the registry does not know the client. */
interface Entry {
  readonly tenantId: string | undefined;
  readonly active: boolean;
  /** Epoch ms: TTL after the lookup started. */
  readonly expiresAt: number;
}

export class RegistryTenantResolver implements TenantResolver {
  readonly #entries = new Map<string, Entry>();
  readonly #inflight = new Map<string, Promise<Entry>>();
  readonly #declared: TenantResolver;
  readonly #lookup: RegistryLookup;
  readonly #ttlMs: number;
  readonly #maxEntries: number;
  readonly #backoffMs: number;
  readonly #now: () => number;
  /** Epoch ms at which the last lookup failed (-Infinity after a success), and why. */
  #failedAt = -Infinity;
  #failure: unknown;

  constructor(options: RegistryTenantResolverOptions) {
    this.#declared = options.declared;
    this.#lookup = options.lookup;
    this.#ttlMs = Math.max(0, options.ttlSeconds) * 1000;
    this.#maxEntries = Math.max(1, options.maxEntries ?? 10_000);
    this.#backoffMs = Math.max(0, options.backoffMs ?? 0);
    this.#now = options.now ?? Date.now;
  }

  /** Client ids whose answer is cached (fresh or expired). */
  public get size(): number { return this.#entries.size; }

  public resolve(clientId: string): string | Promise<string> {
    const declared = this.#declared.resolve(clientId);
    if (typeof declared === 'string') return declared;
    if (declared === undefined) return this.#registry(clientId);
    return declared.then((tenant) => tenant ?? this.#registry(clientId));
  }

  public recheckAt(clientId: string, now: number): number | undefined {
    if (this.#declared.declares?.(clientId)) return this.#declared.recheckAt?.(clientId, now);
    const e = this.#entries.get(clientId);
    // No active entry (evicted, or replaced by a negative answer): re-check on the next request.
    return e !== undefined && e.active ? e.expiresAt : now;
  }

  #registry(clientId: string): string | Promise<string> {
    const e = this.#entries.get(clientId);
    if (e !== undefined && this.#now() < e.expiresAt) return this.#answer(clientId, e);
    let pending = this.#inflight.get(clientId);
    if (pending === undefined) {
      // Within the back-off window after a failure: denied from memory, without calling DynamoDB.
      if (this.#now() - this.#failedAt < this.#backoffMs) throw new AuthorizerError('registry_unavailable', this.#failure, clientId);
      pending = this.#load(clientId).finally(() => this.#inflight.delete(clientId));
      this.#inflight.set(clientId, pending);
    }
    return pending.then((entry) => this.#answer(clientId, entry));
  }

  #answer(clientId: string, e: Entry): string {
    if (e.tenantId === undefined) throw new AuthorizerError('untrusted_client', undefined, clientId);
    if (!e.active) throw new AuthorizerError('suspended', undefined, clientId);
    return e.tenantId;
  }

  async #load(clientId: string): Promise<Entry> {
    const started = this.#now();
    let status: ClientStatus | undefined;
    try {
      status = await this.#lookup(clientId);
    } catch (err) {
      // Fail closed; no entry is cached, and no lookup starts for the back-off window.
      this.#entries.delete(clientId);
      this.#failedAt = this.#now();
      this.#failure = err;
      throw new AuthorizerError('registry_unavailable', err, clientId);
    }
    this.#failedAt = -Infinity;
    const entry: Entry = status === undefined
      ? { tenantId: undefined, active: false, expiresAt: started + this.#ttlMs }
      : { tenantId: status.tenantId, active: isActive(status), expiresAt: started + this.#ttlMs };
    this.#entries.delete(clientId);
    while (this.#entries.size >= this.#maxEntries) {
      const oldest = this.#entries.keys().next();
      if (oldest.done) break;
      this.#entries.delete(oldest.value);
    }
    this.#entries.set(clientId, entry);
    return entry;
  }
}

/**
 * Options of the authorizer's DynamoDB client: bounded retries and timeouts, so
 * that even a hanging registry is answered (denied) well within the function's
 * timeout (default 5 s): at most two GetItem calls of two attempts each.
 */
export const REGISTRY_CLIENT_OPTIONS: DynamoDBClientConfig = {
  maxAttempts: 2,
  requestHandler: { connectionTimeout: 300, requestTimeout: 700 },
};

/** The DynamoDB client of the execution environment (built once, on the first registry resolver). */
let ddbClient: DynamoDBClient | undefined;

/**
 * The tenants of a function built with registry support (the authorizer's
 * registry builds, the tenant-claim trigger): with TABLE_NAME, the registry
 * behind the declared clients (`getClientStatus` through a module-scope
 * DynamoDB client, answers cached for REGISTRY_CACHE_TTL_SECONDS); without
 * it, the declared clients alone. Only this function (and the lookups it
 * makes) loads `@aws-sdk/client-dynamodb`, so a function without TABLE_NAME
 * never does.
 */
export function createRegistryTenantResolver(env: Env, options: {
  readonly declared: TenantResolver;
  /** OUTAGE_BACKOFF_MS. */
  readonly backoffMs: number;
  /** @default Date.now */
  readonly now?: () => number;
  /** Overrides for the DynamoDB client (endpoint, region...). */
  readonly clientConfig?: DynamoDBClientConfig;
}): TenantResolver {
  const table = optionalId(env, REGISTRY_ENV.tableName, TABLE_NAME);
  if (!table) return options.declared;
  try {
    // A lazy require is the point: @aws-sdk/client-dynamodb (runtime-provided) loads only when a registry is configured.
    if (ddbClient === undefined || options.clientConfig !== undefined) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const sdk = require('@aws-sdk/client-dynamodb') as typeof import('@aws-sdk/client-dynamodb');
      ddbClient = new sdk.DynamoDBClient({ ...REGISTRY_CLIENT_OPTIONS, ...options.clientConfig });
    }
  } catch (err) {
    throw new ConfigError(`${REGISTRY_ENV.tableName} is set but the DynamoDB client could not be loaded: ${err instanceof Error ? err.name : 'error'}`);
  }
  const ddb = ddbClient;
  return new RegistryTenantResolver({
    declared: options.declared,
    lookup: (clientId) => getClientStatus(ddb, table, clientId),
    ttlSeconds: integer(env, REGISTRY_CACHE_TTL_SECONDS),
    backoffMs: options.backoffMs,
    now: options.now,
  });
}

/** The registry builds (lambda/authorizer-registry, lambda/authorizer-portal) serve the client directory too (config.ts, `RegistryFactory`). */
createRegistryTenantResolver.directory = directoryFromEnv;

