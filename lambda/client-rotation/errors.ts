/**
 * Errors of the client-secret rotation handler. Each carries a fixed reason
 * code for the logs; messages are written by our own code and name ids and
 * dates only, never a secret value. A thrown error fails the rotation step:
 * Secrets Manager keeps AWSCURRENT where it is and retries later. A wrong
 * environment is the handlers' shared `ConfigError` (lambda/shared/config.ts).
 */
import { SECRET_NOT_BOUND_REASON } from '../../lib/private/contracts/client-rotation';

export abstract class RotationError extends Error {
  public abstract readonly reason: string;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** The event is neither a rotation step nor the sweep, or names a secret not set up for this rotation. */
export class BadEventError extends RotationError {
  public readonly reason = 'bad_event';
}

/**
 * The secret is not one a `TenantAppClient` of this function's stacks
 * declared, or its value names another app client than the one declared:
 * nothing is asked of Cognito.
 */
export class SecretNotBoundError extends RotationError {
  public readonly reason = SECRET_NOT_BOUND_REASON;
}

/** A new secret does not fit: the former secret is still in its grace period. */
export class GracePeriodRunningError extends RotationError {
  public readonly reason = 'grace_period_running';
}

/** Which Cognito client secret the current value holds cannot be told safely; nothing is deleted. */
export class UnknownCurrentSecretError extends RotationError {
  public readonly reason = 'current_secret_unknown';
}

/** The secret's value is not the credentials JSON this library writes. */
export class SecretShapeError extends RotationError {
  public readonly reason = 'secret_shape';
}

/** The pending version is missing, incomplete, or its Cognito client secret is gone. */
export class PendingSecretError extends RotationError {
  public readonly reason = 'pending_invalid';
}

/** No token could be obtained with the pending credentials. */
export class TokenTestError extends RotationError {
  public readonly reason = 'token_test_failed';
}

/** The sweep could not delete every expired client secret (the next sweep retries). */
export class SweepFailedError extends RotationError {
  public readonly reason = 'sweep_failed';
}
