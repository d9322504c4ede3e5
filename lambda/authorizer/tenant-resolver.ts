/**
 * Which tenant a client id belongs to. The construct passes the trusted
 * mapping in CLIENT_TENANTS; with a tenant registry configured,
 * `RegistryTenantResolver` (registry-resolver.ts) wraps this one behind the
 * same interface. A client without a tenant is not trusted.
 */
import { ConfigError } from './errors';

export interface TenantResolver {
  /**
   * The tenant of a trusted client, or undefined for a client that is not
   * trusted. May instead throw (or reject with) an `AuthorizerError` carrying
   * the client id to name a more specific reason (suspended, registry down).
   */
  resolve(clientId: string): string | undefined | Promise<string | undefined>;
  /**
   * Epoch ms after which the answer `resolve` just gave for this client must be
   * re-checked (a status with a short TTL), or undefined when it holds for the
   * token's lifetime. The authorizer passes it to the verified-token cache as
   * `checkAfter`, so a cached token never outlives the status it was admitted on.
   */
  recheckAt?(clientId: string, now: number): number | undefined;
}

/** Resolves from a fixed mapping (CLIENT_TENANTS). */
export class StaticTenantResolver implements TenantResolver {
  /** Parses and validates the CLIENT_TENANTS JSON object. */
  public static fromJson(json: string | undefined): StaticTenantResolver {
    if (json === undefined || json.trim() === '') throw new ConfigError('CLIENT_TENANTS is not set');
    let doc: unknown;
    try {
      doc = JSON.parse(json);
    } catch {
      throw new ConfigError('CLIENT_TENANTS is not valid JSON');
    }
    if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
      throw new ConfigError('CLIENT_TENANTS must be a JSON object mapping client ids to tenant ids');
    }
    const map = new Map<string, string>();
    for (const [clientId, tenantId] of Object.entries(doc)) {
      if (!/^[A-Za-z0-9_-]{1,128}$/.test(clientId)) {
        throw new ConfigError(`CLIENT_TENANTS: key ${JSON.stringify(clientId.slice(0, 140))} is not a client id`);
      }
      if (typeof tenantId !== 'string' || tenantId.length === 0 || tenantId.length > 256) {
        throw new ConfigError(`CLIENT_TENANTS: the tenant of ${clientId} must be a non-empty string`);
      }
      map.set(clientId, tenantId);
    }
    return new StaticTenantResolver(map);
  }

  readonly #tenants: ReadonlyMap<string, string>;

  constructor(tenants: ReadonlyMap<string, string>) {
    this.#tenants = tenants;
  }

  public get clientIds(): string[] {
    return [...this.#tenants.keys()];
  }

  public resolve(clientId: string): string | undefined {
    return this.#tenants.get(clientId);
  }
}
