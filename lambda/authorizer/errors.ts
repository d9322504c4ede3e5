/**
 * Errors of the authorizer. Every failure is an `AuthorizerError` with a fixed
 * reason class; configuration errors are kept apart from token errors and the
 * handler branches with `instanceof`. API Gateway only ever sees `Unauthorized`
 * (or a Deny policy): the reason goes to the structured log.
 */

export type DenyReason =
  | 'missing_header' | 'bad_scheme' | 'malformed' | 'too_large' | 'alg_not_allowed' | 'unknown_kid'
  | 'bad_signature' | 'expired' | 'not_yet_valid' | 'wrong_issuer' | 'wrong_token_use' | 'untrusted_client'
  | 'no_scope' | 'suspended' | 'jwks_unavailable' | 'registry_unavailable' | 'config_error';

/** Base of every authorizer error. */
export abstract class AuthorizerError extends Error {
  public abstract readonly reason: DenyReason;
  /** Verified client id, when the failure happened after the signature was checked. */
  public clientId?: string;

  constructor(message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = new.target.name;
  }
}

/** The deployment is misconfigured (env vars, routes.json): every request is denied. */
export class ConfigError extends AuthorizerError {
  public readonly reason = 'config_error' as const;
}

/**
 * The presented credential is not acceptable. No message: only the reason
 * class is ever logged (a message could end up quoting claim values).
 */
export abstract class TokenError extends AuthorizerError {
  constructor(cause?: unknown) {
    super('', cause);
  }
}

/** The key set could not be obtained or is unusable (infrastructure, not the caller's fault). */
export class JwksUnavailableError extends TokenError { public readonly reason = 'jwks_unavailable' as const; }
/** The tenant registry could not be read (infrastructure): a client it would have to vouch for is denied (fail closed). */
export class RegistryUnavailableError extends TokenError { public readonly reason = 'registry_unavailable' as const; }

export class MissingHeaderError extends TokenError { public readonly reason = 'missing_header' as const; }
export class BadSchemeError extends TokenError { public readonly reason = 'bad_scheme' as const; }
export class MalformedTokenError extends TokenError { public readonly reason = 'malformed' as const; }
export class TokenTooLargeError extends TokenError { public readonly reason = 'too_large' as const; }
export class AlgNotAllowedError extends TokenError { public readonly reason = 'alg_not_allowed' as const; }
export class UnknownKidError extends TokenError { public readonly reason = 'unknown_kid' as const; }
export class BadSignatureError extends TokenError { public readonly reason = 'bad_signature' as const; }
export class ExpiredError extends TokenError { public readonly reason = 'expired' as const; }
export class NotYetValidError extends TokenError { public readonly reason = 'not_yet_valid' as const; }
export class WrongIssuerError extends TokenError { public readonly reason = 'wrong_issuer' as const; }
export class WrongTokenUseError extends TokenError { public readonly reason = 'wrong_token_use' as const; }
export class UntrustedClientError extends TokenError { public readonly reason = 'untrusted_client' as const; }
/** The registry knows the client, but the client or its tenant is not active (suspended, deleting, deleted). */
export class SuspendedError extends TokenError { public readonly reason = 'suspended' as const; }
export class NoScopeError extends TokenError { public readonly reason = 'no_scope' as const; }
