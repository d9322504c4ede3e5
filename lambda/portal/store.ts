/**
 * The portal's reads and writes of the registry table (layout in
 * lambda/shared/registry.ts). Every change of a tenant or client record is a
 * conditional write on its `version` (optimistic concurrency); the audit
 * trail is append-only (attribute_not_exists). No secret is ever written.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import {
  BatchGetCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { isConditionFailed } from './errors';
import type { Change, ClientRecord, IdempotencyRecord, NameReservation, RateCount, TenantRecord } from './records';
import { decodeToken, encodeToken, strip } from './records';
import type { AuditEntry, Page } from '../../lib/private/contracts/portal-api';
import {
  auditPk, callerPk, CLIENT_SK, CLIENT_SLOTS_SK, clientPk, clientPointerSk, IDEMPOTENCY_SK, idempotencyPk, nameSk,
  RATE_SK, TENANT_INDEX_PK, TENANT_SK, tenantPk,
} from '../shared/registry';

/** Orders audit entries written by this instance within one millisecond. */
let auditSeq = 0;


export class Store {
  constructor(private readonly doc: DynamoDBDocumentClient, private readonly table: string) {}

  // ---- tenants -------------------------------------------------------------

  public async getTenant(tenantId: string): Promise<TenantRecord | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.table, Key: { pk: tenantPk(tenantId), sk: TENANT_SK }, ConsistentRead: true }));
    return strip<TenantRecord>(out.Item);
  }

  /** Writes the tenant index entry (idempotent) and creates the tenant; false if it exists. */
  public async createTenant(tenant: TenantRecord): Promise<boolean> {
    await this.doc.send(new PutCommand({ TableName: this.table, Item: { pk: TENANT_INDEX_PK, sk: tenant.tenantId, type: 'tenant-index' } }));
    try {
      await this.doc.send(new PutCommand({
        TableName: this.table,
        Item: { pk: tenantPk(tenant.tenantId), sk: TENANT_SK, type: 'tenant', ...tenant },
        ConditionExpression: 'attribute_not_exists(pk)',
      }));
      return true;
    } catch (err) {
      if (isConditionFailed(err)) return false;
      throw err;
    }
  }

  /** Removes a tenant nothing refers to yet (compensation of a creation that did not complete). */
  public async deleteNewTenant(tenantId: string): Promise<void> {
    await this.doc.send(new DeleteCommand({
      TableName: this.table,
      Key: { pk: tenantPk(tenantId), sk: TENANT_SK },
      ConditionExpression: '#version = :one',
      ExpressionAttributeNames: { '#version': 'version' },
      ExpressionAttributeValues: { ':one': 1 },
    }));
    await this.doc.send(new DeleteCommand({ TableName: this.table, Key: { pk: TENANT_INDEX_PK, sk: tenantId } }));
  }

  public async listTenants(limit: number, nextToken: string | undefined): Promise<Page<TenantRecord>> {
    const out = await this.doc.send(new QueryCommand({
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': TENANT_INDEX_PK },
      Limit: limit,
      ExclusiveStartKey: decodeToken(nextToken, TENANT_INDEX_PK),
    }));
    const ids = (out.Items ?? []).map((i) => i.sk as string);
    const tenants = await this.batchGet<TenantRecord>(ids.map((id) => ({ pk: tenantPk(id), sk: TENANT_SK })));
    const byId = new Map(tenants.map((t) => [t.tenantId, t]));
    return {
      items: ids.map((id) => byId.get(id)).filter((t): t is TenantRecord => t !== undefined),
      nextToken: encodeToken(out.LastEvaluatedKey),
    };
  }

  public async updateTenant(tenantId: string, expectedVersion: number | undefined, change: Change): Promise<TenantRecord> {
    return this.update<TenantRecord>({ pk: tenantPk(tenantId), sk: TENANT_SK }, expectedVersion, change);
  }

  // ---- clients -------------------------------------------------------------

  public async getClient(clientId: string): Promise<ClientRecord | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.table, Key: { pk: clientPk(clientId), sk: CLIENT_SK }, ConsistentRead: true }));
    return strip<ClientRecord>(out.Item);
  }

  /** Writes the authoritative client item (must not exist yet). */
  public async putClient(client: ClientRecord): Promise<void> {
    await this.doc.send(new PutCommand({
      TableName: this.table,
      Item: { pk: clientPk(client.clientId), sk: CLIENT_SK, type: 'client', ...client },
      ConditionExpression: 'attribute_not_exists(pk)',
    }));
  }

  /** Writes the pointer that lists the client under its tenant. */
  public async putClientPointer(tenantId: string, clientId: string, name: string, createdAt: string): Promise<void> {
    await this.doc.send(new PutCommand({
      TableName: this.table,
      Item: { pk: tenantPk(tenantId), sk: clientPointerSk(clientId), type: 'client-pointer', clientId, name, createdAt },
    }));
  }

  /** Removes both client items (compensation of a registration that did not complete). */
  public async deleteClientItems(tenantId: string, clientId: string): Promise<void> {
    await this.doc.send(new DeleteCommand({ TableName: this.table, Key: { pk: clientPk(clientId), sk: CLIENT_SK } }));
    await this.doc.send(new DeleteCommand({ TableName: this.table, Key: { pk: tenantPk(tenantId), sk: clientPointerSk(clientId) } }));
  }

  public async updateClient(clientId: string, expectedVersion: number | undefined, change: Change): Promise<ClientRecord> {
    return this.update<ClientRecord>({ pk: clientPk(clientId), sk: CLIENT_SK }, expectedVersion, change);
  }

  public async listClients(tenantId: string, limit: number, nextToken: string | undefined): Promise<Page<ClientRecord>> {
    const pk = tenantPk(tenantId);
    const out = await this.doc.send(new QueryCommand({
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
      ExpressionAttributeValues: { ':pk': pk, ':p': 'CLIENT#' },
      Limit: limit,
      ExclusiveStartKey: decodeToken(nextToken, pk),
      ConsistentRead: true,
    }));
    const ids = (out.Items ?? []).map((i) => i.clientId as string);
    const clients = await this.batchGet<ClientRecord>(ids.map((id) => ({ pk: clientPk(id), sk: CLIENT_SK })));
    const byId = new Map(clients.map((c) => [c.clientId, c]));
    return {
      items: ids.map((id) => byId.get(id)).filter((c): c is ClientRecord => c !== undefined),
      nextToken: encodeToken(out.LastEvaluatedKey),
    };
  }

  public async listAllClients(tenantId: string): Promise<ClientRecord[]> {
    const all: ClientRecord[] = [];
    let token: string | undefined;
    do {
      const page = await this.listClients(tenantId, 100, token);
      all.push(...page.items);
      token = page.nextToken;
    } while (token);
    return all;
  }

  /** Client items with a rotation in progress (for the sweep). The table is small: a filtered scan. */
  public async clientsInRotation(): Promise<ClientRecord[]> {
    const found: ClientRecord[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.doc.send(new ScanCommand({
        TableName: this.table,
        FilterExpression: 'sk = :sk AND attribute_exists(rotation)',
        ExpressionAttributeValues: { ':sk': CLIENT_SK },
        ExclusiveStartKey: start,
      }));
      for (const item of out.Items ?? []) found.push(strip<ClientRecord>(item)!);
      start = out.LastEvaluatedKey;
    } while (start);
    return found;
  }

  // ---- name reservations and idempotency keys -------------------------------

  /** Reserves a client name in a tenant; false if already reserved. */
  public async reserveName(tenantId: string, name: string, reservation: NameReservation, takeOverFrom?: string): Promise<boolean> {
    try {
      await this.doc.send(new PutCommand({
        TableName: this.table,
        Item: { pk: tenantPk(tenantId), sk: nameSk(name), type: 'name', name, ...reservation },
        ConditionExpression: takeOverFrom === undefined ? 'attribute_not_exists(pk)' : 'requestId = :old AND #st = :pending',
        ExpressionAttributeNames: takeOverFrom === undefined ? undefined : { '#st': 'state' },
        ExpressionAttributeValues: takeOverFrom === undefined ? undefined : { ':old': takeOverFrom, ':pending': 'pending' },
      }));
      return true;
    } catch (err) {
      if (isConditionFailed(err)) return false;
      // The answer may have been lost after the write: it is ours if it carries our request id.
      const now = await this.getReservation(tenantId, name).catch(() => undefined);
      if (now?.requestId === reservation.requestId) return true;
      throw err;
    }
  }

  public async getReservation(tenantId: string, name: string): Promise<NameReservation | undefined> {
    const key = { pk: tenantPk(tenantId), sk: nameSk(name) };
    const out = await this.doc.send(new GetCommand({ TableName: this.table, Key: key, ConsistentRead: true }));
    return strip<NameReservation>(out.Item);
  }

  public async completeReservation(tenantId: string, name: string, requestId: string, clientId: string): Promise<void> {
    await this.doc.send(new UpdateCommand({
      TableName: this.table,
      Key: { pk: tenantPk(tenantId), sk: nameSk(name) },
      UpdateExpression: 'SET #st = :registered, clientId = :c',
      ConditionExpression: 'requestId = :r',
      ExpressionAttributeNames: { '#st': 'state' },
      ExpressionAttributeValues: { ':registered': 'registered', ':c': clientId, ':r': requestId },
    }));
  }

  /** Releases a reservation held by `holder` (a request id or, for a registered name, the client id). */
  public async releaseName(tenantId: string, name: string, holder: { requestId?: string; clientId?: string }): Promise<void> {
    const byRequest = holder.requestId !== undefined;
    try {
      await this.doc.send(new DeleteCommand({
        TableName: this.table,
        Key: { pk: tenantPk(tenantId), sk: nameSk(name) },
        ConditionExpression: byRequest ? 'requestId = :h' : 'clientId = :h',
        ExpressionAttributeValues: { ':h': byRequest ? holder.requestId : holder.clientId },
      }));
    } catch (err) {
      if (!isConditionFailed(err)) throw err; // someone else holds it now: not ours to release
    }
  }

  /** Claims an Idempotency-Key for a request; returns the existing claim when the key was used before. */
  public async claimIdempotencyKey(tenantId: string, key: string, record: IdempotencyRecord, now: Date): Promise<IdempotencyRecord | undefined> {
    try {
      await this.doc.send(new PutCommand({
        TableName: this.table,
        Item: {
          pk: idempotencyPk(tenantId, key),
          sk: IDEMPOTENCY_SK,
          type: 'idempotency',
          ...record,
          createdAt: now.toISOString(),
          // For a TTL on `expiresAt` (epoch seconds), if the table enables one: keys live 24 hours.
          expiresAt: Math.floor(now.getTime() / 1000) + 24 * 3600,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }));
      return undefined;
    } catch (err) {
      if (!isConditionFailed(err)) throw err;
    }
    const itemKey = { pk: idempotencyPk(tenantId, key), sk: IDEMPOTENCY_SK };
    const out = await this.doc.send(new GetCommand({ TableName: this.table, Key: itemKey, ConsistentRead: true }));
    return strip<IdempotencyRecord>(out.Item) ?? record;
  }

  // ---- per-tenant client slots ------------------------------------------------

  /** The tenant's slots (client name to reservation request id); undefined before the first registration. */
  public async getClientSlots(tenantId: string): Promise<Record<string, string> | undefined> {
    const out = await this.doc.send(new GetCommand({
      TableName: this.table, Key: { pk: tenantPk(tenantId), sk: CLIENT_SLOTS_SK }, ConsistentRead: true,
    }));
    return out.Item ? (out.Item.slots ?? {}) as Record<string, string> : undefined;
  }

  /** The tenant's name reservations, pending and registered, by name. */
  public async listReservations(tenantId: string): Promise<Map<string, NameReservation>> {
    const found = new Map<string, NameReservation>();
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.doc.send(new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
        ExpressionAttributeValues: { ':pk': tenantPk(tenantId), ':p': nameSk('') },
        ConsistentRead: true,
        ExclusiveStartKey: start,
      }));
      for (const item of out.Items ?? []) found.set(item.name as string, strip<NameReservation>(item)!);
      start = out.LastEvaluatedKey;
    } while (start);
    return found;
  }

  /**
   * Creates the tenant's slots item, unless it exists, with a slot for each
   * registered name (clients registered before the limit existed count).
   * Pending registrations take their slots themselves, within the limit.
   */
  public async initClientSlots(tenantId: string): Promise<void> {
    const slots: Record<string, string> = {};
    for (const [name, r] of await this.listReservations(tenantId)) if (r.state === 'registered') slots[name] = r.requestId;
    try {
      await this.doc.send(new PutCommand({
        TableName: this.table,
        Item: { pk: tenantPk(tenantId), sk: CLIENT_SLOTS_SK, type: 'client-slots', slots },
        ConditionExpression: 'attribute_not_exists(pk)',
      }));
    } catch (err) {
      if (!isConditionFailed(err)) throw err; // another request created it first
    }
  }

  /**
   * Gives the reservation of `name` (held by `requestId`) a slot: one
   * conditional write that succeeds when the name holds a slot already (a
   * retry or a takeover) or fewer than `max` are taken. False when the
   * tenant is at its limit, or has no slots item yet (call initClientSlots).
   */
  public async takeClientSlot(tenantId: string, name: string, requestId: string, max: number): Promise<boolean> {
    const key = { pk: tenantPk(tenantId), sk: CLIENT_SLOTS_SK };
    try {
      await this.doc.send(new UpdateCommand({
        TableName: this.table,
        Key: key,
        UpdateExpression: 'SET #s.#n = :r',
        ConditionExpression: 'attribute_exists(#s) AND (attribute_exists(#s.#n) OR size(#s) < :max)',
        ExpressionAttributeNames: { '#s': 'slots', '#n': name },
        ExpressionAttributeValues: { ':r': requestId, ':max': max },
      }));
      return true;
    } catch (err) {
      if (isConditionFailed(err)) return false;
      // The answer may have been lost after the write: the slot is ours if it carries our request id.
      const now = await this.getClientSlots(tenantId).catch(() => undefined);
      if (now?.[name] === requestId) return true;
      throw err;
    }
  }

  /** Frees the slot of `name` if `requestId` holds it (a slot someone else holds now is not ours to free). */
  public async releaseClientSlot(tenantId: string, name: string, requestId: string): Promise<void> {
    try {
      await this.doc.send(new UpdateCommand({
        TableName: this.table,
        Key: { pk: tenantPk(tenantId), sk: CLIENT_SLOTS_SK },
        UpdateExpression: 'REMOVE #s.#n',
        ConditionExpression: '#s.#n = :r',
        ExpressionAttributeNames: { '#s': 'slots', '#n': name },
        ExpressionAttributeValues: { ':r': requestId },
      }));
    } catch (err) {
      if (!isConditionFailed(err)) throw err;
    }
  }

  // ---- per-caller request rate -------------------------------------------------

  /**
   * Counts one request of `actor` in the fixed one-minute window that starts
   * at `windowStart` (epoch seconds), unless `limit` requests are counted in
   * it already. Conditional writes only: concurrent requests never count
   * more than `limit`. The item expires (table TTL) after its window.
   */
  public async countRequest(actor: string, windowStart: number, limit: number): Promise<RateCount> {
    const key = { pk: callerPk(actor), sk: RATE_SK };
    const expiresAt = windowStart + 120;
    const increment = async (): Promise<number | undefined> => {
      try {
        const out = await this.doc.send(new UpdateCommand({
          TableName: this.table,
          Key: key,
          UpdateExpression: 'SET #n = #n + :one',
          // A window later than ours (another container's clock is ahead) is counted in, never reset.
          ConditionExpression: '#w >= :w AND #n < :limit',
          ExpressionAttributeNames: { '#w': 'windowStart', '#n': 'n' },
          ExpressionAttributeValues: { ':one': 1, ':w': windowStart, ':limit': limit },
          ReturnValues: 'UPDATED_NEW',
        }));
        return Number(out.Attributes?.n);
      } catch (err) {
        if (isConditionFailed(err)) return undefined;
        throw err;
      }
    };
    const counted = await increment();
    if (counted !== undefined) return { allowed: true, count: counted };
    try {
      // A new window (or a first request): start counting at one.
      await this.doc.send(new PutCommand({
        TableName: this.table,
        Item: { ...key, type: 'rate', windowStart, n: 1, expiresAt },
        ConditionExpression: 'attribute_not_exists(pk) OR #w < :w',
        ExpressionAttributeNames: { '#w': 'windowStart' },
        ExpressionAttributeValues: { ':w': windowStart },
      }));
      return { allowed: true, count: 1 };
    } catch (err) {
      if (!isConditionFailed(err)) throw err;
    }
    // Another request started this window meanwhile: count in it, or refuse at the limit.
    const again = await increment();
    if (again !== undefined) return { allowed: true, count: again };
    const out = await this.doc.send(new GetCommand({ TableName: this.table, Key: key, ConsistentRead: true }));
    return { allowed: false, count: Number(out.Item?.n ?? limit) };
  }

  // ---- audit trail ------------------------------------------------------------

  /** Appends an audit entry (never overwrites one). */
  public async audit(entry: AuditEntry): Promise<void> {
    const detail: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(entry.detail ?? {})) if (v !== undefined) detail[k] = v;
    await this.doc.send(new PutCommand({
      TableName: this.table,
      Item: {
        pk: auditPk(entry.tenantId),
        sk: `${entry.at}#${(auditSeq++ % 0x100000000).toString(16).padStart(8, '0')}#${randomBytes(4).toString('hex')}`,
        type: 'audit',
        tenantId: entry.tenantId,
        at: entry.at,
        actor: entry.actor,
        action: entry.action,
        requestId: entry.requestId,
        detail,
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    }));
  }

  public async listAudit(tenantId: string, limit: number, nextToken: string | undefined): Promise<Page<AuditEntry>> {
    const pk = auditPk(tenantId);
    const out = await this.doc.send(new QueryCommand({
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': pk },
      ScanIndexForward: false,
      Limit: limit,
      ExclusiveStartKey: decodeToken(nextToken, pk),
    }));
    return { items: (out.Items ?? []).map((i) => strip<AuditEntry>(i)!), nextToken: encodeToken(out.LastEvaluatedKey) };
  }

  // ---- helpers --------------------------------------------------------------

  private async batchGet<T>(keys: Array<{ pk: string; sk: string }>): Promise<T[]> {
    const found: T[] = [];
    for (let i = 0; i < keys.length; i += 100) {
      let request: Record<string, { Keys: Array<Record<string, unknown>>; ConsistentRead: boolean }> | undefined = {
        [this.table]: { Keys: keys.slice(i, i + 100), ConsistentRead: true },
      };
      for (let attempt = 0; request && attempt < 5; attempt++) {
        const out: { Responses?: Record<string, Array<Record<string, unknown>>>; UnprocessedKeys?: Record<string, unknown> } =
          await this.doc.send(new BatchGetCommand({ RequestItems: request }));
        for (const item of out.Responses?.[this.table] ?? []) found.push(strip<T>(item)!);
        const rest = out.UnprocessedKeys?.[this.table] as { Keys: Array<Record<string, unknown>> } | undefined;
        request = rest && rest.Keys.length > 0 ? { [this.table]: { Keys: rest.Keys, ConsistentRead: true } } : undefined;
      }
      if (request) throw new Error('BatchGetItem left keys unprocessed');
    }
    return found;
  }

  /**
   * Applies `change` if the item's version is `expectedVersion` (or, when
   * undefined, if the item exists) and the extra condition holds; bumps the
   * version. Throws ConditionalCheckFailedException otherwise.
   */
  private async update<T>(key: { pk: string; sk: string }, expectedVersion: number | undefined, change: Change): Promise<T> {
    // Each write leaves a unique mark, so a write whose answer was lost can be told applied or not.
    const mark = randomUUID();
    const names: Record<string, string> = { '#version': 'version', '#mark': 'lastWrite', ...change.names };
    const values: Record<string, unknown> = { ':one': 1, ':mark': mark, ...change.values };
    const sets: string[] = ['#version = #version + :one', '#mark = :mark'];
    let n = 0;
    for (const [field, value] of Object.entries(change.set ?? {})) {
      if (value === undefined) continue;
      n++;
      names[`#f${n}`] = field;
      values[`:v${n}`] = value;
      sets.push(`#f${n} = :v${n}`);
    }
    const removes: string[] = [];
    for (const field of change.remove ?? []) {
      n++;
      names[`#f${n}`] = field;
      removes.push(`#f${n}`);
    }
    const conditions = ['attribute_exists(pk)'];
    if (expectedVersion !== undefined) {
      conditions.push('#version = :expected');
      values[':expected'] = expectedVersion;
    }
    if (change.condition) conditions.push(`(${change.condition})`);
    try {
      const out = await this.doc.send(new UpdateCommand({
        TableName: this.table,
        Key: key,
        UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
        ConditionExpression: conditions.join(' AND '),
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ReturnValues: 'ALL_NEW',
      }));
      return strip<T>(out.Attributes)!;
    } catch (err) {
      if (isConditionFailed(err)) throw err;
      const now = await this.doc.send(new GetCommand({ TableName: this.table, Key: key, ConsistentRead: true })).catch(() => undefined);
      if (now?.Item?.lastWrite === mark) return strip<T>(now.Item)!;
      throw err;
    }
  }
}
