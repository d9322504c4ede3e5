export { credentialsFromSecretString } from './credentials';
export type { ClientCredentials, CredentialsLoader, CredentialsLoadRequest } from './credentials';
export { TokenClientError } from './errors';
export type { TokenClientErrorCode } from './errors';
export type { TokenMethod } from './methods';
export { parseRetryAfter, backoffDelay } from './retry';
export { TokenClient } from './token-client';
export type { TokenClientOptions, TokenRequestOptions } from './token-client';
