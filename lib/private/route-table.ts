import { Token } from 'aws-cdk-lib';
import type { PlannedRouteTable, RouteSpec } from './contracts/route-table';
import { planRouteTable } from './route-plan';
import type { ScopedRoute } from '../scoped-rest-api/method-options';

/**
 * Builds the authorizer's route table (`routes.json`): every scoped method
 * with the indexes of its scopes, its ARN pattern, and the overlaps between
 * routes the function turns into explicit Denies (see route-plan.ts). Public
 * methods are left out (no authorizer runs for them). Scopes must be literal
 * strings here: the table is written at synth time.
 */
export function buildRouteTable(routes: readonly ScopedRoute[]): PlannedRouteTable {
  const scopes: string[] = [];
  const index = new Map<string, number>();
  const entries: RouteSpec[] = [];
  for (const r of routes) {
    if (r.isPublic) continue;
    const ids = r.scopes.map((s) => {
      if (Token.isUnresolved(s)) {
        throw new Error(`${r.httpMethod} ${r.resourcePath}: scope ${s} is only known at deploy time; the Lambda authorizer's route table `
          + 'needs scopes as literal strings (give the resource server a literal identifier)');
      }
      let i = index.get(s);
      if (i === undefined) {
        i = scopes.push(s) - 1;
        index.set(s, i);
      }
      return i;
    });
    entries.push({ method: r.httpMethod.toUpperCase(), path: r.resourcePath, scopes: ids, match: r.scopeMatch });
  }
  return planRouteTable({ scopes, routes: entries });
}
