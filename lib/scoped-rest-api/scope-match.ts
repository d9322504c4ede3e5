/**
 * How a method's scopes combine.
 */
export enum ScopeMatch {
  /** The token must hold at least one of the method's scopes. */
  ANY_OF = 'ANY_OF',
  /** The token must hold every one of the method's scopes (needs an authorizer that supports it). */
  ALL_OF = 'ALL_OF',
}
