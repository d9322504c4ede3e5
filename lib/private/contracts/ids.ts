/**
 * The id and name rules the constructs, the handlers and the web UI check alike:
 * synth-time validation (lib/private/validation.ts `StringRule` is this
 * shape), the handlers' environment readers (lambda/shared/config.ts) and
 * request checks (lambda/portal/validation.ts), and the web UI's forms. Each
 * reader accepts exactly what its writer produces. No imports: the handlers
 * and the web UI bundle this module.
 */

/** A rule a string must satisfy: `pattern` is checked against the whole value, with the length bounds. */
export interface IdRule {
  readonly pattern: RegExp;
  readonly minLength: number;
  readonly maxLength: number;
  /** The rule in words, for error messages. */
  readonly describe: string;
}

/** Whether `value` is a string that satisfies `rule`. */
export function matchesRule(rule: IdRule, value: unknown): value is string {
  return typeof value === 'string' && value.length >= rule.minLength && value.length <= rule.maxLength && rule.pattern.test(value);
}

/**
 * A tenant id: the `tenantId` of a TenantAppClient (also its default app
 * client name and part of construct ids), a tenant of the portal and the
 * registry, the value of the tenant claim, and the suffix of a tenant admins'
 * group in the portal's sign-in pool.
 */
export const TENANT_ID: IdRule = {
  pattern: /^[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,62}[A-Za-z0-9])?$/,
  minLength: 1,
  maxLength: 64,
  describe: 'letters, digits, "_", "." and "-", 1-64 characters, starting and ending with a letter or digit',
};

/** An app client id, as Cognito generates them (UserPoolClientType `ClientId`: `[\w+]+`, at most 128). */
export const CLIENT_ID: IdRule = {
  pattern: /^[\w+]+$/,
  minLength: 1,
  maxLength: 128,
  describe: 'an app client id ([\\w+], 1-128 characters)',
};

/**
 * A user pool id: the pool's Region, `_`, then letters and digits
 * (`us-east-1_AbCdEf123`, `us-gov-west-1_…`, `eusc-de-east-1_…`); at most 55
 * characters (UserPoolType `Id`).
 */
export const USER_POOL_ID: IdRule = {
  pattern: /^[a-z]{2,4}(?:-[a-z]+)+-\d{1,2}_[0-9A-Za-z]+$/,
  minLength: 1,
  maxLength: 55,
  describe: 'a user pool id like us-east-1_AbCdEf123 (at most 55 characters)',
};

/** A DynamoDB table name (the registry's: what `TenantRegistry.tableName` resolves to). */
export const TABLE_NAME: IdRule = {
  pattern: /^[A-Za-z0-9_.-]+$/,
  minLength: 3,
  maxLength: 255,
  describe: 'a DynamoDB table name ([A-Za-z0-9_.-], 3-255 characters)',
};

/** A username in the portal's sign-in pool: what the portal invites and PortalUserPool's platform admins. */
export const USERNAME: IdRule = {
  pattern: /^[A-Za-z0-9_.@+-]+$/,
  minLength: 1,
  maxLength: 128,
  describe: '1-128 characters [A-Za-z0-9_.@+-]',
};

/** A Cognito group name (CreateGroup `GroupName`), and so the sign-in pool's admin group and tenant-group prefix. */
export const GROUP_NAME: IdRule = {
  pattern: /^[\p{L}\p{M}\p{S}\p{N}\p{P}]+$/u,
  minLength: 1,
  maxLength: 128,
  describe: '1-128 printable characters without spaces',
};

/** A user pool's token endpoint (`M2mUserPool.tokenEndpoint`): the only URL a secret is sent to. */
export const TOKEN_ENDPOINT: IdRule = {
  pattern: /^https:\/\/[^/?#\s]+\/oauth2\/token$/,
  minLength: 1,
  maxLength: 2048,
  describe: 'https://<domain>/oauth2/token',
};
