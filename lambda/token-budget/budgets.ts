/**
 * Which budget applies to a client and to a tenant: the CDK-declared ones
 * (TOKEN_BUDGETS, fixed at deployment) first, then, for a tenant, the one a
 * platform admin set on its registry record (`tokenBudget`), read with a
 * short cache. A registry read that fails leaves the tenant without a budget
 * for that line: a budget failure never suspends anyone.
 */
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { BudgetConfig, budgetSpecProblem, BudgetSpec, TOKEN_BUDGET_ENV } from '../../lib/private/contracts/token-budget';
import { ConfigError, Env, invalidField, json } from '../shared/config';
import { TENANT_SK, tenantPk } from '../shared/registry';

/** Parses and checks TOKEN_BUDGETS (a missing variable is no budget at all). */
export function budgetConfigFromEnv(env: Env): BudgetConfig {
  const name = TOKEN_BUDGET_ENV.budgets;
  const rule = 'a JSON object { clients: { <clientId>: budget }, tenants: { <tenantId>: budget } }';
  const doc = json(env, name, rule);
  if (doc === undefined) return { clients: {}, tenants: {} };
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw invalidField(name, 'the value', rule);
  const out: { clients: Record<string, BudgetSpec>; tenants: Record<string, BudgetSpec> } = { clients: {}, tenants: {} };
  for (const group of ['clients', 'tenants'] as const) {
    const g = (doc as Record<string, unknown>)[group] ?? {};
    if (typeof g !== 'object' || g === null || Array.isArray(g)) throw invalidField(name, group, 'an object of budgets by id');
    for (const [id, spec] of Object.entries(g)) {
      const problem = budgetSpecProblem(spec);
      if (problem) throw new ConfigError(`${name}: ${group}.${id} ${problem}`);
      out[group][id] = spec as BudgetSpec;
    }
  }
  return out;
}

export class BudgetBook {
  readonly #cache = new Map<string, { spec: BudgetSpec | undefined; until: number }>();

  constructor(
    private readonly config: BudgetConfig,
    private readonly registry?: { readonly doc: DynamoDBDocumentClient; readonly table: string; readonly ttlMs: number },
    private readonly now: () => number = Date.now,
  ) {}

  public client(clientId: string): BudgetSpec | undefined {
    return this.config.clients[clientId];
  }

  /** The tenant's budget; `onError` hears of a registry read that failed (no budget then). */
  public async tenant(tenantId: string, onError: (err: unknown) => void): Promise<BudgetSpec | undefined> {
    const declared = this.config.tenants[tenantId];
    if (declared || !this.registry) return declared;
    const hit = this.#cache.get(tenantId);
    if (hit && this.now() < hit.until) return hit.spec;
    try {
      const out = await this.registry.doc.send(new GetCommand({
        TableName: this.registry.table, Key: { pk: tenantPk(tenantId), sk: TENANT_SK }, ProjectionExpression: 'tokenBudget',
      }));
      const raw = out.Item?.tokenBudget;
      const spec = raw !== undefined && budgetSpecProblem(raw) === undefined ? raw as BudgetSpec : undefined;
      if (this.#cache.size >= 10_000) this.#cache.clear();
      this.#cache.set(tenantId, { spec, until: this.now() + this.registry.ttlMs });
      return spec;
    } catch (err) {
      onError(err);
      return undefined;
    }
  }
}
