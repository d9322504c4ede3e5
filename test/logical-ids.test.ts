import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { DeveloperPortal, M2mUserPool } from '../lib';

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

test('the portal web UI\'s stateful resources have pinned logical ids: changing them would replace the sign-in pool (and everybody in it) or the site', () => {
  const stack = new Stack(new App(), 'Ids');
  const pool = new M2mUserPool(stack, 'Pool', { domainPrefix: 'acme-ids' });
  const rs = pool.addResourceServer('Orders', { identifier: 'orders', scopes: [{ name: 'read', description: 'Read' }] });
  new DeveloperPortal(stack, 'Portal', { userPool: pool, grantableScopes: [rs.scope('read')], webUi: { signInDomainPrefix: 'acme-ids-portal' } });
  const t = Template.fromStack(stack);
  const ids = (type: string) => Object.keys(t.findResources(type)).filter((id) => id.startsWith('Portal')).sort();
  expect({
    pools: ids('AWS::Cognito::UserPool'),
    clients: ids('AWS::Cognito::UserPoolClient'),
    buckets: ids('AWS::S3::Bucket'),
    distributions: ids('AWS::CloudFront::Distribution'),
    keys: ids('AWS::KMS::Key'),
  }).toEqual({
    pools: ['PortalSignInD715881A'],
    clients: ['PortalSignInWebClient7762ED52'],
    buckets: ['PortalWebUiAccessLogs567A41F9', 'PortalWebUiBucket17DD8998'],
    distributions: ['PortalWebUiDistribution3359CBA4'],
    keys: ['PortalRegistryKey919D0598', 'PortalWebUiKey886DE930'],
  });
});
