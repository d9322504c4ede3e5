/**
 * Which tenant a client id belongs to. The construct passes the trusted
 * mapping in CLIENT_TENANTS, or in SSM parameters under CLIENT_TENANTS_PATH
 * (`DirectoryTenantResolver`, directory.ts); with a tenant registry configured,
 * `RegistryTenantResolver` (registry-resolver.ts) wraps this one behind the
 * same interface. A client without a tenant is not trusted.
 */
import { DIRECTORY_ENV, parseMapping } from '../../lib/private/contracts/client-directory';
import { ConfigError, missing } from '../shared/config';

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
  /**
   * Whether this resolver holds a tenant for the client right now, without a
   * lookup (a resolver wrapping this one asks before its own checks).
   */
  declares?(clientId: string): boolean;
}

/** Resolves from a fixed mapping (CLIENT_TENANTS). */
export class StaticTenantResolver implements TenantResolver {
  /** Parses and validates the CLIENT_TENANTS JSON object. */
  public static fromJson(json: string | undefined): StaticTenantResolver {
    if (json === undefined || json.trim() === '') throw missing(DIRECTORY_ENV.clientTenants, 'a JSON object of client ids to tenant ids');
    try {
      return new StaticTenantResolver(parseMapping(json, DIRECTORY_ENV.clientTenants));
    } catch (err) {
      throw new ConfigError((err as Error).message);
    }
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

  public declares(clientId: string): boolean {
    return this.#tenants.has(clientId);
  }
}
