/**
 * The secret TenantAppClient writes and the credentials the token client reads
 * are one contract kept in two packages (the token client has no dependency on
 * the constructs): synthesize the secret, fill in what CloudFormation would,
 * and parse it as the token client does.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { M2mUserPool } from '../../lib';
import { credentialsFromSecretString } from '../../token-client/src';

/** What CloudFormation puts where the template refers to a resource, by logical-id prefix. */
const DEPLOYED: Array<[RegExp, string]> = [
  [/^PoolDomain/, 'acme-m2m'],
  [/^PoolTenantglobex.*ClientSecret$/, 'deployed-client-secret-value'],
  [/^PoolTenantglobex/, '4tq1example5clientid6789ab'],
  [/^Pool/, 'eu-west-1_AbCdEf123'],
];

function deployedSecretString(withDomain: boolean, clientTokenAuth?: boolean): string {
  const stack = new Stack(new App(), 'S', { env: { region: 'eu-west-1', account: '111111111111' } });
  const pool = new M2mUserPool(stack, 'Pool', withDomain ? { domainPrefix: 'acme-m2m' } : {});
  const rs = pool.addResourceServer('Orders', { identifier: 'orders', scopes: [{ name: 'read', description: 'Read' }] });
  pool.addTenant('globex', { scopes: [rs.scope('read')], clientTokenAuth });
  const [secret] = Object.values(Template.fromStack(stack).findResources('AWS::SecretsManager::Secret'));
  const parts: unknown[] = secret.Properties.SecretString['Fn::Join'][1];
  return parts.map((p) => {
    if (typeof p === 'string') return p;
    const ref = (p as { Ref?: string }).Ref ?? (p as { 'Fn::GetAtt': string[] })['Fn::GetAtt']?.join('.');
    const hit = DEPLOYED.find(([re]) => re.test(ref ?? ''));
    if (!hit) throw new Error(`no deployed value for ${JSON.stringify(p)}`);
    return hit[1];
  }).join('');
}

test('a client of a pool with a domain: the token endpoint, no user pool id', () => {
  expect(credentialsFromSecretString(deployedSecretString(true))).toEqual({
    tenantId: 'globex',
    clientId: '4tq1example5clientid6789ab',
    clientSecret: 'deployed-client-secret-value',
    tokenEndpoint: 'https://acme-m2m.auth.eu-west-1.amazoncognito.com/oauth2/token',
    scope: 'orders/read',
  });
});

test('a GetClientToken client of a pool with a domain: both', () => {
  expect(credentialsFromSecretString(deployedSecretString(true, true))).toMatchObject({
    tokenEndpoint: 'https://acme-m2m.auth.eu-west-1.amazoncognito.com/oauth2/token',
    userPoolId: 'eu-west-1_AbCdEf123',
  });
});

test('a client of a pool without a domain: the user pool id, from which the token client takes the Region', () => {
  const creds = credentialsFromSecretString(deployedSecretString(false));
  expect(creds).toEqual({
    tenantId: 'globex',
    clientId: '4tq1example5clientid6789ab',
    clientSecret: 'deployed-client-secret-value',
    scope: 'orders/read',
    userPoolId: 'eu-west-1_AbCdEf123',
  });
});
