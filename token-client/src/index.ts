export { credentialsFromSecretString } from './credentials';
export type { ClientCredentials, CredentialsLoader, CredentialsLoadRequest } from './credentials';
export { TOKEN_PER_CALL_QUERY, emfMetrics } from './emf';
export type { EmfMetrics, EmfMetricsOptions } from './emf';
export { TokenClientError } from './errors';
export type { TokenClientErrorCode } from './errors';
export { cacheKeyOf } from './events';
export type {
  TokenCacheHitEvent, TokenClientEvent, TokenClientStats, TokenCounts, TokenEventBase, TokenFailure, TokenFetchedEvent,
  TokenFetchFailedEvent, TokenInvalidatedEvent, TokenKeyStats, TokenLifetime, TokenRefreshedEvent, TokenRefreshFailedEvent, TokenRetryEvent,
} from './events';
export type { TokenMethod } from './methods';
export { parseRetryAfter, backoffDelay } from './retry';
export { TokenClient } from './token-client';
export type { TokenClientOptions, TokenRequestOptions } from './token-client';
