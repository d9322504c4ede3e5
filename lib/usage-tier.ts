import { Names, Stack, Token } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { Construct, IConstruct } from 'constructs';
import { TIER_NAME, usageKeyName, usageKeyValue } from './private/contracts/usage-tiers';
import { TENANT_ID, checkString, propError } from './private/validation';

/**
 * The limits of a usage tier, which apply to each tenant of the tier separately.
 */
export interface UsageTierOptions {
  /**
   * Steady-state requests per second each tenant of the tier may make.
   * Requests above it get `429 Too Many Requests`.
   *
   * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-request-throttling.html
   */
  readonly rateLimit: number;

  /**
   * How many requests each tenant may make at once above the rate (the token
   * bucket's size).
   */
  readonly burstLimit: number;

  /**
   * Requests each tenant may make per day, week or month. Requests over the
   * quota get `429` until the period ends.
   *
   * @default - no quota
   */
  readonly quota?: apigateway.QuotaSettings;

  /**
   * Whether tenants without a tier of their own get this one: CDK-declared
   * tenants of the API's user pool that no tier lists, and tenants the
   * developer portal registers.
   *
   * @default - the first tier added is the default
   */
  readonly isDefault?: boolean;

  /**
   * A description of the usage plan.
   *
   * @default - the tier's name and limits
   */
  readonly description?: string;
}

/**
 * Properties of a `UsageTier`.
 */
export interface UsageTierProps extends UsageTierOptions {
  /**
   * The API the tier meters. Create tiers with `ScopedRestApi.addUsageTier`.
   */
  readonly api: apigateway.RestApi;

  /**
   * The tier's name: letters, digits, `_` and `-`, 1 to 64 characters.
   */
  readonly tierName: string;

  /**
   * The prefix of the API's usage keys (one per API).
   */
  readonly keyPrefix: string;
}

/**
 * A usage tier of a `ScopedRestApi`: an API Gateway usage plan whose rate,
 * burst and quota apply to each of its tenants on their own. Every tenant has
 * one API key per tiered API, associated with its tier's plan; the Lambda
 * authorizer returns the key's value for the tenant's verified tokens
 * (`apiKeySource: AUTHORIZER`), so tenants never hold or send an API key, and
 * a key sent in `x-api-key` is ignored.
 *
 * Create tiers with `ScopedRestApi.addUsageTier` and put tenants in them with
 * `addTenant`; the developer portal changes tiers at run time.
 *
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-api-usage-plans.html
 */
export class UsageTier extends Construct {
  /**
   * The tier's name.
   */
  public readonly tierName: string;

  /**
   * The usage plan.
   */
  public readonly usagePlan: apigateway.UsagePlan;

  /**
   * Whether tenants without a tier of their own get this one.
   */
  public readonly isDefault: boolean;

  private readonly api: apigateway.RestApi;
  private readonly keyPrefix: string;
  private readonly tenants = new Map<string, undefined>();

  constructor(scope: Construct, id: string, props: UsageTierProps) {
    super(scope, id);
    checkString(this, 'tierName', props.tierName, { pattern: TIER_NAME, minLength: 1, maxLength: 64, describe: 'letters, digits, "_" and "-"' });
    checkLimit(this, 'rateLimit', props.rateLimit, false);
    checkLimit(this, 'burstLimit', props.burstLimit, true);
    if (props.quota && !Token.isUnresolved(props.quota.limit) && props.quota.limit !== undefined
      && (!Number.isInteger(props.quota.limit) || props.quota.limit < 1)) {
      throw propError(this, 'quota.limit', props.quota.limit, 'must be a whole number of requests, at least 1');
    }
    if (!props.api.deploymentStage) {
      throw propError(this, 'api', props.api.node.path, 'a usage plan meters a stage: the API needs a deployment stage (deploy: true, or deploymentStage set)');
    }
    this.tierName = props.tierName;
    this.isDefault = props.isDefault ?? false;
    this.api = props.api;
    this.keyPrefix = props.keyPrefix;
    this.usagePlan = new apigateway.UsagePlan(this, 'Plan', {
      name: `${Names.uniqueResourceName(props.api, { maxLength: 150 })}-${props.tierName}`,
      description: props.description
        ?? `Usage tier ${props.tierName} of ${props.api.node.path}: ${props.rateLimit} requests/s, burst ${props.burstLimit}${props.quota ? `, ${props.quota.limit} per ${props.quota.period}` : ''}, per tenant`,
      throttle: { rateLimit: props.rateLimit, burstLimit: props.burstLimit },
      quota: props.quota,
      apiStages: [{ api: props.api, stage: props.api.deploymentStage }],
    });
  }

  /**
   * Puts a tenant in this tier: its usage key (created here, in the stack of
   * the tenant's client when one is declared in the app) is associated with
   * this tier's usage plan. A tenant may be in one tier of an API.
   *
   * @param tenantId the tenant id
   */
  public addTenant(tenantId: string): void {
    checkString(this, 'addTenant(tenantId)', tenantId, TENANT_ID);
    // A tenant is in one tier per API: the API's tiers are its children.
    const existing = this.api.node.children.find((c) => c instanceof UsageTier && c.tenants.has(tenantId)) as UsageTier | undefined;
    if (existing) {
      throw propError(this, 'addTenant(tenantId)', tenantId, `is already in usage tier ${existing.tierName} of this API; a tenant is in one tier per API`);
    }
    this.tenants.set(tenantId, undefined);
  }

  /**
   * The tenants put in this tier with `addTenant` (not those it gets as the default).
   */
  public get tenantIds(): string[] {
    return [...this.tenants.keys()];
  }

  /**
   * Creates the tenant's API key and its association with this plan.
   *
   * @param tenantId the tenant id
   * @param home the tenant's client, whose stack holds the key; the API's stack when undefined
   * @internal
   */
  public _addKey(tenantId: string, home: IConstruct | undefined): void {
    const stack = home ? Stack.of(home) : Stack.of(this.api);
    // One container per API in each stack that holds keys of its tenants.
    const containerId = `M2mUsageKeys-${Names.uniqueId(this.api)}`;
    const container = (stack.node.tryFindChild(containerId) as Construct | undefined) ?? new Construct(stack, containerId);
    const value = usageKeyValue(this.keyPrefix, tenantId);
    const key = new apigateway.ApiKey(container, `Key-${tenantId}`, {
      apiKeyName: usageKeyName(this.keyPrefix, tenantId),
      value,
      enabled: true,
      description: `Usage key of tenant ${tenantId} on ${this.api.node.path}: returned by the authorizer, never sent by the tenant`,
    });
    new apigateway.CfnUsagePlanKey(container, `Tier-${tenantId}`, {
      keyId: key.keyId,
      keyType: 'API_KEY',
      usagePlanId: this.usagePlan.usagePlanId,
    });
  }
}

function checkLimit(scope: Construct, prop: string, value: number, integer: boolean): void {
  if (Token.isUnresolved(value)) return;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw propError(scope, prop, value, integer ? 'must be a whole number of requests, at least 1' : 'must be a number of requests per second above 0');
  }
}
