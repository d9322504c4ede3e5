/**
 * The authorizer's route table (`routes.json`): what the synth-time planner
 * (lib/private/route-plan/) writes and the tenant-aware authorizer
 * (lambda/authorizer/route-table.ts, policy.ts) reads. Import-free: the
 * authorizer bundles this file, never the planner.
 */

/** How a route's scopes combine: the values of the public `ScopeMatch` enum. */
export type ScopeMatchName = 'ANY_OF' | 'ALL_OF';

/** Every `ScopeMatchName`, for checks at run time. */
export const SCOPE_MATCH_NAMES: readonly ScopeMatchName[] = ['ANY_OF', 'ALL_OF'];

/** A scoped method: the input of planning. */
export interface RouteSpec {
  /** An HTTP verb or `ANY`. */
  readonly method: string;
  /** The resource path, e.g. `/orders/{orderId}`. */
  readonly path: string;
  /** Indexes into the table's scopes. */
  readonly scopes: readonly number[];
  readonly match: ScopeMatchName;
}

/** The routes of an API and the scopes they name. */
export interface RouteTableSpec {
  readonly scopes: readonly string[];
  readonly routes: readonly RouteSpec[];
}

/** A route of the shipped table. */
export interface PlannedRoute extends RouteSpec {
  /** Resource pattern after `arn:...:{apiId}/`: `*` + `/VERB|*` + path with variables as `*`. */
  readonly pattern: string;
}

/** `routes.json` as the authorizer loads it (version 2). */
export interface PlannedRouteTable {
  readonly version: 2;
  readonly scopes: readonly string[];
  readonly routes: readonly PlannedRoute[];
  /**
   * `[a, u, flags]`: when a token reaches route `a` and not route `u`, its
   * policy denies `routes[u].pattern` (flags & ALIGNED) and
   * `*\/` + `routes[a].pattern` (flags & SHIFTED). Sorted by `u`, then `a`.
   */
  readonly overlaps: readonly (readonly [number, number, number])[];
}

/** Flags of an overlap `[a, u, flags]`. */
/** Deny the unreached route's own pattern. */
export const ALIGNED = 1;
/** Deny `*\/` + the reached route's pattern. */
export const SHIFTED = 2;
