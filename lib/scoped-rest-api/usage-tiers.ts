import * as crypto from 'crypto';
import { ArnFormat, Stack, Token } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { BoundM2mAuthorizer } from '../authorizers/m2m-authorizer';
import type { IM2mUserPool } from '../m2m-user-pool';
import type { ScopedRoute } from './method-options';
import { AUTHORIZER_ENV } from '../private/contracts/authorizer';
import { TIERED_API_NAME, USAGE_KEY_PREFIX, UsageTiersConfig } from '../private/contracts/usage-tiers';
import { poolState } from '../private/pool-state';
import { onceAtSynth } from '../private/synth-once';
import { propError } from '../private/validation';
import { UsageTier, UsageTierOptions } from '../usage-tier';

/** What the usage tiers need of their API. */
export interface TieredApi extends apigateway.RestApi {
  readonly m2mUserPool: IM2mUserPool;
}

/**
 * The usage tiers of one `ScopedRestApi`: the tiers themselves (children of
 * the API; each keeps the tenants put in it), the API's usage key prefix, and
 * at synthesis each tenant's usage key and the API key requirement of the
 * scoped methods.
 */
export class ApiUsageTiers {
  private readonly tiers: UsageTier[] = [];
  private keyPrefix?: string;

  /**
   * @param api the API
   * @param authorizer the API's authorizer, bound on the first tier
   * @param scopedMethods the API's scoped methods and their routes, at synthesis
   */
  constructor(
    private readonly api: TieredApi,
    private readonly authorizer: () => BoundM2mAuthorizer,
    private readonly authorizerKind: string,
    private readonly scopedMethods: () => Array<{ readonly method: apigateway.Method; readonly route: ScopedRoute }>,
  ) {}

  /** `ScopedRestApi.addUsageTier`. */
  public add(name: string, options: UsageTierOptions): UsageTier {
    const label = `addUsageTier(${JSON.stringify(name)})`;
    const fn = this.authorizer().function;
    if (!(fn instanceof lambda.Function)) {
      throw propError(this.api, `${label}: authorizer`, this.authorizerKind,
        'usage tiers need the tenant-aware Lambda authorizer (M2mAuthorizer.tenantAware()), which returns each tenant\'s usage key; the Cognito authorizer cannot');
    }
    const cfn = this.api.node.defaultChild as apigateway.CfnRestApi;
    if (cfn.apiKeySourceType !== undefined && cfn.apiKeySourceType !== apigateway.ApiKeySourceType.AUTHORIZER) {
      throw propError(this.api, `${label}: apiKeySourceType`, cfn.apiKeySourceType,
        'a tiered API takes API keys from the authorizer (AUTHORIZER), so that tenants never send one; leave apiKeySourceType unset');
    }
    if (this.tiers.some((t) => t.tierName === name)) {
      throw propError(this.api, `${label}: name`, name, 'must be unique among the API\'s usage tiers');
    }
    const previousDefault = this.tiers.find((t) => t.isDefault);
    if (options.isDefault && previousDefault) {
      throw propError(this.api, `${label}: isDefault`, true, `usage tier ${previousDefault.tierName} is already the default; an API has one default tier`);
    }
    if (this.tiers.length === 0) {
      this.keyPrefix = usageKeyPrefix(this.api);
      cfn.apiKeySourceType = apigateway.ApiKeySourceType.AUTHORIZER;
      fn.addEnvironment(AUTHORIZER_ENV.usageKeyPrefix, this.keyPrefix);
      onceAtSynth(this.api, () => this.wireUsageKeys());
    }
    const tier = new UsageTier(this.api, `UsageTier-${name}`, {
      ...options,
      // The first tier is the default until another one claims it (defaultTier).
      isDefault: options.isDefault ?? false,
      api: this.api,
      tierName: name,
      keyPrefix: this.keyPrefix!,
    });
    this.tiers.push(tier);
    // A new or changed tier must reach the stage: the deployment's id follows the tiers.
    this.api.latestDeployment?.addToLogicalId({ usageTiers: this.tiers.map((t) => t.tierName) });
    return tier;
  }

  /** The tiers, in the order they were added. */
  public get all(): UsageTier[] {
    return [...this.tiers];
  }

  /** The tier added with `isDefault: true`, else the first. */
  public get defaultTier(): UsageTier | undefined {
    return this.tiers.find((t) => t.isDefault) ?? this.tiers[0];
  }

  /** The tiers as the developer portal's handler reads them. */
  public config(name: string): UsageTiersConfig {
    if (!TIERED_API_NAME.test(name)) {
      throw propError(this.api, 'tiered API name', name, `must match ${TIERED_API_NAME.source}`);
    }
    const byDefault = this.defaultTier;
    if (!byDefault || !this.keyPrefix) {
      throw propError(this.api, 'usage tiers', 'none', 'the API has no usage tiers: add them with api.addUsageTier(name, { rateLimit, burstLimit })');
    }
    return {
      api: name,
      keyPrefix: this.keyPrefix,
      defaultTier: byDefault.tierName,
      tiers: Object.fromEntries(this.tiers.map((t) => [t.tierName, t.usagePlan.usagePlanId])),
    };
  }

  /** ARNs of the usage plans, for IAM. */
  public planArns(): string[] {
    const stack = Stack.of(this.api);
    return this.tiers.map((t) => stack.formatArn({ service: 'apigateway', account: '', resource: '/usageplans', resourceName: t.usagePlan.usagePlanId, arnFormat: ArnFormat.SLASH_RESOURCE_NAME }));
  }

  /**
   * At synthesis, when every tenant and method is declared: a usage key for
   * each tenant of the API's pool and each tenant put in a tier, and an API
   * key requirement on each scoped method that did not decide.
   */
  private wireUsageKeys(): void {
    const byDefault = this.defaultTier!;
    const assigned = new Map(this.tiers.flatMap((t) => t.tenantIds.map((id) => [id, t] as const)));
    const declared = poolState(this.api.m2mUserPool).tenants;
    for (const tenantId of new Set([...declared.keys(), ...assigned.keys()])) {
      (assigned.get(tenantId) ?? byDefault)._addKey(tenantId, declared.get(tenantId));
    }
    for (const { method, route } of this.scopedMethods()) {
      const cfn = method.node.defaultChild as apigateway.CfnMethod;
      if (cfn.apiKeyRequired !== undefined) continue;
      if (route.authorizer !== 'lambda') {
        throw propError(this.api, `${route.httpMethod} ${route.resourcePath}: authorizer`, route.authorizer ?? 'none',
          'the API has usage tiers, whose usage keys only the tenant-aware authorizer returns, and this method is guarded by another: '
          + 'add the usage tiers before the methods, or give the method authorizer: MethodAuthorizer.TENANT_AWARE, or apiKeyRequired: false');
      }
      cfn.apiKeyRequired = true;
    }
  }
}

/**
 * A per-API usage key prefix, `m2musage<10 hex>`: stable for the API's stack
 * and path, and different for another API, so that key values (unique in an
 * account and Region) do not clash.
 */
function usageKeyPrefix(api: apigateway.RestApi): string {
  const stack = Stack.of(api);
  const name = Token.isUnresolved(stack.stackName) ? stack.artifactId : stack.stackName;
  const prefix = `m2musage${crypto.createHash('sha256').update(`${name}/${api.node.path}`).digest('hex').slice(0, 10)}`;
  if (!USAGE_KEY_PREFIX.test(prefix)) throw new Error(`usage key prefix ${prefix} does not match ${USAGE_KEY_PREFIX.source}`);
  return prefix;
}
