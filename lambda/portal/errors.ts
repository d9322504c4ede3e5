/**
 * Errors of the developer-portal handler. Each maps to one HTTP status and
 * one `error` code (lib/private/contracts/portal-api.ts); the message is
 * written by our own code and may quote the offending request value (never a
 * secret: requests carry none). A misconfigured environment is the handlers'
 * shared `ConfigError` (lambda/shared/config.ts), answered as an internal error.
 */
import type { PortalErrorCode } from '../../lib/private/contracts/portal-api';

export abstract class PortalError extends Error {
  public abstract readonly status: number;
  public abstract readonly code: PortalErrorCode;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Renders a request value for an error message: JSON, shortened. */
export function showValue(value: unknown): string {
  if (value === undefined) return 'undefined';
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

/** 400: `<field>: <value> is invalid: <rule>`. */
export class BadRequestError extends PortalError {
  public readonly status = 400;
  public readonly code = 'bad_request';
  constructor(public readonly field: string, value: unknown, rule: string, rendered?: string) {
    super(`${field}: ${rendered ?? showValue(value)} is invalid: ${rule}`);
  }
}

export class ForbiddenError extends PortalError {
  public readonly status = 403;
  public readonly code = 'forbidden';
}

export class NotFoundError extends PortalError {
  public readonly status = 404;
  public readonly code = 'not_found';
}

export class ConflictError extends PortalError {
  public readonly status = 409;
  public readonly code = 'conflict';
}

/** Cognito (or API Gateway) kept throttling after every retry. */
export class ThrottledError extends PortalError {
  public readonly status = 429;
  public readonly code: PortalErrorCode = 'throttled';
  constructor(
    public readonly retryAfterSeconds: number,
    message = 'the identity provider is throttling changes to app clients; retry later',
  ) {
    super(message);
  }
}

/**
 * The caller made as many changes in the current minute as the portal allows
 * one caller (`CALLER_REQUESTS_PER_MINUTE`): 429 with Retry-After, so one
 * admin cannot use up the pool's shared Cognito quotas for everybody.
 */
export class CallerRateLimitError extends ThrottledError {
  public readonly code: PortalErrorCode = 'rate_limited';
}

/** The tenant holds as many clients as the portal allows one tenant (`MAX_CLIENTS_PER_TENANT`). */
export class ClientLimitError extends PortalError {
  public readonly status = 409;
  public readonly code = 'client_limit_reached';
}

/**
 * Cognito refused a new app client with LimitExceededException: the user
 * pool holds its quota of app clients. Retrying does not help until an
 * operator raises the quota or clients are deleted.
 */
export class PoolQuotaError extends PortalError {
  public readonly status = 409;
  public readonly code = 'pool_client_quota_reached';
}

/**
 * API Gateway refused a new API key: the account's API key quota (10,000 per
 * account and Region by default) is reached. Retrying does not help until an
 * operator raises the quota or deletes unused keys.
 */
export class ApiKeyQuotaError extends PortalError {
  public readonly status = 409;
  public readonly code = 'api_key_quota_reached';
}

/** Name of an AWS SDK error (or any error), for branching and logging. */
export function errorName(err: unknown): string {
  if (err && typeof err === 'object' && 'name' in err && typeof (err as { name: unknown }).name === 'string') {
    return (err as { name: string }).name;
  }
  return 'Error';
}

export function isConditionFailed(err: unknown): boolean {
  return errorName(err) === 'ConditionalCheckFailedException';
}

export function isNotFound(err: unknown): boolean {
  return errorName(err) === 'ResourceNotFoundException';
}

/** API Gateway's "no such resource" (its name differs from Cognito's and DynamoDB's). */
export function isApiGatewayNotFound(err: unknown): boolean {
  return errorName(err) === 'NotFoundException';
}
