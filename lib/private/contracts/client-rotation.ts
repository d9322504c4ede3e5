/**
 * The contract between the rotation construct (lib/private/client-rotation.ts,
 * lib/tenant-app-client.ts) and the rotation handler (lambda/client-rotation/),
 * and the secret's JSON, which the token client (token-client/, published on
 * its own without this module) reads too. Imports only other contracts: the
 * handler bundles this module.
 *
 * Which Cognito client secret a secret version holds is recorded on the
 * version itself, as a staging label `cognito:<ClientSecretId>` (Cognito
 * never returns a secret's value after creating it, so the ids are the only
 * way to tell the secrets of one app client apart). A label is unique within
 * a secret and moves with `PutSecretValue` and `UpdateSecretVersionStage`, so
 * the record and the value can never disagree.
 */
import type { IntegerSetting } from './env';

/** The rotation function's variables; TOKEN_ENDPOINT when the pool has a domain, the others always. */
export enum CLIENT_ROTATION_ENV {
  /** The user pool whose app clients the function rotates. */
  userPoolId = 'USER_POOL_ID',
  /** Seconds an old Cognito client secret keeps working after a rotation (GRACE_SECONDS). */
  graceSeconds = 'GRACE_SECONDS',
  /**
   * The names of the stacks whose secrets the function may rotate, as a JSON
   * array. A secret is rotated only when CloudFormation reports it as a
   * resource of one of these stacks (see `BINDING_*`).
   */
  trustedStacks = 'TRUSTED_STACKS',
  /** The pool's token endpoint, the only URL testSecret sends a secret to (absent: GetClientToken). */
  tokenEndpoint = 'TOKEN_ENDPOINT',
}

/**
 * Tags on a rotated secret naming the stack and logical id of the
 * `AWS::SecretsManager::Secret` resource. They are hints only: the function
 * asks CloudFormation for that resource and rotates the secret only when its
 * physical id is the secret's ARN, so a tag copied onto another secret is
 * refused.
 */
export const BINDING_STACK_TAG = 'cdk-cognito-m2m:stack-name';
export const BINDING_LOGICAL_ID_TAG = 'cdk-cognito-m2m:logical-id';
/**
 * The key, in the secret resource's CloudFormation `Metadata`, of the logical
 * id of the app client (in the same stack) the secret belongs to. Metadata
 * changes only with a stack update, so the binding is exactly what the
 * construct declared at deploy time.
 */
export const BINDING_CLIENT_METADATA = 'cdk-cognito-m2m:client-logical-id';
/** The log reason (and metric filter value) of a secret the function refuses to rotate. */
export const SECRET_NOT_BOUND_REASON = 'secret_not_bound';

/** Prefix of the staging label that names the Cognito client secret a version holds. */
export const COGNITO_LABEL_PREFIX = 'cognito:';

/** Cognito's maximum number of client secrets per app client (AddUserPoolClientSecret). */
export const MAX_SECRETS_PER_CLIENT = 2;

/** The input of the scheduled sweep that deletes old Cognito secrets once their grace period is over. */
export const SWEEP_EVENT = { action: 'sweep-expired-client-secrets' } as const;

/** Shortest grace period: one sweep interval, so a deletion never comes earlier than promised. */
export const MIN_GRACE_SECONDS = 3600;

/** How often the sweep runs, in minutes. */
export const SWEEP_INTERVAL_MINUTES = 60;

/** The staging label of a Cognito client secret id. */
export function cognitoLabel(clientSecretId: string): string {
  return `${COGNITO_LABEL_PREFIX}${clientSecretId}`;
}

/** The Cognito client secret id a staging label names, or undefined for another label. */
export function clientSecretIdOf(label: string): string | undefined {
  return label.startsWith(COGNITO_LABEL_PREFIX) && label.length > COGNITO_LABEL_PREFIX.length
    ? label.slice(COGNITO_LABEL_PREFIX.length)
    : undefined;
}

/** The app client a Cognito client secret id belongs to (ids are `<client-id>--<epoch-create-time>`). */
export function clientIdOfSecretId(clientSecretId: string): string | undefined {
  const at = clientSecretId.indexOf('--');
  return at > 0 ? clientSecretId.slice(0, at) : undefined;
}

/** GRACE_SECONDS as the function reads it: whole seconds, at least MIN_GRACE_SECONDS (the construct allows whole hours). */
export const GRACE_SECONDS: IntegerSetting = { env: CLIENT_ROTATION_ENV.graceSeconds, min: MIN_GRACE_SECONDS, max: Infinity, unit: 'seconds' };

/**
 * The JSON object a TenantAppClient secret holds: written by the construct,
 * rewritten by the rotation (which changes `clientSecret` only) and read by
 * the token client (token-client/src/credentials.ts `ClientCredentials`).
 */
export interface ClientCredentialsSecret {
  readonly tenantId: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** Space-separated scopes; empty for a rotated secret (its template value never changes): the token client then asks for every scope. */
  readonly scope: string;
  /** `https://<domain>/oauth2/token` (ids.ts TOKEN_ENDPOINT), when the pool has a domain. */
  readonly tokenEndpoint?: string;
  /** The pool (ids.ts USER_POOL_ID), when the client may use GetClientToken (`clientTokenAuth`). */
  readonly userPoolId?: string;
}

/** The secret's fields, in the order the construct writes them. */
export const CLIENT_CREDENTIALS_FIELDS = [
  'tenantId', 'clientId', 'clientSecret', 'tokenEndpoint', 'scope', 'userPoolId',
] as const satisfies readonly (keyof ClientCredentialsSecret)[];

/** A compile error names a field of ClientCredentialsSecret missing from CLIENT_CREDENTIALS_FIELDS. */
type Listed<T extends never> = T;
export type EveryCredentialsFieldListed = Listed<Exclude<keyof ClientCredentialsSecret, typeof CLIENT_CREDENTIALS_FIELDS[number]>>;
