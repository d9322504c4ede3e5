/**
 * The API Gateway operations behind usage tiers: one API key per tenant and
 * tiered API (name `usageKeyName(prefix, tenantId)`, value
 * `usageKeyValue(prefix, tenantId)`, see lib/private/contracts/usage-tiers.ts),
 * associated with the usage plan of its tier.
 * Each call is retried on throttling; each is idempotent, so a retried
 * request converges. The key value is not a secret (callers cannot present
 * it), but it is not logged either: logs name the tenant and the API.
 *
 * The portal never reads an API key's value: it sets the value when it
 * creates a key, and lists keys with `includeValues: false`, finding its own
 * by exact name. (Its role's `apigateway:GET` on `/apikeys` would allow a
 * listing with values, of every key in the account and Region: IAM cannot
 * restrict that parameter.)
 */
import {
  APIGatewayClient,
  CreateApiKeyCommand,
  CreateUsagePlanKeyCommand,
  DeleteUsagePlanKeyCommand,
  GetApiKeysCommand,
} from '@aws-sdk/client-api-gateway';
import { ApiKeyQuotaError, ConflictError, errorName, isApiGatewayNotFound } from './errors';
import { RetryOptions, withThrottleRetry } from './retry';

const THROTTLED = 'API Gateway is throttling changes to API keys and usage plans; retry later';

/** The id of a tenant's API key, and whether this call created it. */
export interface UsageKey {
  readonly keyId: string;
  readonly created: boolean;
}

export class UsageKeys {
  constructor(private readonly client: APIGatewayClient, private readonly retry: RetryOptions) {}

  /**
   * The API key with this name and value: created (enabled) when missing,
   * reused when it exists (ConflictException: values are unique in an account
   * and Region; then found by name). At the account's API key quota, throws
   * ApiKeyQuotaError.
   */
  public async ensureKey(name: string, value: string, what: { tenantId: string; api: string }): Promise<UsageKey> {
    try {
      const out = await this.call(() => this.client.send(new CreateApiKeyCommand({
        name,
        value,
        enabled: true,
        description: `Usage key of tenant ${what.tenantId} on API ${what.api} (managed by the developer portal)`,
      })));
      if (!out.id) throw new Error('CreateApiKey returned no id');
      return { keyId: out.id, created: true };
    } catch (err) {
      if (errorName(err) === 'LimitExceededException') {
        throw new ApiKeyQuotaError(
          `tenant ${what.tenantId} cannot get its usage key for API ${what.api}: the account's API Gateway API key quota ` +
          '(10,000 per account and Region by default) is reached; request an increase of the "API keys" quota of ' +
          'Amazon API Gateway in Service Quotas, or delete unused API keys, then retry this request');
      }
      if (errorName(err) !== 'ConflictException') throw err;
    }
    const keyId = await this.findKey(name);
    if (!keyId) throw new Error('CreateApiKey reported an existing key value that GetApiKeys does not list under its name');
    return { keyId, created: false };
  }

  /**
   * The id of the API key with exactly this name, listed without values. A
   * name two keys share is refused (409): without reading values the
   * portal cannot tell its own key from another, and it does not guess.
   */
  public async findKey(name: string): Promise<string | undefined> {
    const ids: string[] = [];
    let position: string | undefined;
    do {
      const out = await this.call(() => this.client.send(new GetApiKeysCommand({
        nameQuery: name, includeValues: false, limit: 500, position,
      })));
      // nameQuery matches name prefixes (`<prefix>.acme` also finds `<prefix>.acme-2`): keep exact names only.
      for (const k of out.items ?? []) if (k.name === name && k.id) ids.push(k.id);
      position = out.position;
    } while (position);
    if (ids.length > 1) {
      throw new ConflictError(`API key name ${JSON.stringify(name)} is used by ${ids.length} API keys (${ids.join(', ')}); the portal manages one ` +
        'key of this name and does not read key values to tell them apart: delete or rename the keys it did not create, then retry');
    }
    return ids[0];
  }

  /** Puts the key in the plan; a key already in it is fine. */
  public async associate(usagePlanId: string, keyId: string): Promise<void> {
    try {
      await this.call(() => this.client.send(new CreateUsagePlanKeyCommand({ usagePlanId, keyId, keyType: 'API_KEY' })));
    } catch (err) {
      if (errorName(err) !== 'ConflictException') throw err;
    }
  }

  /** Takes the key out of the plan; a key not in it is fine. */
  public async disassociate(usagePlanId: string, keyId: string): Promise<void> {
    try {
      await this.call(() => this.client.send(new DeleteUsagePlanKeyCommand({ usagePlanId, keyId })));
    } catch (err) {
      if (!isApiGatewayNotFound(err)) throw err;
    }
  }

  private call<T>(send: () => Promise<T>): Promise<T> {
    return withThrottleRetry(send, this.retry, THROTTLED);
  }
}
