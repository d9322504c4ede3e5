/**
 * The tenant registry's single-table layout, shared by the developer portal
 * (which writes it) and the authorizer (which only reads it through
 * `getClientStatus`). Keep this file dependency-light: it only loads
 * `@aws-sdk/client-dynamodb`, lazily, so the authorizer bundle stays small.
 *
 * Items (partition key `pk`, sort key `sk`, both strings; no index):
 *
 * | pk                         | sk               | what                                                   |
 * |----------------------------|------------------|--------------------------------------------------------|
 * | `TENANT#<tenantId>`        | `TENANT`         | the tenant: status, displayName, audit fields, version |
 * | `TENANT#<tenantId>`        | `CLIENT#<id>`    | pointer listing the tenant's clients (id, name)        |
 * | `TENANT#<tenantId>`        | `NAME#<name>`    | name reservation (idempotent, deduplicated register)   |
 * | `TENANT#<tenantId>`        | `CLIENT_SLOTS`   | `slots`: each client name the tenant holds (reserved   |
 * |                            |                  | or registered) → its request id; its size is what the  |
 * |                            |                  | per-tenant client limit counts (conditional writes)    |
 * | `CLIENT#<clientId>`        | `CLIENT`         | the client (authoritative): tenant, status, scopes...  |
 * | `TENANTS`                  | `<tenantId>`     | index of tenants, for paginated listing                |
 * | `IDEMPOTENCY#<t>#<key>`    | `IDEMPOTENCY`    | an Idempotency-Key and the request it belongs to       |
 * | `CALLER#<actor>`           | `RATE`           | a caller's changes in its current one-minute window    |
 * |                            |                  | (`windowStart`, `n`), expiring by TTL (`expiresAt`)    |
 * | `AUDIT#<tenantId>`         | `<ISO time>#<r>` | append-only audit trail (attribute_not_exists writes)  |
 *
 * No item ever holds a client secret. DynamoDB transactions are not used
 * (dynalite, the local test server, lacks them): multi-item changes are
 * sequences of conditional writes with compensation.
 */
import type { DynamoDBClient, GetItemCommand, GetItemCommandInput } from '@aws-sdk/client-dynamodb';
import type { RegistryStatus } from '../../lib/private/contracts/portal-api';

/**
 * `GetItemCommand`, loaded on first use: the authorizer bundles this module
 * (tree-shaken to `getClientStatus`) without loading the SDK at cold start.
 */
function getItem(input: GetItemCommandInput): GetItemCommand {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const sdk = require('@aws-sdk/client-dynamodb') as typeof import('@aws-sdk/client-dynamodb');
  return new sdk.GetItemCommand(input);
}

export const TENANT_SK = 'TENANT';
export const CLIENT_SK = 'CLIENT';
export const TENANT_INDEX_PK = 'TENANTS';
export const CLIENT_SLOTS_SK = 'CLIENT_SLOTS';
export const RATE_SK = 'RATE';
export const callerPk = (actor: string): string => `CALLER#${actor}`;
export const IDEMPOTENCY_SK = 'IDEMPOTENCY';

export const tenantPk = (tenantId: string): string => `TENANT#${tenantId}`;
export const clientPk = (clientId: string): string => `CLIENT#${clientId}`;
export const clientPointerSk = (clientId: string): string => `CLIENT#${clientId}`;
export const nameSk = (name: string): string => `NAME#${name}`;
export const auditPk = (tenantId: string): string => `AUDIT#${tenantId}`;
export const idempotencyPk = (tenantId: string, key: string): string => `IDEMPOTENCY#${tenantId}#${key}`;

/** What the authorizer needs to know about a client id. */
export interface ClientStatus {
  readonly tenantId: string;
  readonly clientStatus: RegistryStatus;
  /** `deleted` when the tenant item is missing. */
  readonly tenantStatus: RegistryStatus;
}

const STATUSES: ReadonlySet<string> = new Set(['active', 'suspended', 'deleting', 'deleted']);

function asStatus(value: unknown): RegistryStatus {
  return typeof value === 'string' && STATUSES.has(value) ? value as RegistryStatus : 'suspended';
}

/**
 * Looks up a client registered through the portal and its tenant's status,
 * with at most two strongly consistent GetItem calls (client, then tenant).
 * Returns `undefined` for a client id the registry does not know. A client
 * is allowed only when both statuses are `active`; an unrecognised status
 * reads as `suspended` (fail closed). Errors (registry outage) propagate: the
 * caller decides to fail closed.
 */
export async function getClientStatus(ddb: DynamoDBClient, table: string, clientId: string): Promise<ClientStatus | undefined> {
  const client = await ddb.send(getItem({
    TableName: table,
    Key: { pk: { S: clientPk(clientId) }, sk: { S: CLIENT_SK } },
    ProjectionExpression: 'tenantId, #s',
    ExpressionAttributeNames: { '#s': 'status' },
    ConsistentRead: true,
  }));
  const tenantId = client.Item?.tenantId?.S;
  if (!client.Item || !tenantId) return undefined;
  const tenant = await ddb.send(getItem({
    TableName: table,
    Key: { pk: { S: tenantPk(tenantId) }, sk: { S: TENANT_SK } },
    ProjectionExpression: '#s',
    ExpressionAttributeNames: { '#s': 'status' },
    ConsistentRead: true,
  }));
  return {
    tenantId,
    clientStatus: asStatus(client.Item.status?.S),
    tenantStatus: tenant.Item ? asStatus(tenant.Item.status?.S) : 'deleted',
  };
}

/** True when a client may call APIs: it and its tenant are both `active`. */
export function isActive(status: ClientStatus | undefined): boolean {
  return status !== undefined && status.clientStatus === 'active' && status.tenantStatus === 'active';
}
