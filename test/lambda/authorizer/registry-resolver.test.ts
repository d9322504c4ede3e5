/**
 * RegistryTenantResolver with a stubbed registry lookup and an injectable
 * clock: declared clients never reach the registry, registry answers are
 * cached for the TTL (positive and negative), a lookup failure fails closed,
 * concurrent lookups coalesce, the cache is bounded. Then, through the
 * authorizer: the denial reasons and the verified-token cache re-check.
 */
import { claims, CLIENTS, jwksOf, KeyPair, makeAuthorizer, makeKey, outcome, sign, tokenEvent } from './helpers';
import { AuthorizerError } from '../../../lambda/authorizer/errors';
import { RegistryTenantResolver } from '../../../lambda/authorizer/registry-resolver';
import { StaticTenantResolver } from '../../../lambda/authorizer/tenant-resolver';
import { ClientStatus, isActive } from '../../../lambda/shared/registry';
import type { RegistryStatus } from '../../../lib/private/contracts/portal-api';

const TTL = 30;
const START = Date.now();

/** A registry stub: statuses by client id, a call log, and an optional fault or gate. */
class FakeRegistry {
  public readonly statuses = new Map<string, ClientStatus>();
  public calls: string[] = [];
  public fault: Error | undefined;
  /** When set, lookups wait for `release()`. */
  private gate: Promise<void> | undefined;
  private open: (() => void) | undefined;

  public readonly lookup = async (clientId: string): Promise<ClientStatus | undefined> => {
    this.calls.push(clientId);
    if (this.gate) await this.gate;
    if (this.fault) throw this.fault;
    return this.statuses.get(clientId);
  };

  public set(clientId: string, tenantId: string, clientStatus: RegistryStatus = 'active', tenantStatus: RegistryStatus = 'active'): void {
    this.statuses.set(clientId, { tenantId, clientStatus, tenantStatus });
  }

  public hold(): void {
    this.gate = new Promise((resolve) => { this.open = resolve; });
  }

  public release(): void {
    this.gate = undefined;
    this.open?.();
  }
}

let clock: number;
let registry: FakeRegistry;
const now = () => clock;
const declared = () => new StaticTenantResolver(new Map(Object.entries(CLIENTS)));
const resolver = (opts: { ttlSeconds?: number; maxEntries?: number; backoffMs?: number } = {}) =>
  new RegistryTenantResolver({
    declared: declared(), lookup: registry.lookup, ttlSeconds: opts.ttlSeconds ?? TTL, maxEntries: opts.maxEntries, backoffMs: opts.backoffMs, now,
  });

/** resolve() as a promise of the tenant id or the error's reason class and client id. */
async function settle(r: RegistryTenantResolver, clientId: string): Promise<string | { reason: string; clientId?: string }> {
  try {
    return await r.resolve(clientId);
  } catch (err) {
    if (!(err instanceof AuthorizerError)) throw err;
    return { reason: err.reason, clientId: err.clientId };
  }
}

beforeEach(() => {
  clock = START;
  registry = new FakeRegistry();
});

describe('declared clients (CLIENT_TENANTS)', () => {
  test('resolve synchronously, never call the registry, and need no re-check', () => {
    const r = resolver();
    registry.set('client1globex', 'someone-else', 'suspended');
    for (let i = 0; i < 100; i++) expect(r.resolve('client1globex')).toBe('globex');
    expect(r.resolve('client2initech')).toBe('initech');
    expect(registry.calls).toEqual([]);
    expect(r.recheckAt('client1globex', clock)).toBeUndefined();
  });
});

describe('registry clients', () => {
  test('active: the tenant id; cached within the TTL (1 lookup for 100 calls), synchronously after the first', async () => {
    const r = resolver();
    registry.set('portalclient1', 'acme');
    const first = r.resolve('portalclient1');
    expect(first).toBeInstanceOf(Promise);
    expect(await first).toBe('acme');
    for (let i = 0; i < 99; i++) {
      clock += 100; // 9.9 s in all: still within the TTL
      expect(r.resolve('portalclient1')).toBe('acme');
    }
    expect(registry.calls).toEqual(['portalclient1']);
    expect(r.recheckAt('portalclient1', clock)).toBe(START + TTL * 1000);
  });

  test.each<[string, RegistryStatus, RegistryStatus]>([
    ['client suspended', 'suspended', 'active'],
    ['tenant suspended', 'active', 'suspended'],
    ['client deleting', 'deleting', 'active'],
    ['client deleted', 'deleted', 'active'],
    ['tenant deleting', 'active', 'deleting'],
    ['tenant deleted (item missing)', 'active', 'deleted'],
  ])('%s: suspended, carrying the client id (cached too)', async (_, clientStatus, tenantStatus) => {
    const r = resolver();
    registry.set('portalclient1', 'acme', clientStatus, tenantStatus);
    await expect(r.resolve('portalclient1')).rejects.toMatchObject({ reason: 'suspended' });
    expect(await settle(r, 'portalclient1')).toEqual({ reason: 'suspended', clientId: 'portalclient1' });
    expect(() => r.resolve('portalclient1')).toThrow(expect.objectContaining({ reason: 'suspended', clientId: 'portalclient1' }));
    expect(registry.calls).toHaveLength(1);
    expect(r.recheckAt('portalclient1', clock)).toBe(clock);
  });

  test('a status change is seen once the TTL has passed, not before', async () => {
    const r = resolver();
    registry.set('portalclient1', 'acme');
    expect(await r.resolve('portalclient1')).toBe('acme');
    registry.set('portalclient1', 'acme', 'suspended');
    clock = START + TTL * 1000 - 1;
    expect(r.resolve('portalclient1')).toBe('acme');
    expect(registry.calls).toHaveLength(1);
    clock = START + TTL * 1000;
    expect(await settle(r, 'portalclient1')).toEqual({ reason: 'suspended', clientId: 'portalclient1' });
    expect(registry.calls).toHaveLength(2);
    // resumed: seen after the next TTL
    registry.set('portalclient1', 'acme', 'active');
    clock += TTL * 1000 - 1;
    expect(await settle(r, 'portalclient1')).toEqual({ reason: 'suspended', clientId: 'portalclient1' });
    clock += 1;
    expect(await r.resolve('portalclient1')).toBe('acme');
    expect(registry.calls).toHaveLength(3);
  });

  test('unknown: untrusted_client, cached negatively for the TTL, then looked up again', async () => {
    const r = resolver();
    await expect(r.resolve('strangerclient')).rejects.toMatchObject({ reason: 'untrusted_client' });
    for (let i = 0; i < 10; i++) expect(() => r.resolve('strangerclient')).toThrow(expect.objectContaining({ reason: 'untrusted_client' }));
    expect(await settle(r, 'strangerclient')).toEqual({ reason: 'untrusted_client', clientId: 'strangerclient' });
    expect(registry.calls).toEqual(['strangerclient']);
    // registered in the meantime: known after the TTL
    registry.set('strangerclient', 'acme');
    clock += TTL * 1000;
    expect(await r.resolve('strangerclient')).toBe('acme');
    expect(registry.calls).toHaveLength(2);
  });

  test('TTL 0: every call looks up (no caching)', async () => {
    const r = resolver({ ttlSeconds: 0 });
    registry.set('portalclient1', 'acme');
    for (let i = 0; i < 5; i++) expect(await r.resolve('portalclient1')).toBe('acme');
    expect(registry.calls).toHaveLength(5);
    expect(r.recheckAt('portalclient1', clock)).toBe(clock);
  });

  test('the TTL runs from the start of the lookup (a slow lookup does not extend it)', async () => {
    const r = resolver();
    registry.set('portalclient1', 'acme');
    registry.hold();
    const p = r.resolve('portalclient1');
    clock += 5_000; // the read takes 5 s
    registry.release();
    expect(await p).toBe('acme');
    expect(r.recheckAt('portalclient1', clock)).toBe(START + TTL * 1000);
  });
});

describe('registry outage (fail closed)', () => {
  test('a lookup error is registry_unavailable with the client id and the cause; never cached', async () => {
    const r = resolver();
    const cause = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { name: 'TimeoutError' });
    registry.fault = cause;
    const err = await Promise.resolve(r.resolve('portalclient1')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthorizerError);
    expect(err).toMatchObject({ reason: 'registry_unavailable', clientId: 'portalclient1' });
    expect((err as AuthorizerError).cause).toBe(cause);
    expect(await settle(r, 'portalclient1')).toEqual({ reason: 'registry_unavailable', clientId: 'portalclient1' });
    expect(registry.calls).toHaveLength(2);
    // back up: answered at once
    registry.fault = undefined;
    registry.set('portalclient1', 'acme');
    expect(await r.resolve('portalclient1')).toBe('acme');
  });

  test('a synchronous throw of the lookup is handled the same way', async () => {
    const r = new RegistryTenantResolver({
      declared: declared(),
      lookup: () => { throw new Error('boom'); },
      ttlSeconds: TTL,
      now,
    });
    expect(await settle(r, 'portalclient1')).toEqual({ reason: 'registry_unavailable', clientId: 'portalclient1' });
  });

  test('an expired entry is not served during an outage', async () => {
    const r = resolver();
    registry.set('portalclient1', 'acme');
    expect(await r.resolve('portalclient1')).toBe('acme');
    registry.fault = new Error('down');
    clock += TTL * 1000;
    expect(await settle(r, 'portalclient1')).toEqual({ reason: 'registry_unavailable', clientId: 'portalclient1' });
    expect(r.recheckAt('portalclient1', clock)).toBe(clock);
  });

  test('declared clients are unaffected', async () => {
    const r = resolver();
    registry.fault = new Error('down');
    expect(r.resolve('client1globex')).toBe('globex');
    expect(registry.calls).toEqual([]);
  });
});

describe('outage back-off (controlled clock, lookups counted)', () => {
  const BACKOFF = 5000;
  const down = () => { registry.fault = Object.assign(new Error('socket hang up'), { name: 'TimeoutError' }); };

  /** 100 requests, one every 10 ms (990 ms in all), from `start` (ms after START); `clientOf(i)` makes each. */
  async function burst(r: RegistryTenantResolver, start: number, clientOf: (i: number) => string): Promise<unknown[]> {
    const out: unknown[] = [];
    for (let i = 0; i < 100; i++) {
      clock = START + start + i * 10;
      out.push(await settle(r, clientOf(i)));
    }
    return out;
  }

  test('one client, registry down: 100 requests within 1 s make 1 lookup, each denied from memory with the client id', async () => {
    const r = resolver({ backoffMs: BACKOFF });
    down();
    expect(await burst(r, 0, () => 'portalclient1')).toEqual(Array(100).fill({ reason: 'registry_unavailable', clientId: 'portalclient1' }));
    expect(registry.calls).toEqual(['portalclient1']);
  });

  test('100 different clients within 1 s: still 1 lookup (an outage is the table\'s, not one item\'s); each denial names its client', async () => {
    const r = resolver({ backoffMs: BACKOFF });
    down();
    const out = await burst(r, 0, (i) => `portalclient${i}`);
    expect(out).toEqual(Array.from({ length: 100 }, (_, i) => ({ reason: 'registry_unavailable', clientId: `portalclient${i}` })));
    expect(registry.calls).toHaveLength(1);
    // The denial from memory carries the outage's error, for the operator's log line.
    clock = START + 999;
    expect(() => r.resolve('another')).toThrow(expect.objectContaining({ reason: 'registry_unavailable', clientId: 'another', cause: registry.fault }));
  });

  test('one lookup per window while the outage lasts; the first success after it recovers every client', async () => {
    const r = resolver({ backoffMs: BACKOFF });
    down();
    await burst(r, 0, (i) => `portalclient${i % 3}`);
    clock = START + BACKOFF - 1;
    expect(await settle(r, 'portalclient1')).toMatchObject({ reason: 'registry_unavailable' });
    expect(registry.calls).toHaveLength(1);
    await burst(r, BACKOFF, (i) => `portalclient${i % 3}`);
    expect(registry.calls).toHaveLength(2);
    // Back up: the next window's first request looks up and is answered; the back-off is over for the others too.
    registry.fault = undefined;
    registry.set('portalclient1', 'acme');
    registry.set('portalclient2', 'acme', 'suspended');
    clock = START + 2 * BACKOFF;
    expect(await r.resolve('portalclient1')).toBe('acme');
    expect(await settle(r, 'portalclient2')).toEqual({ reason: 'suspended', clientId: 'portalclient2' });
    expect(await settle(r, 'portalclient0')).toEqual({ reason: 'untrusted_client', clientId: 'portalclient0' });
    expect(registry.calls).toHaveLength(5);
  });

  test('answers still fresh in memory keep serving during the back-off; an expired one is denied, never served', async () => {
    const r = resolver({ backoffMs: BACKOFF });
    registry.set('portalclient1', 'acme');
    registry.set('portalclient2', 'acme');
    expect(await r.resolve('portalclient1')).toBe('acme');
    clock = START + 20_000;
    expect(await r.resolve('portalclient2')).toBe('acme');
    down();
    clock = START + TTL * 1000; // portalclient1's answer has expired; portalclient2's has 20 s left
    expect(await settle(r, 'portalclient1')).toMatchObject({ reason: 'registry_unavailable' });
    for (let i = 0; i < 100; i++) {
      clock = START + TTL * 1000 + i * 10;
      expect(r.resolve('portalclient2')).toBe('acme');
      expect(() => r.resolve('portalclient1')).toThrow(expect.objectContaining({ reason: 'registry_unavailable' }));
    }
    expect(registry.calls).toEqual(['portalclient1', 'portalclient2', 'portalclient1']);
  });

  test('declared clients never wait for the registry, in or out of the back-off', async () => {
    const r = resolver({ backoffMs: BACKOFF });
    down();
    await settle(r, 'portalclient1');
    expect(r.resolve('client1globex')).toBe('globex');
    expect(registry.calls).toHaveLength(1);
  });

  test('the finding without back-off (backoffMs 0, the default of the class): 100 requests within 1 s make 100 lookups', async () => {
    const r = resolver();
    down();
    await burst(r, 0, () => 'portalclient1');
    expect(registry.calls).toHaveLength(100);
  });
});

describe('coalescing and bounds', () => {
  test('concurrent lookups for one client share one promise', async () => {
    const r = resolver();
    registry.set('portalclient1', 'acme');
    registry.set('portalclient2', 'acme', 'suspended');
    registry.hold();
    const a = Array.from({ length: 50 }, () => settle(r, 'portalclient1'));
    const b = Array.from({ length: 50 }, () => settle(r, 'portalclient2'));
    registry.release();
    expect(new Set(await Promise.all(a))).toEqual(new Set(['acme']));
    expect((await Promise.all(b)).every((x) => typeof x === 'object' && x.reason === 'suspended')).toBe(true);
    expect(registry.calls.sort()).toEqual(['portalclient1', 'portalclient2']);
  });

  test('a failed shared lookup rejects every waiter and is not kept', async () => {
    const r = resolver();
    registry.hold();
    registry.fault = new Error('down');
    const waiters = Array.from({ length: 20 }, () => settle(r, 'portalclient1'));
    registry.release();
    for (const w of await Promise.all(waiters)) expect(w).toEqual({ reason: 'registry_unavailable', clientId: 'portalclient1' });
    expect(registry.calls).toHaveLength(1);
    registry.fault = undefined;
    registry.set('portalclient1', 'acme');
    expect(await r.resolve('portalclient1')).toBe('acme');
    expect(registry.calls).toHaveLength(2);
  });

  test('the cache holds at most maxEntries client ids (oldest answer evicted first)', async () => {
    const r = resolver({ maxEntries: 100 });
    for (let i = 0; i < 250; i++) registry.set(`portalclient${i}`, 'acme');
    for (let i = 0; i < 250; i++) expect(await r.resolve(`portalclient${i}`)).toBe('acme');
    expect(r.size).toBe(100);
    // the newest are cached, the oldest were evicted
    expect(r.resolve('portalclient249')).toBe('acme');
    expect(registry.calls).toHaveLength(250);
    expect(await r.resolve('portalclient0')).toBe('acme');
    expect(registry.calls).toHaveLength(251);
    expect(r.size).toBe(100);
  });

  test('the default bound is 10,000 client ids', async () => {
    const r = resolver();
    for (let i = 0; i < 10_050; i++) {
      registry.statuses.set(`c${i}`, { tenantId: 't', clientStatus: 'active', tenantStatus: 'active' });
      await r.resolve(`c${i}`);
    }
    expect(r.size).toBe(10_000);
  });
});

test('the resolver applies the same rule as isActive of the registry module', async () => {
  const statuses: RegistryStatus[] = ['active', 'suspended', 'deleting', 'deleted'];
  for (const c of statuses) {
    for (const t of statuses) {
      registry = new FakeRegistry();
      registry.set('portalclient1', 'acme', c, t);
      const got = await settle(resolver(), 'portalclient1');
      expect({ c, t, allowed: got === 'acme' }).toEqual({ c, t, allowed: isActive(registry.statuses.get('portalclient1')) });
    }
  }
});

describe('through the authorizer', () => {
  let key: KeyPair;
  beforeAll(() => { key = makeKey(); });

  const setupAuthorizer = (r: RegistryTenantResolver) => makeAuthorizer({ jwks: jwksOf(key), deps: { tenants: r, now } });
  const tokenOf = (clientId: string) => sign(key, claims({ client_id: clientId, sub: clientId }));

  test('registry client allowed with its tenant; suspended and outage denials log one line each with the reason', async () => {
    const r = resolver();
    const t = setupAuthorizer(r);
    registry.set('portalclient1', 'acme');
    registry.set('portalclient2', 'acme', 'active', 'suspended');
    expect(await outcome(t.authorizer, tokenEvent(tokenOf('portalclient1')))).toMatchObject({ context: { tenantId: 'acme', clientId: 'portalclient1' } });
    expect(await outcome(t.authorizer, tokenEvent(tokenOf('portalclient2')))).toBe('Unauthorized');
    expect(await outcome(t.authorizer, tokenEvent(tokenOf('strangerclient')))).toBe('Unauthorized');
    registry.fault = Object.assign(new Error('socket hang up'), { name: 'TimeoutError' });
    expect(await outcome(t.authorizer, tokenEvent(tokenOf('portalclient3')))).toBe('Unauthorized');
    expect(t.decisionLogs()).toEqual([
      { level: 'warn', msg: 'denied', reason: 'suspended', clientId: 'portalclient2' },
      { level: 'warn', msg: 'denied', reason: 'untrusted_client', clientId: 'strangerclient' },
      { level: 'error', msg: 'denied', reason: 'registry_unavailable', clientId: 'portalclient3', errorName: 'TimeoutError' },
    ]);
    // the token never appears in a log line
    expect(t.lines.join('')).not.toContain(tokenOf('portalclient3').slice(-40));
    // only the allowed registry client's token is seen, with the registry's tenant
    expect(t.firstSeen()).toEqual([expect.objectContaining({ clientId: 'portalclient1', tenantId: 'acme' })]);
  });

  test('a cached registry token is re-checked once the status TTL has passed; a declared client token is not', async () => {
    const r = resolver();
    const t = setupAuthorizer(r);
    registry.set('portalclient1', 'acme');
    const registryToken = tokenOf('portalclient1');
    const declaredToken = tokenOf('client1globex');
    expect(await outcome(t.authorizer, tokenEvent(registryToken))).toMatchObject({ context: { tenantId: 'acme' } });
    expect(await outcome(t.authorizer, tokenEvent(declaredToken))).toMatchObject({ context: { tenantId: 'globex' } });
    registry.set('portalclient1', 'acme', 'suspended');
    clock = START + TTL * 1000 - 1;
    // still within the TTL: answered from the caches
    expect(await outcome(t.authorizer, tokenEvent(registryToken))).toMatchObject({ context: { tenantId: 'acme' } });
    expect(registry.calls).toHaveLength(1);
    clock = START + TTL * 1000;
    expect(await outcome(t.authorizer, tokenEvent(registryToken))).toBe('Unauthorized');
    expect(registry.calls).toHaveLength(2);
    expect(t.decisionLogs()).toEqual([{ level: 'warn', msg: 'denied', reason: 'suspended', clientId: 'portalclient1' }]);
    // the declared client's cached token is unaffected (and never looked up)
    expect(await outcome(t.authorizer, tokenEvent(declaredToken))).toMatchObject({ context: { tenantId: 'globex' } });
    expect(registry.calls).toEqual(['portalclient1', 'portalclient1']);
  });

  test('a registry token whose answer was re-checked and still active is re-cached until the next TTL', async () => {
    const r = resolver();
    const t = setupAuthorizer(r);
    registry.set('portalclient1', 'acme');
    const token = tokenOf('portalclient1');
    for (let i = 0; i < 3 * TTL; i++) {
      expect(await outcome(t.authorizer, tokenEvent(token))).toMatchObject({ context: { tenantId: 'acme' } });
      clock += 1000;
    }
    // one lookup per TTL window
    expect(registry.calls).toHaveLength(3);
    // one line for the token in all: its first sighting; a re-check that stores it again is no new sighting
    expect(t.logs()).toEqual([expect.objectContaining({ msg: 'token first seen', clientId: 'portalclient1', tenantId: 'acme' })]);
  });
});
