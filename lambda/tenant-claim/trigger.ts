/**
 * The pre-token-generation trigger (event V3_0) that puts the calling app
 * client's tenant into client-credentials access tokens.
 *
 * - Only `TokenGeneration_ClientCredentials` events are touched; every other
 *   trigger source (user sign-ins, refreshes) is returned unchanged.
 * - The tenant comes from `callerContext.clientId` (set by Cognito after it
 *   checked the client secret), looked up in the trusted sources: the SSM
 *   client directory, then the tenant registry. `request.clientMetadata` is
 *   set by the caller and is never read.
 * - No active tenant (unknown client; suspended client or tenant): the token
 *   is issued without the claim, or refused with `denyUnknownClients`.
 * - A trusted source that cannot answer (`tenants_unavailable`,
 *   `registry_unavailable`) or a bad configuration refuses the token, whatever
 *   `denyUnknownClients` says: a client-credentials token cannot be revoked,
 *   so a token issued without its tenant during an outage would outlive the
 *   outage by its whole lifetime, while a refused request can be made again
 *   once the source is back (and the authorizer denies on the same outage anyway).
 *
 * A refusal throws an Error whose message is `token refused: <reason>` with a
 * fixed reason code (the caller has already authenticated as the client);
 * every outcome is one structured log line without the token or metadata.
 */
import type { ClaimsAndScopeOverrideDetailsV3 } from 'aws-lambda';
import { configFromEnv, TenantClaimClients, TenantClaimConfig } from './config';
import { HANDLER_ENV } from '../../lib/private/contracts/env';
import { CLIENT_ID, matchesRule } from '../../lib/private/contracts/ids';
import { AuthorizerError } from '../authorizer/errors';
import { ConfigError, Env } from '../shared/config';
import { Logger, logLevelFromEnv } from '../shared/log';

/** The V3_0 pre-token-generation event, for any trigger source. */
export interface PreTokenGenerationEvent {
  readonly version?: string;
  readonly triggerSource: string;
  readonly region?: string;
  readonly userPoolId?: string;
  readonly userName?: string;
  readonly callerContext?: { readonly clientId?: string; readonly awsSdkVersion?: string };
  readonly request?: { readonly clientMetadata?: Record<string, string>; readonly scopes?: string[] };
  response?: { claimsAndScopeOverrideDetails?: ClaimsAndScopeOverrideDetailsV3 | null };
}

export const CLIENT_CREDENTIALS = 'TokenGeneration_ClientCredentials';


export interface TenantClaimTrigger {
  /** Answers one event; rejects with `token refused: <reason>` to make Cognito issue no token. */
  handle(event: PreTokenGenerationEvent): Promise<PreTokenGenerationEvent>;
}

/** The reason a client has no claim: a fixed code of the resolvers' vocabulary. */
type NoTenant = 'untrusted_client' | 'suspended';

/** The tenant of a client, or why there is none; rejects on an outage. */
async function tenantOf(config: TenantClaimConfig, clientId: string): Promise<{ tenantId: string } | { reason: NoTenant }> {
  try {
    const tenantId = await config.tenants.resolve(clientId);
    return tenantId === undefined ? { reason: 'untrusted_client' } : { tenantId };
  } catch (err) {
    if (err instanceof AuthorizerError && (err.reason === 'untrusted_client' || err.reason === 'suspended')) return { reason: err.reason };
    throw err;
  }
}

/** The event with the claim added to the access token, keeping whatever else the response holds. */
function withClaim(event: PreTokenGenerationEvent, claimName: string, tenantId: string): PreTokenGenerationEvent {
  const details = event.response?.claimsAndScopeOverrideDetails ?? {};
  const access = details.accessTokenGeneration ?? {};
  return {
    ...event,
    response: {
      ...event.response,
      claimsAndScopeOverrideDetails: {
        ...details,
        accessTokenGeneration: { ...access, claimsToAddOrOverride: { ...access.claimsToAddOrOverride, [claimName]: tenantId } },
      },
    },
  };
}

function refused(reason: string): Error {
  return new Error(`token refused: ${reason}`);
}

/** Builds the trigger from a validated configuration. */
export function createTenantClaimTrigger(config: TenantClaimConfig, logger: Logger = new Logger(config.logLevel)): TenantClaimTrigger {
  const handle = async (event: PreTokenGenerationEvent): Promise<PreTokenGenerationEvent> => {
    if (event.triggerSource !== CLIENT_CREDENTIALS) {
      logger.debug('not a client-credentials token: unchanged');
      return event;
    }
    const raw = event.callerContext?.clientId;
    // Only an app client id is looked up (a `/` would address another pool's directory entries).
    const clientId = matchesRule(CLIENT_ID, raw) ? raw : undefined;
    let found: { tenantId: string } | { reason: NoTenant };
    try {
      found = clientId === undefined ? { reason: 'untrusted_client' } : await tenantOf(config, clientId);
    } catch (err) {
      const reason = err instanceof AuthorizerError ? err.reason : 'unexpected_error';
      // An outage names the underlying error class for the operator (never its message).
      const cause = err instanceof AuthorizerError ? err.cause : err;
      logger.error('token refused', { reason, clientId, errorName: cause instanceof Error ? cause.name : undefined });
      throw refused(reason);
    }
    if ('tenantId' in found) {
      logger.info('tenant claim added', { clientId, tenantId: found.tenantId });
      return withClaim(event, config.claimName, found.tenantId);
    }
    if (config.denyUnknownClients) {
      logger.warn('token refused', { reason: found.reason, clientId });
      throw refused(found.reason);
    }
    logger.warn('token issued without a tenant claim', { reason: found.reason, clientId });
    return event;
  };
  return { handle };
}

/** A trigger whose configuration is invalid: it refuses every client-credentials token and leaves other events alone. */
export function createFailedTrigger(error: ConfigError, logger: Logger = new Logger()): TenantClaimTrigger {
  logger.error('configuration invalid: every client-credentials token will be refused', { reason: 'config_error', configDetail: error.message });
  return {
    handle: async (event) => {
      if (event.triggerSource !== CLIENT_CREDENTIALS) return event;
      logger.error('token refused', { reason: 'config_error', clientId: event.callerContext?.clientId });
      throw refused('config_error');
    },
  };
}

/** Loads the configuration from the environment and builds the trigger, or a failed one on a configuration error. */
export function createTriggerFromEnv(
  env: Env,
  deps: { logger?: Logger; clients?: TenantClaimClients; now?: () => number } = {},
): TenantClaimTrigger {
  const logger = deps.logger ?? new Logger(logLevelFromEnv(env[HANDLER_ENV.logLevel]));
  try {
    const config = configFromEnv(env, deps.clients, { logger, now: deps.now });
    return createTenantClaimTrigger(config, logger);
  } catch (err) {
    if (err instanceof ConfigError) return createFailedTrigger(err, logger);
    return createFailedTrigger(new ConfigError(`unexpected error while loading the configuration: ${err instanceof Error ? err.name : 'unknown'}`), logger);
  }
}
