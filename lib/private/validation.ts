import { Duration, Stack, Token } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import { IConstruct } from 'constructs';
import type { IdRule } from './contracts/ids';

/**
 * A rule that a string prop must satisfy. `pattern` is checked against the
 * whole value; `describe` says in words what the pattern means. The same shape
 * as the id rules the handlers check too (lib/private/contracts/ids.ts).
 */
export type StringRule = IdRule;

/** Tenant id: also the app client's default name and part of construct ids (the handlers check the same rule). */
export { TENANT_ID } from './contracts/ids';

/** Amazon Cognito hosted domain prefix. */
export const DOMAIN_PREFIX: StringRule = {
  pattern: /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/,
  minLength: 1,
  maxLength: 63,
  describe: 'lowercase letters, digits and hyphens, 1-63 characters, starting and ending with a letter or digit',
};

/** Words Amazon Cognito refuses inside a domain prefix. */
export const DOMAIN_PREFIX_RESERVED = ['aws', 'amazon', 'cognito'];

/** Resource-server identifier (CreateResourceServer `Identifier`). */
export const RESOURCE_SERVER_IDENTIFIER: StringRule = {
  pattern: /^[\x21\x23-\x5B\x5D-\x7E]+$/,
  minLength: 1,
  maxLength: 256,
  describe: 'printable ASCII without spaces, double quotes or backslashes, 1-256 characters',
};

/** Resource-server display name (CreateResourceServer `Name`). */
export const RESOURCE_SERVER_NAME: StringRule = {
  pattern: /^[\w\s+=,.@-]+$/,
  minLength: 1,
  maxLength: 256,
  describe: 'letters, digits, spaces and + = , . @ - _, 1-256 characters',
};

/** Custom scope name (ResourceServerScopeType `ScopeName`). */
export const SCOPE_NAME: StringRule = {
  pattern: /^[\x21\x23-\x2E\x30-\x5B\x5D-\x7E]+$/,
  minLength: 1,
  maxLength: 256,
  describe: 'printable ASCII without spaces, double quotes, slashes or backslashes, 1-256 characters',
};

/** Scope description (ResourceServerScopeType `ScopeDescription`). */
export const SCOPE_DESCRIPTION: StringRule = {
  pattern: /^[\s\S]+$/,
  minLength: 1,
  maxLength: 256,
  describe: '1-256 characters',
};

/** App client name (CreateUserPoolClient `ClientName`). */
export const CLIENT_NAME: StringRule = {
  pattern: /^[\w\s+=,.@-]+$/,
  minLength: 1,
  maxLength: 128,
  describe: 'letters, digits, spaces and + = , . @ - _, 1-128 characters',
};

/** User pool name (CreateUserPool `PoolName`). */
export const USER_POOL_NAME: StringRule = {
  pattern: /^[\w\s+=,.@-]+$/,
  minLength: 1,
  maxLength: 128,
  describe: 'letters, digits, spaces and + = , . @ - _, 1-128 characters',
};

/** The only Region whose ACM certificates CloudFront (and so a Cognito custom domain) can use. */
export const CLOUDFRONT_CERTIFICATE_REGION = 'us-east-1';

/**
 * The Region of an ACM certificate when synth can know it: from its ARN when
 * that is resolved, or from the stack of a certificate created in this app
 * (`acm.Certificate` is always issued in its stack's Region). Undefined when
 * neither is known (an unresolved ARN in an environment-agnostic stack).
 */
export function certificateRegion(certificate: acm.ICertificate): string | undefined {
  const arn = certificate.certificateArn;
  if (!Token.isUnresolved(arn)) {
    return /^arn:[^:]+:acm:([^:]*):/.exec(arn)?.[1];
  }
  if (certificate instanceof acm.Certificate) {
    const region = Stack.of(certificate).region;
    return Token.isUnresolved(region) ? undefined : region;
  }
  return undefined;
}

/** The shortest reason an acknowledgement accepts, trimmed: a reviewer must learn why the rule does not apply. */
export const MIN_ACKNOWLEDGEMENT_REASON = 20;

/** Cognito quotas and limits that validation enforces. */
export const LIMITS = {
  /** Default quota of resource servers per user pool (adjustable). */
  resourceServersDefault: 25,
  /** Highest value the resource-server quota can be raised to. */
  resourceServersMax: 300,
  /** Default quota of app clients per user pool (adjustable). */
  appClientsDefault: 1000,
  /** Highest value the app-client quota can be raised to. */
  appClientsMax: 10_000,
  /** Custom scopes per resource server. */
  scopesPerResourceServer: 100,
  /** Scopes per app client. */
  scopesPerClient: 50,
  accessTokenMin: Duration.minutes(5),
  accessTokenMax: Duration.days(1),
};

/**
 * Builds the error thrown for a bad prop: it names the construct, the prop,
 * the value received and the rule it breaks.
 */
export function propError(scope: IConstruct | undefined, prop: string, value: unknown, rule: string): Error {
  const where = scope ? `[${scope.node.path}] ` : '';
  return new Error(`${where}${prop}: ${show(value)} is invalid: ${rule}`);
}

/**
 * Stands for a construct about to be created (`id` under `parent`), so that
 * props checked before `super()` give errors with the right path.
 */
export function pendingConstruct(parent: IConstruct, id: string): IConstruct {
  const path = parent.node.path ? `${parent.node.path}/${id}` : id;
  return { node: { path } } as IConstruct;
}

/** Renders a received value for an error message (strings quoted, long values cut). */
export function show(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') {
    const cut = value.length > 80 ? `${value.slice(0, 77)}...` : value;
    return JSON.stringify(cut);
  }
  if (value instanceof Duration) return value.toHumanString();
  if (Array.isArray(value)) return `[${value.map(show).join(', ')}]`;
  return String(value);
}

/**
 * Checks a string against a rule; unresolved tokens are skipped because
 * their value is only known at deploy time.
 */
export function checkString(scope: IConstruct | undefined, prop: string, value: string, rule: StringRule): void {
  if (Token.isUnresolved(value)) return;
  if (value.length < rule.minLength || value.length > rule.maxLength || !rule.pattern.test(value)) {
    throw propError(scope, prop, value, `must be ${rule.describe} (pattern ${rule.pattern.source}, got ${value.length} characters)`);
  }
}

/** Checks a Cognito domain prefix, including the words Cognito reserves. */
export function checkDomainPrefix(scope: IConstruct, prop: string, value: string): void {
  if (Token.isUnresolved(value)) return;
  checkString(scope, prop, value, DOMAIN_PREFIX);
  const reserved = DOMAIN_PREFIX_RESERVED.find((w) => value.includes(w));
  if (reserved) {
    throw propError(scope, prop, value, `must not contain the reserved word "${reserved}" (Amazon Cognito rejects prefixes containing ${DOMAIN_PREFIX_RESERVED.map((w) => `"${w}"`).join(', ')})`);
  }
}

/** Checks that a duration lies within [min, max]; unresolved durations are skipped. */
export function checkDuration(scope: IConstruct, prop: string, value: Duration, min: Duration, max: Duration): void {
  if (value.isUnresolved()) return;
  const ms = value.toMilliseconds();
  if (ms < min.toMilliseconds() || ms > max.toMilliseconds()) {
    throw propError(scope, prop, value, `must be between ${min.toHumanString()} and ${max.toHumanString()} inclusive`);
  }
}

/** Returns the values that occur more than once (resolved strings only). */
export function duplicates(values: readonly string[]): string[] {
  const seen = new Set<string>();
  const dup = new Set<string>();
  for (const v of values) {
    if (Token.isUnresolved(v)) continue;
    if (seen.has(v)) dup.add(v);
    seen.add(v);
  }
  return [...dup];
}
