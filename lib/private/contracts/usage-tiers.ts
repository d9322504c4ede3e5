/**
 * Per-tenant usage tiers: the contract between the constructs
 * (lib/usage-tier.ts, lib/scoped-rest-api/usage-tiers.ts, lib/developer-portal.ts) and
 * the handlers (lambda/authorizer/config.ts and authorizer.ts, lambda/portal).
 * Only Node's crypto and other contracts: the handlers bundle this module.
 *
 * A tiered API uses `apiKeySource: AUTHORIZER`: API Gateway takes the API key
 * from the authorizer's `usageIdentifierKey`, never from the caller's
 * `x-api-key` header. Each tenant has one API key per tiered API, whose value
 * is `usageKeyValue(prefix, tenantId)` (API key values are alphanumeric, 20 to
 * 128 characters, and unique in an account and Region) and whose name is
 * `usageKeyName(prefix, tenantId)`, associated with the usage plan of its
 * tier; the usage plan's throttle and quota apply to each key separately, so a
 * tenant over its rate gets 429 and other tenants are unaffected. The value is
 * not a secret: callers cannot present it, and the authorizer returns it only
 * for a verified token of that tenant.
 *
 * - `USAGE_KEY_PREFIX` (authorizer.ts AUTHORIZER_ENV.usageKeyPrefix): set when the API has tiers; the
 *   authorizer returns `usageKeyValue(prefix, tenantId)` as
 *   `usageIdentifierKey` for every allowed request.
 * - `USAGE_TIERS` (portal.ts PORTAL_ENV.usageTiers): a JSON array of `UsageTiersConfig`, one per tiered
 *   API the portal manages.
 */

import { createHash } from 'crypto';
import { PORTAL_ENV } from './portal';


/** Tier names: they appear in usage plan names and in portal requests. */
export const TIER_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/** API names in USAGE_TIERS: how portal requests name a tiered API. */
export const TIERED_API_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/** A usage key prefix, one per API: `m2musage` and 10 hex digits (18 characters). */
export const USAGE_KEY_PREFIX = /^m2musage[0-9a-f]{10}$/;

/**
 * The API key value of a tenant on one API: the prefix and the first 40 hex
 * digits of the SHA-256 of the tenant id, 58 alphanumeric characters (tenant
 * ids may hold `_`, `.` and `-`, which key values may not).
 */
export function usageKeyValue(prefix: string, tenantId: string): string {
  return `${prefix}${createHash('sha256').update(tenantId, 'utf8').digest('hex').slice(0, 40)}`;
}

/** The API key name of a tenant on one API, readable in the console: `<prefix>.<tenantId>`. */
export function usageKeyName(prefix: string, tenantId: string): string {
  return `${prefix}.${tenantId}`;
}

/** One tiered API, as the portal sees it. */
export interface UsageTiersConfig {
  /** The name portal requests use for the API (`TIERED_API_NAME`). */
  readonly api: string;
  /** The API's usage key prefix (`USAGE_KEY_PREFIX`). */
  readonly keyPrefix: string;
  /** The tier a tenant gets when none is assigned. */
  readonly defaultTier: string;
  /** Tier name to usage plan id. */
  readonly tiers: Readonly<Record<string, string>>;
}

/**
 * The first problem of a `USAGE_TIERS` value (already JSON-parsed), as
 * `<field>: <value> is invalid: <rule>`; undefined when it is a valid
 * array of `UsageTiersConfig` with distinct API names and key prefixes.
 */
export function usageTiersProblem(value: unknown): string | undefined {
  const show = (v: unknown): string => (v === undefined ? 'undefined' : JSON.stringify(v));
  const bad = (field: string, v: unknown, rule: string) => `${field}: ${show(v)} is invalid: ${rule}`;
  if (!Array.isArray(value)) return bad(PORTAL_ENV.usageTiers, value, 'a JSON array of tiered APIs');
  const apis = new Set<string>();
  const prefixes = new Set<string>();
  for (let i = 0; i < value.length; i++) {
    const at = `${PORTAL_ENV.usageTiers}[${i}]`;
    const entry = value[i] as Record<string, unknown> | null;
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) return bad(at, entry, 'an object with api, keyPrefix, defaultTier and tiers');
    const { api, keyPrefix, defaultTier, tiers } = entry;
    if (typeof api !== 'string' || !TIERED_API_NAME.test(api)) return bad(`${at}.api`, api, '1-64 characters [A-Za-z0-9_-]');
    if (apis.has(api)) return bad(`${at}.api`, api, 'another tiered API has this name');
    if (typeof keyPrefix !== 'string' || !USAGE_KEY_PREFIX.test(keyPrefix)) return bad(`${at}.keyPrefix`, keyPrefix, 'm2musage and 10 lowercase hex digits (usageKeyValue and usageKeyName derive a tenant\'s API key from it)');
    if (prefixes.has(keyPrefix)) return bad(`${at}.keyPrefix`, keyPrefix, 'another tiered API has this key prefix');
    if (tiers === null || typeof tiers !== 'object' || Array.isArray(tiers) || Object.keys(tiers).length === 0) {
      return bad(`${at}.tiers`, tiers, 'an object of tier name to usage plan id, with at least one tier');
    }
    const plans = new Set<string>();
    for (const [tier, planId] of Object.entries(tiers)) {
      if (!TIER_NAME.test(tier)) return bad(`${at}.tiers`, tier, 'tier names are 1-64 characters [A-Za-z0-9_-]');
      if (typeof planId !== 'string' || planId.length === 0) return bad(`${at}.tiers.${tier}`, planId, 'a usage plan id (a non-empty string)');
      if (plans.has(planId)) return bad(`${at}.tiers.${tier}`, planId, 'another tier of this API has this usage plan');
      plans.add(planId);
    }
    if (typeof defaultTier !== 'string' || !Object.prototype.hasOwnProperty.call(tiers, defaultTier)) {
      return bad(`${at}.defaultTier`, defaultTier, `one of the API's tiers (${Object.keys(tiers).join(', ')})`);
    }
    apis.add(api);
    prefixes.add(keyPrefix);
  }
  return undefined;
}
