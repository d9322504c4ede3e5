/**
 * The trigger's configuration (lambda/tenant-claim/config.ts): the defaults,
 * the trusted sources it builds (the client directory, with the registry
 * behind it when TABLE_NAME is set), and a ConfigError naming the variable,
 * the value and the rule for every bad setting.
 */
import { DirectoryTenantResolver } from '../../../lambda/authorizer/directory';
import { RegistryTenantResolver } from '../../../lambda/authorizer/registry-resolver';
import { ConfigError } from '../../../lambda/shared/config';
import { configFromEnv } from '../../../lambda/tenant-claim/config';

const PATH = '/cdk-cognito-m2m/clients/IdentityTenantClaimAB12CD34/';
const DIRECTORY = { CLIENT_TENANTS_PATH: PATH, CLIENT_TENANTS_PARAMETERS: '{"Identity":1}' };
const CLIENTS = { ssm: { region: 'us-east-1' }, dynamodb: { region: 'us-east-1' } };

test('defaults: the tenant_id claim, unknown clients get tokens without it, the directory alone', () => {
  const config = configFromEnv(DIRECTORY, CLIENTS);
  expect({ claimName: config.claimName, denyUnknownClients: config.denyUnknownClients, logLevel: config.logLevel })
    .toEqual({ claimName: 'tenant_id', denyUnknownClients: false, logLevel: 'info' });
  expect(config.tenants).toBeInstanceOf(DirectoryTenantResolver);
});

test('settings: claim name, denying unknown clients, and the registry behind the directory', () => {
  const config = configFromEnv({
    ...DIRECTORY, TENANT_CLAIM_NAME: 'custom:tenant', DENY_UNKNOWN_CLIENTS: 'true', TABLE_NAME: 'registry', LOG_LEVEL: 'debug',
  }, CLIENTS);
  expect({ claimName: config.claimName, denyUnknownClients: config.denyUnknownClients, logLevel: config.logLevel })
    .toEqual({ claimName: 'custom:tenant', denyUnknownClients: true, logLevel: 'debug' });
  expect(config.tenants).toBeInstanceOf(RegistryTenantResolver);
});

test.each([
  ['CLIENT_TENANTS_PATH missing', { CLIENT_TENANTS_PATH: undefined }, 'CLIENT_TENANTS_PATH is not set'],
  ['CLIENT_TENANTS_PATH outside the directory', { CLIENT_TENANTS_PATH: '/elsewhere/' },
    'CLIENT_TENANTS_PATH: "/elsewhere/" is invalid: /cdk-cognito-m2m/clients/<name>/'],
  ['a claim Cognito sets', { TENANT_CLAIM_NAME: 'client_id' },
    'TENANT_CLAIM_NAME: "client_id" is invalid: must not be a claim Cognito sets or the authorizer reads'],
  ['a cognito: claim', { TENANT_CLAIM_NAME: 'cognito:groups' },
    'TENANT_CLAIM_NAME: "cognito:groups" is invalid: must not be a claim Cognito sets or the authorizer reads'],
  ['a claim name with a space', { TENANT_CLAIM_NAME: 'tenant id' },
    'TENANT_CLAIM_NAME: "tenant id" is invalid: must be 1-128 letters, digits, _ . : / or -, starting with a letter'],
  ['DENY_UNKNOWN_CLIENTS not a boolean', { DENY_UNKNOWN_CLIENTS: 'yes' }, 'DENY_UNKNOWN_CLIENTS: "yes" is invalid: true or false'],
  ['a bad TABLE_NAME', { TABLE_NAME: 'a b' }, 'TABLE_NAME: "a b" is invalid: a DynamoDB table name'],
  ['a table ARN (the construct writes the table name)', { TABLE_NAME: 'arn:aws:dynamodb:us-east-1:123456789012:table/registry' },
    'TABLE_NAME: "arn:aws:dynamodb:us-east-1:123456789012:table/registry" is invalid: a DynamoDB table name'],
  ['REGISTRY_CACHE_TTL_SECONDS over 900', { TABLE_NAME: 'registry', REGISTRY_CACHE_TTL_SECONDS: '901' },
    'REGISTRY_CACHE_TTL_SECONDS: "901" is invalid: an integer from 0 to 900 (seconds)'],
  ['REGISTRY_CACHE_TTL_SECONDS not an integer', { TABLE_NAME: 'registry', REGISTRY_CACHE_TTL_SECONDS: '1.5' },
    'REGISTRY_CACHE_TTL_SECONDS: "1.5" is invalid: an integer from 0 to 900 (seconds)'],
  ['CLIENT_TENANTS_PARAMETERS missing (the trigger would not know which parameters the library created)', { CLIENT_TENANTS_PARAMETERS: undefined },
    'CLIENT_TENANTS_PARAMETERS is not set: it must be a JSON object of stack ids (letters and digits) to parameter counts (1-500)'],
  ['CLIENT_TENANTS_PARAMETERS not a map of counts', { CLIENT_TENANTS_PARAMETERS: '{"Identity":"all"}' },
    'CLIENT_TENANTS_PARAMETERS "{\\"Identity\\":\\"all\\"}" must be a JSON object'],
  ['OUTAGE_BACKOFF_MS over a minute', { OUTAGE_BACKOFF_MS: '60001' },
    'OUTAGE_BACKOFF_MS: "60001" is invalid: an integer from 0 to 60000 (milliseconds)'],
  ['OUTAGE_BACKOFF_MS in seconds', { OUTAGE_BACKOFF_MS: '5s' }, 'OUTAGE_BACKOFF_MS: "5s" is invalid: an integer from 0 to 60000 (milliseconds)'],
])('%s is a ConfigError that names it', (_, env, message) => {
  const load = () => configFromEnv({ ...DIRECTORY, ...env }, CLIENTS);
  expect(load).toThrow(ConfigError);
  expect(load).toThrow(message);
});
