/**
 * Flags of a route-table overlap `[a, u, flags]` (see route-plan.ts), shared
 * by the synth-time planner and the authorizer function (which imports this
 * file alone, so the planner stays out of its bundle).
 */

/** Deny the unreached route's own pattern. */
export const ALIGNED = 1;
/** Deny `*\/` + the reached route's pattern. */
export const SHIFTED = 2;
