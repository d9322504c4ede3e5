export { ClientCredentials, CredentialsLoader, credentialsFromSecretString } from './credentials';
export { TokenClientError, TokenClientErrorCode } from './errors';
export { TokenMethod } from './methods';
export { parseRetryAfter, backoffDelay } from './retry';
export { TokenClient, TokenClientOptions, TokenRequestOptions } from './token-client';
