/**
 * People of the developer portal: access tokens of its sign-in user pool
 * (authorization code + PKCE through the portal's public web client), next to
 * the M2M clients' tokens. Only the portal's authorizer build
 * (lambda/authorizer-portal) passes this support; the other builds do not
 * carry it.
 *
 * A person's role and tenant come from Cognito groups, which only an
 * administrator (IAM: AdminAddUserToGroup) can change and which Cognito
 * puts into every access token as `cognito:groups`:
 * - the admin group (e.g. `platform-admins`): a platform admin, given the
 *   portal's admin scope;
 * - exactly one group `<prefix><tenant id>` (e.g. `tenant-globex`): an admin
 *   of that tenant, given the tenant-admin scope;
 * - anything else (no group, two tenants, a tenant group with a malformed
 *   id): not trusted. Nothing the person can edit (attributes, client
 *   metadata, requested scopes) is read.
 */
import { CognitoJwtVerifier } from 'aws-jwt-verify';
import type { Grant, M2mVerifierConfig, Verifier } from './authorizer';
import { AuthorizerError } from './errors';
import type { JwksCache } from './jwks';
import type { PolicyBuilder } from './policy';
import { PEOPLE_ENV } from '../../lib/private/contracts/env';
import { CLIENT_ID, GROUP_NAME, matchesRule, TENANT_ID, USER_POOL_ID } from '../../lib/private/contracts/ids';
import { ConfigError, Env, requiredId } from '../shared/config';

export interface PeopleConfig {
  /** The sign-in pool, e.g. `us-east-1_People1`. */
  readonly userPoolId: string;
  /** The portal's public web client: the only client whose people's tokens are accepted. */
  readonly clientId: string;
  readonly adminGroup: string;
  readonly tenantGroupPrefix: string;
  /** The scope a platform admin acts with (the portal's admin scope). */
  readonly adminScope: string;
  /** The scope a tenant admin acts with (the portal's tenant-admin scope). */
  readonly tenantAdminScope: string;
}

/** Who a verified person is, for the policy and the portal's audit trail. */
export interface Person {
  readonly username: string;
  /** Empty for a platform admin. */
  readonly tenantId: string;
  /** The portal scope the person acts with. */
  readonly scope: string;
}

/** What the portal build hands to `createAuthorizerFromEnv`. */
export interface PeopleSupport {
  fromEnv(env: Env): PeopleConfig;
  grant(payload: Record<string, unknown>, config: PeopleConfig, policies: PolicyBuilder): Grant;
  issuerOf(userPoolId: string): string;
  verifier(m2m: readonly M2mVerifierConfig[], config: PeopleConfig, jwksCache: JwksCache): Verifier;
}

/** A full scope string (resource server identifier and scope name). */
const SCOPE = { pattern: /^\S+$/, minLength: 1, maxLength: 512, describe: 'a scope (1-512 characters without spaces)' };

/** Reads the variables of PEOPLE_ENV (lib/private/contracts/env.ts). */
export function peopleConfigFromEnv(env: Env): PeopleConfig {
  const config: PeopleConfig = {
    userPoolId: requiredId(env, PEOPLE_ENV.poolId, USER_POOL_ID),
    clientId: requiredId(env, PEOPLE_ENV.clientId, CLIENT_ID),
    adminGroup: requiredId(env, PEOPLE_ENV.adminGroup, GROUP_NAME),
    tenantGroupPrefix: requiredId(env, PEOPLE_ENV.tenantGroupPrefix, GROUP_NAME),
    adminScope: requiredId(env, PEOPLE_ENV.adminScope, SCOPE),
    tenantAdminScope: requiredId(env, PEOPLE_ENV.tenantAdminScope, SCOPE),
  };
  if (config.adminGroup.startsWith(config.tenantGroupPrefix)) {
    throw new ConfigError(`${PEOPLE_ENV.adminGroup} must not start with ${PEOPLE_ENV.tenantGroupPrefix} (a tenant group could then read as the admin group)`);
  }
  return config;
}

/**
 * The person a verified access token of the sign-in pool stands for, or
 * undefined when the token gives no role (fail closed).
 */
export function personOf(payload: Record<string, unknown>, config: PeopleConfig): Person | undefined {
  const username = payload.username;
  if (typeof username !== 'string' || username.length === 0 || username.length > 128) return undefined;
  const groups = payload['cognito:groups'];
  if (!Array.isArray(groups)) return undefined;
  if (groups.includes(config.adminGroup)) return { username, tenantId: '', scope: config.adminScope };
  const tenants = groups.filter((g): g is string => typeof g === 'string' && g.startsWith(config.tenantGroupPrefix))
    .map((g) => g.slice(config.tenantGroupPrefix.length));
  if (tenants.length !== 1 || !matchesRule(TENANT_ID, tenants[0])) return undefined;
  return { username, tenantId: tenants[0], scope: config.tenantAdminScope };
}

/**
 * The grant of a verified person's token (the verifier already checked the
 * pool, the web client and token_use): the portal scope of the person's role
 * and their tenant, and `user:<username>` as the principal.
 */
export function personGrant(payload: Record<string, unknown>, config: PeopleConfig, policies: PolicyBuilder): Grant {
  if (typeof payload.exp !== 'number') throw new AuthorizerError('malformed');
  const person = personOf(payload, config);
  if (!person) throw new AuthorizerError('no_role', undefined, config.clientId);
  const scopeIdx = policies.scopeIndexes(person.scope);
  return {
    clientId: config.clientId,
    tenantId: person.tenantId,
    scopeIdx,
    reachesAny: policies.plan(scopeIdx).reached.length > 0,
    context: { tenantId: person.tenantId, clientId: config.clientId, scopes: person.scope, username: person.username },
    principalId: `user:${person.username}`,
  };
}

/** `https://cognito-idp.<region>.amazonaws.com/<pool id>` */
export function issuerOf(userPoolId: string): string {
  return `https://cognito-idp.${userPoolId.split('_')[0]}.amazonaws.com/${userPoolId}`;
}

/** One verifier for both pools; people's tokens are accepted from the portal's own web client only. */
export function peopleVerifier(m2m: readonly M2mVerifierConfig[], config: PeopleConfig, jwksCache: JwksCache): Verifier {
  const both = CognitoJwtVerifier.create(
    [...m2m, { userPoolId: config.userPoolId, tokenUse: 'access', clientId: config.clientId, includeRawJwtInErrors: true }],
    { jwksCache },
  );
  return {
    verify: (t) => both.verify(t),
    verifySync: (t) => both.verifySync(t),
    cacheJwks: (jwks, userPoolId) => both.cacheJwks(jwks, userPoolId ?? m2m[0].userPoolId),
  };
}

/** The support the portal build passes. */
export const PEOPLE: PeopleSupport = { fromEnv: peopleConfigFromEnv, grant: personGrant, issuerOf, verifier: peopleVerifier };
