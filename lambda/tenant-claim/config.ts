/**
 * Configuration of the tenant-claim trigger, from the environment the
 * construct (lib/tenant-claim.ts) sets. Validated at cold start; a problem is
 * a `ConfigError` and the trigger then refuses every client-credentials token.
 *
 * The trusted sources are the authorizer's own resolvers: the SSM client
 * directory (always a directory: the pool refers to this function, so the
 * function cannot refer to the pool's client ids), of which only the
 * parameters the library created count (CLIENT_TENANTS_PARAMETERS), and, with
 * TABLE_NAME, the tenant registry behind it; both back off after an outage
 * for OUTAGE_BACKOFF_MS.
 */
import type { DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import type { SSMClientConfig } from '@aws-sdk/client-ssm';
import { DIRECTORY_ENV } from '../../lib/private/contracts/client-directory';
import { HANDLER_ENV } from '../../lib/private/contracts/env';
import { claimNameProblem, TENANT_CLAIM, TENANT_CLAIM_ENV } from '../../lib/private/contracts/tenant-claim';
import { directoryFromEnv, outageBackoffFromEnv } from '../authorizer/directory';
import { createRegistryTenantResolver } from '../authorizer/registry-resolver';
import type { TenantResolver } from '../authorizer/tenant-resolver';
import { Env, flag, invalid, missing, optional } from '../shared/config';
import { Logger, logLevelFromEnv, LogLevel } from '../shared/log';

export interface TenantClaimConfig {
  /** The access-token claim that receives the tenant id. */
  readonly claimName: string;
  /** Refuse the token (instead of issuing it without the claim) to a client without an active tenant. */
  readonly denyUnknownClients: boolean;
  /** The client directory, with the registry behind it when one is configured. */
  readonly tenants: TenantResolver;
  readonly logLevel: LogLevel;
}

/** Client overrides (endpoints, credentials) for the SDK clients; the Lambda passes none. */
export interface TenantClaimClients {
  readonly ssm?: SSMClientConfig;
  readonly dynamodb?: DynamoDBClientConfig;
}

/** What the trusted sources need besides the environment; the Lambda passes none. */
export interface TenantClaimDeps {
  /** Where the directory reports parameters the library did not create. @default a Logger at LOG_LEVEL writing to stdout */
  readonly logger?: Logger;
  /** The clock of the caches and the outage back-off. @default Date.now */
  readonly now?: () => number;
}

/**
 * The configuration from the trigger's variables (TENANT_CLAIM_ENVIRONMENT,
 * lib/private/contracts/environments.ts).
 */
export function configFromEnv(env: Env, clients: TenantClaimClients = {}, deps: TenantClaimDeps = {}): TenantClaimConfig {
  if (optional(env, DIRECTORY_ENV.path) === undefined) {
    throw missing(DIRECTORY_ENV.path, 'the client directory\'s path (the trigger always reads a directory)');
  }
  const claimName = optional(env, TENANT_CLAIM_ENV.claimName) ?? TENANT_CLAIM;
  const problem = claimNameProblem(claimName);
  if (problem) throw invalid(TENANT_CLAIM_ENV.claimName, claimName, problem);
  const denyUnknownClients = flag(env, TENANT_CLAIM_ENV.denyUnknownClients, false);
  const declared = directoryFromEnv(env, { logger: deps.logger, now: deps.now, ssm: clients.ssm });
  const backoffMs = outageBackoffFromEnv(env);
  const tenants = createRegistryTenantResolver(env, { declared, backoffMs, now: deps.now, clientConfig: clients.dynamodb });
  return { claimName, denyUnknownClients, tenants, logLevel: logLevelFromEnv(env[HANDLER_ENV.logLevel]) };
}
