import { App, Stack } from 'aws-cdk-lib';
import { M2mUserPool } from '../../lib';
import { poolState } from '../../lib/private/pool-state';

type PoolStateModule = typeof import('../../lib/private/pool-state');

/** A second copy of the module, as when an app has two copies of the library in node_modules. */
function secondCopy(): PoolStateModule {
  let copy: PoolStateModule | undefined;
  jest.isolateModules(() => {
    copy = jest.requireActual('../../lib/private/pool-state');
  });
  return copy!;
}

describe('pool state', () => {
  test('lives on the pool: a second copy of the library sees the tenants and servers the first declared', () => {
    const stack = new Stack(new App(), 'S');
    const pool = new M2mUserPool(stack, 'Pool', { domainPrefix: 'acme-pool-state' });
    const orders = pool.addResourceServer('Orders', { identifier: 'orders', scopes: [{ name: 'read', description: 'Read orders' }] });
    pool.addTenant('acme', { scopes: [orders.scope('read')] });

    const other = secondCopy();
    expect(other.poolState).not.toBe(poolState);
    expect([...other.poolState(pool).tenants.keys()]).toEqual(['acme']);
    expect(other.poolState(pool).servers.map((s) => s.resourceServerIdentifier)).toEqual(['orders']);
    // Scopes resolve through the second copy too, against the pool that defines them.
    expect(other.resolveScopes(pool, 'scopes', pool, [orders.scope('read')]).map((s) => s.name)).toEqual(['orders/read']);
  });

  test('is per pool: the same tenant id in two pools is two tenants', () => {
    const stack = new Stack(new App(), 'S');
    const a = new M2mUserPool(stack, 'A', { domainPrefix: 'acme-state-a' });
    const b = new M2mUserPool(stack, 'B', { domainPrefix: 'acme-state-b' });
    const sa = a.addResourceServer('Orders', { identifier: 'orders', scopes: [{ name: 'read', description: 'Read orders' }] });
    const sb = b.addResourceServer('Orders', { identifier: 'orders', scopes: [{ name: 'read', description: 'Read orders' }] });
    a.addTenant('acme', { scopes: [sa.scope('read')] });
    b.addTenant('acme', { scopes: [sb.scope('read')] });
    expect(poolState(a).tenants.get('acme')).not.toBe(poolState(b).tenants.get('acme'));
    // A scope of pool B is refused on pool A, naming the pool it belongs to.
    expect(() => a.addTenant('globex', { scopes: [sb.scope('read')] })).toThrow(/orders\/read.*another user pool/);
  });

  test('is hidden: not enumerable, not writable, not copied by a spread', () => {
    const stack = new Stack(new App(), 'S');
    const pool = new M2mUserPool(stack, 'Pool', { domainPrefix: 'acme-pool-enum' });
    poolState(pool);
    const ours = Object.getOwnPropertySymbols(pool).filter((s) => s.description?.startsWith('cdk-cognito-m2m.'));
    expect(ours.map((s) => s.description)).toEqual(['cdk-cognito-m2m.PoolState']);
    expect(Object.getOwnPropertyDescriptor(pool, ours[0])).toMatchObject({ enumerable: false, writable: false, configurable: false });
    // An object spread (as aws-cdk-lib copies props) carries no state along.
    expect(Object.getOwnPropertySymbols({ ...pool }).filter((s) => s.description?.startsWith('cdk-cognito-m2m.'))).toEqual([]);
  });
});
