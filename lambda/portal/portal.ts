/**
 * The developer-portal handler logic, built by `createPortal` from SDK
 * clients and settings (index.ts wires module-scope clients from the
 * environment; tests point the clients at local servers).
 */
import { randomUUID } from 'node:crypto';
import { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { deleteClient, getClient, patchClient, registerClient } from './clients';
import { AppClients } from './cognito';
import { PortalConfig } from './config';
import { audit, bestEffort, clientView, loadClient, OpContext, tenantView } from './context';
import { BadRequestError, CallerRateLimitError, errorName, ForbiddenError, NotFoundError, PortalError } from './errors';
import { actorOf, caller as readCaller, Caller, errorResponse, header, internalError, json, route, withCors } from './http';
import { publishPoolClients } from './metrics';
import { People } from './people';
import { RetryOptions } from './retry';
import { deleteSecret, rotateSecret, sweepRotations, SweepResult } from './rotation';
import { Store } from './store';
import { createTenant, deleteTenant, loadTenant, patchTenant } from './tenants';
import {
  BudgetSuspensions, liftSuspension, parseSetTokenBudget, setTokenBudget, withClientSuspensions, withTenantSuspension,
} from './token-budgets';
import { UsageKeys } from './usage-keys';
import { setUsageTier } from './usage-tiers';
import {
  checkClientId, checkIdempotencyKey, checkLimit, checkSecretId, checkTenantId, parseBody, parseCreateClient,
  checkUsername, parseCreateTenant, parseInviteAdmin, parsePatchClient, parsePatchTenant,
} from './validation';
import { CALLER_REQUESTS_PER_MINUTE, PORTAL_ENV } from '../../lib/private/contracts/portal';
import type { PortalResponses, Role } from '../../lib/private/contracts/portal-api';
import { PORTAL_ROUTES, PortalRouteName } from '../../lib/private/contracts/portal-routes';
import { ConfigError } from '../shared/config';
import { Logger } from '../shared/log';

export interface PortalDeps {
  readonly cognito: CognitoIdentityProviderClient;
  readonly ddb: DynamoDBClient;
  /** API Gateway, for the API keys of tiered APIs. Required when `config.usageTiers` is not empty. */
  readonly apiGateway?: APIGatewayClient;
  readonly config: PortalConfig;
  /** Current time. @default () => new Date() */
  readonly clock?: () => Date;
  /** Retry of throttled Cognito calls (attempts, backoff, injectable sleep). */
  readonly retry?: RetryOptions;
  /** @default a Logger at info level writing to stdout */
  readonly logger?: Logger;
}

/** An EventBridge scheduled event: runs the rotation-grace sweep. */
export interface ScheduledEvent {
  readonly 'source': string;
  readonly 'detail-type': string;
}

export type PortalEvent = APIGatewayProxyEvent | ScheduledEvent;

export interface Portal {
  handler(event: PortalEvent, context?: Partial<Context>): Promise<APIGatewayProxyResult | SweepResult>;
  /** The API part, typed for API Gateway events. */
  api(event: APIGatewayProxyEvent, context?: Partial<Context>): Promise<APIGatewayProxyResult>;
  sweep(requestId?: string): Promise<SweepResult>;
}

export function isScheduledEvent(event: PortalEvent): event is ScheduledEvent {
  return (event as ScheduledEvent).source === 'aws.events' && (event as ScheduledEvent)['detail-type'] === 'Scheduled Event';
}

/** Reads `If-Match: "<version>"` (optimistic concurrency chosen by the caller). */
function expectedVersion(event: APIGatewayProxyEvent): number | undefined {
  const raw = header(event, 'If-Match');
  if (raw === undefined) return undefined;
  const m = /^(?:W\/)?"?(\d{1,15})"?$/.exec(raw.trim());
  if (!m) throw new BadRequestError('If-Match', raw, 'the version of the record, as returned in its ETag (e.g. "3")');
  return Number(m[1]);
}

function withEtag(body: object): Record<string, string> {
  return 'version' in body && typeof body.version === 'number' ? { ETag: `"${body.version}"` } : {};
}

/** The answer of a route: the body its contract (PortalResponses) declares, with the record's version as ETag. */
function answer<N extends PortalRouteName>(_route: N, body: PortalResponses[N], status = 200): APIGatewayProxyResult {
  return json(status, body, withEtag(body));
}

export function createPortal(deps: PortalDeps): Portal {
  const doc = DynamoDBDocumentClient.from(deps.ddb, { marshallOptions: { removeUndefinedValues: true } });
  const store = new Store(doc, deps.config.tableName);
  const apps = new AppClients(deps.cognito, deps.config.userPoolId, deps.retry ?? {});
  const now = deps.clock ?? (() => new Date());
  const log = deps.logger ?? new Logger('info');
  const config = deps.config;
  const people = config.people ? new People(deps.cognito, config.people, deps.retry ?? {}) : undefined;
  if ((config.usageTiers ?? []).length > 0 && !deps.apiGateway) {
    throw new ConfigError(`${PORTAL_ENV.usageTiers} names tiered APIs but the portal was given no API Gateway client`);
  }
  const usage = deps.apiGateway ? new UsageKeys(deps.apiGateway, deps.retry ?? {}) : undefined;
  const suspensions = config.budgetTable ? new BudgetSuspensions(doc, config.budgetTable) : undefined;
  const adminOnly = new Set(PORTAL_ROUTES.filter((r) => r.access === 'admin').map((r) => r.name));
  // Changes count against the caller's per-minute budget.
  const changes = new Set(PORTAL_ROUTES.filter((r) => r.method !== 'GET').map((r) => r.name));
  // Changes a tenant admin may make to its own tenant's clients, while the tenant is active.
  const tenantChanges = new Set(PORTAL_ROUTES.filter((r) => r.access === 'anyAdmin' && r.method !== 'GET').map((r) => r.name));
  const perMinute = config.callerRequestsPerMinute ?? CALLER_REQUESTS_PER_MINUTE.default;

  const context = (requestId: string, actor: string, role?: Role): OpContext => ({
    store, apps, usage, config, now, log, requestId, actor, role, suspensions,
  });

  const isAdmin = (c: Caller) => c.scopes.has(config.adminScope);
  const roleOf = (c: Caller): Role => (isAdmin(c) ? 'platform-admin' : 'tenant-admin');

  /** Counts a change against the caller's budget of the current minute (fixed windows): 429 with Retry-After beyond it. */
  const countChange = async (who: Caller) => {
    const actor = actorOf(who);
    const seconds = Math.floor(now().getTime() / 1000);
    const windowStart = seconds - (seconds % 60);
    const counted = await store.countRequest(actor, windowStart, perMinute);
    if (counted.allowed) return;
    const retryAfter = Math.max(1, windowStart + 60 - seconds);
    throw new CallerRateLimitError(retryAfter, `caller ${actor} made ${counted.count} changes this minute and the portal allows ${perMinute} per caller ` +
      `per minute (DeveloperPortal callerRequestsPerMinute); retry after ${retryAfter} seconds`);
  };

  /** A suspended tenant's admins may read, not change, its clients (its platform admins still can). */
  const requireWritableTenant = async (tenantId: string) => {
    const tenant = await store.getTenant(tenantId);
    if (!tenant || tenant.status === 'deleted' || tenant.status === 'deleting') throw new NotFoundError(`tenantId: ${tenantId} is not a tenant`);
    if (tenant.status !== 'active') {
      throw new ForbiddenError(`tenant ${tenantId} is ${tenant.status}: its admins cannot register, change, rotate or delete its clients until a platform admin resumes it`);
    }
  };
  const requireAdmin = (c: Caller) => {
    if (!isAdmin(c)) throw new ForbiddenError('this operation needs the platform admin scope');
  };
  const requireTenant = (c: Caller, tenantId: string) => {
    if (isAdmin(c)) return;
    if (c.scopes.has(config.tenantAdminScope) && c.tenantId === tenantId) return;
    throw new ForbiddenError(`the caller may not manage tenant ${tenantId}`);
  };

  async function dispatch(event: APIGatewayProxyEvent, ctx: OpContext, who: Caller): Promise<APIGatewayProxyResult> {
    const r = route(event);
    if (changes.has(r.name)) await countChange(who);
    // Who may call what: the route table the construct also builds the API from.
    if (adminOnly.has(r.name)) requireAdmin(who);
    const q = event.queryStringParameters ?? {};
    const tenantId = r.params.tenantId === undefined ? undefined : checkTenantId(r.params.tenantId);
    if (tenantId !== undefined) requireTenant(who, tenantId);
    if (tenantId !== undefined && !isAdmin(who) && tenantChanges.has(r.name)) await requireWritableTenant(tenantId);

    switch (r.name) {
      case 'me':
        return answer(r.name, {
          principal: who.username ?? who.clientId,
          kind: who.username ? 'person' : 'client',
          role: isAdmin(who) ? 'platform-admin' : 'tenant-admin',
          tenantId: isAdmin(who) ? undefined : who.tenantId,
        });
      case 'listAdmins': {
        await loadTenant(ctx, tenantId!);
        return answer(r.name, { items: people ? await people.list(tenantId!) : [] });
      }
      case 'inviteAdmin': {
        if (!people) throw new NotFoundError('this portal has no sign-in pool for people (no web UI): there is nobody to invite');
        const req = parseInviteAdmin(parseBody(event.body, event.isBase64Encoded));
        await loadTenant(ctx, tenantId!);
        const invited = await people.invite(tenantId!, req.username, req.email,
          (step) => bestEffort(ctx, 'invite_compensation_failed', { tenantId }, step));
        // The audit names the person, not the address (the sign-in pool holds that).
        await audit(ctx, tenantId!, 'admin.invited', { username: req.username });
        return answer(r.name, { ...invited, tenantId: tenantId! }, 201);
      }
      case 'removeAdmin': {
        if (!people) throw new NotFoundError('this portal has no sign-in pool for people (no web UI)');
        const username = checkUsername(r.params.username);
        await loadTenant(ctx, tenantId!);
        await people.remove(tenantId!, username);
        await audit(ctx, tenantId!, 'admin.removed', { username });
        return answer(r.name, { username, tenantId: tenantId!, removed: true });
      }
      case 'listTenants': {
        if (isAdmin(who)) {
          const page = await store.listTenants(checkLimit(q.limit), q.nextToken);
          return answer(r.name, { items: page.items.map((t) => tenantView(t, config)), nextToken: page.nextToken });
        }
        if (!who.tenantId || !who.scopes.has(config.tenantAdminScope)) throw new ForbiddenError('listing tenants needs an admin scope');
        const own = await store.getTenant(who.tenantId);
        return answer(r.name, { items: own ? [tenantView(own, config)] : [] });
      }
      case 'createTenant': {
        const reply = await createTenant(ctx, parseCreateTenant(parseBody(event.body, event.isBase64Encoded)));
        return answer(r.name, reply.body, reply.status);
      }
      case 'getTenant': {
        const tenant = await loadTenant(ctx, tenantId!);
        const clients = await store.listClients(tenantId!, 100, undefined);
        const items = await withClientSuspensions(ctx, clients.items.map((c) => clientView(c, config)));
        const view = await withTenantSuspension(ctx, tenantView(tenant, config));
        return answer(r.name, { ...view, clients: items, clientsNextToken: clients.nextToken });
      }
      case 'patchTenant': {
        const req = parsePatchTenant(parseBody(event.body, event.isBase64Encoded));
        return answer(r.name, await patchTenant(ctx, tenantId!, req.status, expectedVersion(event)));
      }
      case 'deleteTenant':
        return answer(r.name, await deleteTenant(ctx, tenantId!));
      case 'getAudit': {
        await loadTenant(ctx, tenantId!);
        const page = await store.listAudit(tenantId!, checkLimit(q.limit), q.nextToken);
        return answer(r.name, { items: page.items, nextToken: page.nextToken });
      }
      case 'listClients': {
        await loadTenant(ctx, tenantId!);
        const page = await store.listClients(tenantId!, checkLimit(q.limit), q.nextToken);
        return answer(r.name, { items: await withClientSuspensions(ctx, page.items.map((c) => clientView(c, config))), nextToken: page.nextToken });
      }
      case 'createClient': {
        const key = checkIdempotencyKey(header(event, 'Idempotency-Key'));
        const req = parseCreateClient(parseBody(event.body, event.isBase64Encoded), config.grantableScopes, config.defaultTokenValidityMinutes);
        const reply = await registerClient(ctx, tenantId!, req, key);
        return answer(r.name, reply.body, reply.status);
      }
      case 'getClient': {
        const [client] = await withClientSuspensions(ctx, [await getClient(ctx, tenantId!, checkClientId(r.params.clientId))]);
        return answer(r.name, client);
      }
      case 'setTokenBudget':
        return answer(r.name,
          await setTokenBudget(ctx, tenantId!, parseSetTokenBudget(parseBody(event.body, event.isBase64Encoded)), expectedVersion(event)));
      case 'liftTenantBudgetSuspension': {
        await liftSuspension(ctx, tenantId!, 'tenant', tenantId!);
        return answer(r.name, tenantView(await loadTenant(ctx, tenantId!), config));
      }
      case 'liftClientBudgetSuspension': {
        const record = await loadClient(ctx, tenantId!, checkClientId(r.params.clientId));
        await liftSuspension(ctx, tenantId!, 'client', record.clientId);
        return answer(r.name, clientView(record, config));
      }
      case 'patchClient': {
        const clientId = checkClientId(r.params.clientId);
        const req = parsePatchClient(parseBody(event.body, event.isBase64Encoded), config.grantableScopes);
        return answer(r.name, await patchClient(ctx, tenantId!, clientId, req, expectedVersion(event)));
      }
      case 'deleteClient':
        return answer(r.name, await deleteClient(ctx, await loadClient(ctx, tenantId!, checkClientId(r.params.clientId))));
      case 'rotateSecret':
        return answer(r.name, await rotateSecret(ctx, await loadClient(ctx, tenantId!, checkClientId(r.params.clientId))), 201);
      case 'setUsageTier':
        return answer(r.name, await setUsageTier(ctx, tenantId!, r.params.api ?? '', parseBody(event.body, event.isBase64Encoded), expectedVersion(event)));
      case 'deleteSecret': {
        const record = await loadClient(ctx, tenantId!, checkClientId(r.params.clientId));
        return answer(r.name, await deleteSecret(ctx, record, checkSecretId(r.params.secretId)));
      }
    }
  }

  async function api(event: APIGatewayProxyEvent, lambdaContext?: Partial<Context>): Promise<APIGatewayProxyResult> {
    const requestId = event.requestContext?.requestId ?? lambdaContext?.awsRequestId ?? randomUUID();
    let who: Caller | undefined;
    try {
      who = readCaller(event);
      return withCors(config.allowedOrigin, await dispatch(event, context(requestId, actorOf(who), roleOf(who)), who));
    } catch (err) {
      if (err instanceof PortalError) {
        log.info('request refused', { reason: err.code, errorName: err.name, clientId: who?.clientId });
        return withCors(config.allowedOrigin, errorResponse(err));
      }
      // Only the error's class name is logged: SDK messages may quote request data.
      log.error('request failed', { reason: 'internal', errorName: errorName(err), clientId: who?.clientId, configDetail: `requestId ${requestId}` });
      return withCors(config.allowedOrigin, internalError(requestId));
    }
  }

  /** The hourly sweep: expired rotations, then the pool's app client count (the headroom metric). */
  async function sweep(requestId: string = randomUUID()): Promise<SweepResult> {
    const ctx = context(requestId, 'system:rotation-sweep');
    const result = await sweepRotations(ctx);
    let poolClients: number | undefined;
    try {
      poolClients = await publishPoolClients(ctx);
    } catch (err) {
      log.error('pool app client count failed', { reason: 'pool_count_failed', errorName: errorName(err) });
    }
    return { ...result, poolClients };
  }

  return {
    api,
    sweep,
    async handler(event, lambdaContext) {
      if (isScheduledEvent(event)) return sweep(lambdaContext?.awsRequestId);
      return api(event, lambdaContext);
    },
  };
}
