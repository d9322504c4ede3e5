import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { M2mUserPool } from '../lib';

/** Logical ids of every app client (and its secret), keyed by client name. */
function clientIds(tenants: string[]): Record<string, string[]> {
  const stack = new Stack(new App(), 'Ids');
  const pool = new M2mUserPool(stack, 'Pool', { domainPrefix: 'acme-ids' });
  const rs = pool.addResourceServer('Orders', { identifier: 'orders', scopes: [{ name: 'read', description: 'Read' }] });
  for (const t of tenants) pool.addTenant(t, { scopes: [rs.scope('read')] });
  const t = Template.fromStack(stack);
  const out: Record<string, string[]> = {};
  for (const [id, r] of Object.entries(t.findResources('AWS::Cognito::UserPoolClient'))) {
    const name = r.Properties.ClientName as string;
    const secret = Object.entries(t.findResources('AWS::SecretsManager::Secret'))
      .find(([, s]) => JSON.stringify(s.Properties.SecretString).includes(`{\\"tenantId\\":\\"${name}\\"`))![0];
    out[name] = [id, secret];
  }
  return out;
}

describe('logical-id stability', () => {
  test('logical ids are pinned: changing them would replace clients and their secrets', () => {
    expect(clientIds(['globex', 'initech'])).toEqual({
      globex: ['PoolTenantglobexCAFF896F', 'PoolTenantglobexSecret367818AC'],
      initech: ['PoolTenantinitechE1A63387', 'PoolTenantinitechSecret5B30993E'],
    });
  });

  test('adding, removing or reordering other tenants leaves a client\'s logical ids unchanged', () => {
    const before = clientIds(['globex', 'initech', 'umbrella']);
    const added = clientIds(['acme', 'globex', 'initech', 'umbrella', 'zeta']);
    const removed = clientIds(['umbrella', 'globex']);
    const reordered = clientIds(['umbrella', 'initech', 'globex']);
    for (const variant of [added, removed, reordered]) {
      for (const [name, ids] of Object.entries(variant)) {
        if (before[name]) expect(ids).toEqual(before[name]);
      }
    }
    expect(Object.keys(added)).toHaveLength(5);
  });
});
