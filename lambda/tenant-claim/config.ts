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
import { CLIENT_TENANTS_PATH_ENV } from '../../lib/private/contracts/client-directory';
import { claimNameProblem, DENY_UNKNOWN_CLIENTS_ENV, TENANT_CLAIM, TENANT_CLAIM_NAME_ENV } from '../../lib/private/contracts/tenant-claim';
import { directoryFromEnv, outageBackoffFromEnv } from '../authorizer/directory';
import { ConfigError } from '../authorizer/errors';
import { createRegistryTenantResolver } from '../authorizer/registry-resolver';
import type { TenantResolver } from '../authorizer/tenant-resolver';
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

/** A DynamoDB table name, or a table ARN. */
const TABLE_NAME = /^(?:[A-Za-z0-9_.-]{3,255}|arn:aws[a-z-]*:dynamodb:[a-z0-9-]+:\d{12}:table\/[A-Za-z0-9_.-]{3,255})$/;

function flag(env: NodeJS.ProcessEnv, name: string): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '' || raw === 'false') return false;
  if (raw === 'true') return true;
  throw new ConfigError(`${name} must be true or false, got ${JSON.stringify(raw.slice(0, 40))}`);
}

function ttlSeconds(env: NodeJS.ProcessEnv): number {
  const raw = env.REGISTRY_CACHE_TTL_SECONDS;
  if (raw === undefined || raw === '') return 30;
  if (!/^\d{1,3}$/.test(raw) || Number(raw) > 900) {
    throw new ConfigError(`REGISTRY_CACHE_TTL_SECONDS must be an integer from 0 to 900, got ${JSON.stringify(raw.slice(0, 40))}`);
  }
  return Number(raw);
}

/**
 * Environment variables: CLIENT_TENANTS_PATH and CLIENT_TENANTS_PARAMETERS
 * (required: lib/private/client-directory.ts), TENANT_CLAIM_NAME
 * (default `tenant_id`), DENY_UNKNOWN_CLIENTS (`true`/`false`, default false),
 * TABLE_NAME and REGISTRY_CACHE_TTL_SECONDS (optional: the tenant registry,
 * 0..900 s, default 30), OUTAGE_BACKOFF_MS (0..60000, default 5000), LOG_LEVEL.
 */
export function configFromEnv(env: NodeJS.ProcessEnv, clients: TenantClaimClients = {}, deps: TenantClaimDeps = {}): TenantClaimConfig {
  const path = env[CLIENT_TENANTS_PATH_ENV];
  if (path === undefined || path === '') throw new ConfigError(`${CLIENT_TENANTS_PATH_ENV} is not set`);
  const claimName = env[TENANT_CLAIM_NAME_ENV] || TENANT_CLAIM;
  const problem = claimNameProblem(claimName);
  if (problem) throw new ConfigError(`${TENANT_CLAIM_NAME_ENV} ${JSON.stringify(claimName.slice(0, 140))} ${problem}`);
  const denyUnknownClients = flag(env, DENY_UNKNOWN_CLIENTS_ENV);
  const table = env.TABLE_NAME;
  if (table !== undefined && table !== '' && !TABLE_NAME.test(table)) {
    throw new ConfigError(`TABLE_NAME ${JSON.stringify(table.slice(0, 80))} is not a DynamoDB table name`);
  }
  const backoffMs = outageBackoffFromEnv(env);
  const declared = directoryFromEnv(env, { logger: deps.logger, now: deps.now, ssm: clients.ssm });
  const tenants = table
    ? createRegistryTenantResolver({ table, ttlSeconds: ttlSeconds(env), declared, backoffMs, now: deps.now, clientConfig: clients.dynamodb })
    : declared;
  return { claimName, denyUnknownClients, tenants, logLevel: logLevelFromEnv(env.LOG_LEVEL) };
}
