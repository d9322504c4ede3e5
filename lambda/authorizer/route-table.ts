/**
 * The route table (`routes.json`): planned at synth time by the construct
 * (lib/private/route-plan.ts: patterns and overlaps already computed) and
 * shipped next to the bundle. Here it is only shape-checked at cold start;
 * a table that fails the check is a `ConfigError` (every request denied).
 */
import type { PlannedRoute, PlannedRouteTable } from '../../lib/private/contracts/route-table';
import { ConfigError } from '../shared/config';

export type RouteTable = PlannedRouteTable;
export type Route = PlannedRoute;

function isIndex(n: unknown, length: number): boolean {
  return Number.isInteger(n) && (n as number) >= 0 && (n as number) < length;
}

function isRoute(r: Partial<Route> | null, scopeCount: number): boolean {
  return typeof r === 'object' && r !== null && typeof r.pattern === 'string' && r.pattern.startsWith('*/')
    && (r.match === 'ANY_OF' || r.match === 'ALL_OF')
    && Array.isArray(r.scopes) && r.scopes.length > 0 && r.scopes.every((s) => isIndex(s, scopeCount));
}

/** A parsed `routes.json` (version 2), checked; throws `ConfigError` naming the first problem. */
export function routeTableOf(doc: unknown): RouteTable {
  const fail = (msg: string): never => { throw new ConfigError(`routes.json: ${msg}`); };
  const d = doc as Partial<RouteTable> | null;
  if (typeof d !== 'object' || d === null || d.version !== 2) return fail('must be an object with version 2, as the construct writes it');
  const { scopes, routes, overlaps } = d;
  if (!Array.isArray(scopes) || !scopes.every((s) => typeof s === 'string' && s.length > 0 && !/\s/.test(s))) fail('scopes must be an array of scope strings');
  if (!Array.isArray(routes)) return fail('routes must be an array');
  routes.forEach((r, i) => isRoute(r, scopes!.length) || fail(`routes[${i}] must have a pattern, scope indexes and a match`));
  const n = routes.length;
  const isOverlap = (o: unknown): boolean => Array.isArray(o) && o.length === 3 && isIndex(o[0], n) && isIndex(o[1], n) && isIndex(o[2] - 1, 3);
  const ok = Array.isArray(overlaps) && overlaps.every(isOverlap);
  if (!ok) fail('overlaps must be an array of [route, route, flags 1..3]');
  return d as RouteTable;
}
