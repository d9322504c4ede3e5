/**
 * The contracts between the constructs and the handlers
 * (lib/private/contracts/) hold on both sides:
 * - every function the constructs synthesize has only variables its
 *   environment contract lists, the variants together all of them, and its
 *   handler's loader accepts the synthesized values (tokens resolved to what
 *   CloudFormation would put there) and reads every variable the construct
 *   set and none outside the contract;
 * - each id rule accepts and refuses the same values on every side that
 *   checks it (synth-time props, environment readers, request checks);
 * - the token client, published on its own, reads the secret the constructs
 *   write: the same fields, the same user pool ids.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { configFromEnv as authorizerConfig } from '../../lambda/authorizer/config';
import { PEOPLE, personOf } from '../../lambda/authorizer/people';
import { registryBuild } from '../../lambda/authorizer/registry-build';
import { loadConfig as rotationConfig } from '../../lambda/client-rotation/config';
import { loadConfig as portalConfig } from '../../lambda/portal/config';
import { checkClientId, checkUsername, parseCreateTenant } from '../../lambda/portal/validation';
import { ConfigError, Env } from '../../lambda/shared/config';
import { configFromEnv as tenantClaimConfig } from '../../lambda/tenant-claim/config';
import { loadConfig as tokenBudgetConfig } from '../../lambda/token-budget/config';
import {
  DeveloperPortal, IssuerFormat, M2mAuthorizer, M2mUserPool, PortalUserPool, ScopedRestApi, TenantAppClient, TenantClaim, TenantRegistry,
  TokenBudgets,
} from '../../lib';
import { parseMapping } from '../../lib/private/contracts/client-directory';
import { CLIENT_CREDENTIALS_FIELDS, ClientCredentialsSecret } from '../../lib/private/contracts/client-rotation';
import {
  AUTHORIZER_ENVIRONMENT, CLIENT_ROTATION_ENVIRONMENT, FunctionEnvironment, PORTAL_AUTHORIZER_ENVIRONMENT, PORTAL_ENVIRONMENT,
  TENANT_CLAIM_ENVIRONMENT, TOKEN_BUDGET_ENVIRONMENT,
} from '../../lib/private/contracts/environments';
import { CLIENT_ID, GROUP_NAME, IdRule, matchesRule, TABLE_NAME, TENANT_ID, TOKEN_ENDPOINT, USER_POOL_ID, USERNAME } from '../../lib/private/contracts/ids';
import { ClientCredentials, credentialsFromSecretString } from '../../token-client/src';
import { mockIntegration } from '../fixtures';
import { REFERENCE_ROUTES } from '../lambda/authorizer/helpers';

// ---- synthesized functions -------------------------------------------------------------

/** The kinds of function the constructs create, by the description they give it. */
type Kind = 'authorizer' | 'portalAuthorizer' | 'tenantClaim' | 'portal' | 'rotation' | 'tokenBudget';

const CONTRACT: Record<Kind, FunctionEnvironment> = {
  authorizer: AUTHORIZER_ENVIRONMENT,
  portalAuthorizer: PORTAL_AUTHORIZER_ENVIRONMENT,
  tenantClaim: TENANT_CLAIM_ENVIRONMENT,
  portal: PORTAL_ENVIRONMENT,
  rotation: CLIENT_ROTATION_ENVIRONMENT,
  tokenBudget: TOKEN_BUDGET_ENVIRONMENT,
};

interface SynthesizedFunction {
  readonly kind: Kind;
  readonly logicalId: string;
  /** The variables with tokens resolved to deployed values. */
  readonly env: Record<string, string>;
}

function kindOf(logicalId: string, description: string): Kind | undefined {
  if (description.startsWith('Verifies Cognito M2M access tokens')) return logicalId.startsWith('Portal') ? 'portalAuthorizer' : 'authorizer';
  if (description.startsWith('Adds the calling app client\'s tenant')) return 'tenantClaim';
  if (description.startsWith('Developer portal: registers')) return 'portal';
  if (description.startsWith('Rotates the client secrets')) return 'rotation';
  if (description.startsWith('Counts the tokens')) return 'tokenBudget';
  return undefined;
}

/**
 * What CloudFormation puts where a template refers to a resource: a value of
 * the form each attribute has once deployed (pool ids, client ids, table
 * names, domains), so that the handlers' checks see realistic values.
 */
function deployedValue(template: Record<string, any>, value: unknown): string {
  if (typeof value === 'string') return value;
  const v = value as Record<string, any>;
  if (v['Fn::Join']) return (v['Fn::Join'][1] as unknown[]).map((p) => deployedValue(template, p)).join(v['Fn::Join'][0]);
  if (v.Ref === 'AWS::Region') return 'us-east-1';
  if (v.Ref === 'AWS::URLSuffix') return 'amazonaws.com';
  const [id, attribute] = v.Ref !== undefined ? [v.Ref as string, 'Ref'] : v['Fn::GetAtt'] as [string, string];
  const type = template.Resources[id]?.Type;
  const suffix = id.replace(/[^A-Za-z0-9]/g, '').slice(-12);
  switch (`${type}.${attribute}`) {
    case 'AWS::Cognito::UserPool.Ref': return `us-east-1_${suffix}`;
    case 'AWS::Cognito::UserPoolClient.Ref': return `client${suffix.toLowerCase()}`;
    case 'AWS::Cognito::UserPoolDomain.Ref': return `domain-${suffix.toLowerCase()}`;
    case 'AWS::DynamoDB::Table.Ref': return `registry-${suffix}`;
    case 'AWS::ApiGateway::UsagePlan.Ref': return `plan${suffix.toLowerCase()}`;
    case 'AWS::CloudFront::Distribution.DomainName': return `d${suffix.toLowerCase()}.cloudfront.net`;
    default: throw new Error(`no deployed value for ${JSON.stringify(value)} (${type})`);
  }
}

function functionsOf(stack: Stack): SynthesizedFunction[] {
  const template = Template.fromStack(stack).toJSON();
  return Object.entries(template.Resources as Record<string, any>)
    .filter(([, r]) => r.Type === 'AWS::Lambda::Function')
    .flatMap(([logicalId, r]) => {
      const kind = kindOf(logicalId, r.Properties.Description ?? '');
      if (!kind) return [];
      const variables = r.Properties.Environment?.Variables ?? {};
      const env = Object.fromEntries(Object.entries(variables).map(([k, v]) => [k, deployedValue(template, v)]));
      return [{ kind, logicalId, env }];
    });
}

/** The apps whose functions are checked: between them, every option that sets a variable. */
function scenarios(): SynthesizedFunction[] {
  const app = new App();
  const env = { account: '111111111111', region: 'us-east-1' };

  // A portal with a web UI and a tiered API; a business API sharing its registry, with every authorizer option.
  const main = new Stack(app, 'Main', { env });
  const pool = new M2mUserPool(main, 'Pool', { domainPrefix: 'acme-test' });
  const orders = pool.addResourceServer('Orders', {
    identifier: 'https://api.acme.example/orders', scopes: [{ name: 'read', description: 'Read orders' }],
  });
  pool.addTenant('globex', { scopes: [orders.scope('read')], rotationSchedule: Duration.days(30) });
  const eu = new M2mUserPool(main, 'EuPool', { domainPrefix: 'acme-eu', issuerFormats: [IssuerFormat.ORIGINAL, IssuerFormat.UPDATED] });
  const portal = new DeveloperPortal(main, 'Portal', {
    userPool: pool,
    grantableScopes: orders.scopes,
    webUi: { signInDomainPrefix: 'acme-portal', platformAdmins: [{ username: 'root', email: 'root@acme.example' }] },
  });
  const business = new ScopedRestApi(main, 'Business', {
    userPool: pool,
    authorizer: M2mAuthorizer.tenantAware({ registry: portal.registry, additionalUserPools: [eu], outageBackoff: Duration.seconds(2) }),
  });
  business.addScopedMethod(business.root.addResource('orders'), 'GET', mockIntegration(), { scopes: [orders.scope('read')] });
  business.addUsageTier('basic', { rateLimit: 5, burstLimit: 10, isDefault: true });
  portal.addTieredApi('orders', business);
  new TenantClaim(main, 'TenantClaim', { userPool: pool, registry: portal.registry, outageBackoff: Duration.seconds(1) });
  // Token budgets of the business API, with the portal's registry, an alarm topic and a client budget; the portal lifts suspensions.
  pool.addTenant('initech', { scopes: [orders.scope('read')], tokenBudget: { perHour: 100, suspendFor: Duration.minutes(10) } });
  const budgets = new TokenBudgets(main, 'Budgets', {
    api: business, tenants: { globex: { perDay: 1000 } }, alarmTopic: sns.Topic.fromTopicArn(main, 'Oncall', 'arn:aws:sns:us-east-1:111111111111:oncall'),
  });
  portal.addTokenBudgets(budgets);

  // An API whose pool issues UPDATED tokens, with its clients in another stack (the SSM directory); a portal without a web UI.
  const updatedPool = new M2mUserPool(main, 'UpdatedPool', { domainPrefix: 'acme-updated', issuerFormats: [IssuerFormat.UPDATED] });
  const updatedScope = updatedPool.addResourceServer('Res', { identifier: 'res', scopes: [{ name: 'go', description: 'Go' }] });
  const tenants = new Stack(app, 'Tenants', { env });
  new TenantAppClient(tenants, 'Initech', { userPool: updatedPool, tenantId: 'initech', scopes: [updatedScope.scope('go')] });
  const remote = new ScopedRestApi(main, 'Remote', { userPool: updatedPool, authorizer: M2mAuthorizer.tenantAware() });
  remote.addScopedMethod(remote.root, 'GET', mockIntegration(), { scopes: [updatedScope.scope('go')] });
  new DeveloperPortal(main, 'Plain', { userPool: updatedPool, grantableScopes: updatedScope.scopes, registry: new TenantRegistry(main, 'PlainRegistry') });

  // A pool without a domain: its rotation function has no token endpoint.
  const bare = new M2mUserPool(main, 'BarePool', {});
  const bareScope = bare.addResourceServer('Bare', { identifier: 'bare', scopes: [{ name: 'x', description: 'X' }] });
  bare.addTenant('hooli', { scopes: [bareScope.scope('x')], rotationSchedule: Duration.days(30), clientTokenAuth: true });

  return [...functionsOf(main), ...functionsOf(tenants)];
}

let bundleDir: string;
let synthesized: SynthesizedFunction[];
beforeAll(() => {
  bundleDir = fs.mkdtempSync(path.join(os.tmpdir(), 'contracts-'));
  fs.writeFileSync(path.join(bundleDir, 'routes.json'), JSON.stringify(REFERENCE_ROUTES));
  synthesized = scenarios();
});
afterAll(() => fs.rmSync(bundleDir, { recursive: true, force: true }));

/** Loads a function's configuration as its handler does at cold start, recording every variable it reads. */
function load(fn: SynthesizedFunction): Set<string> {
  const read = new Set<string>();
  const env: Env = new Proxy(fn.env, {
    get: (target, name) => {
      if (typeof name === 'string') read.add(name);
      return target[name as string];
    },
  });
  switch (fn.kind) {
    case 'authorizer':
      authorizerConfig(env, bundleDir, registryBuild);
      break;
    case 'portalAuthorizer':
      authorizerConfig(env, bundleDir, registryBuild);
      PEOPLE.fromEnv(env);
      break;
    case 'tenantClaim':
      tenantClaimConfig(env);
      break;
    case 'portal':
      portalConfig(env);
      break;
    case 'rotation':
      rotationConfig(env);
      break;
    case 'tokenBudget':
      tokenBudgetConfig(env);
      break;
  }
  return read;
}

describe('environments: the constructs set, and the handlers read, exactly the variables of each function\'s contract', () => {
  test('the apps hold every kind of function', () => {
    expect(new Set(synthesized.map((f) => f.kind))).toEqual(new Set(Object.keys(CONTRACT)));
  });

  test.each(Object.keys(CONTRACT) as Kind[])('%s: every variable set is in the contract, and the variants together set all of it', (kind) => {
    const fns = synthesized.filter((f) => f.kind === kind);
    // The portal's authorizer is the tenant-aware authorizer with the sign-in pool: the authorizer's variants set the rest.
    const variants = kind === 'portalAuthorizer' ? synthesized.filter((f) => f.kind === 'authorizer' || f.kind === kind) : fns;
    const set = new Set(variants.flatMap((f) => Object.keys(f.env)));
    for (const fn of fns) {
      const outside = Object.keys(fn.env).filter((k) => !CONTRACT[kind].set.includes(k));
      expect({ fn: fn.logicalId, outside }).toEqual({ fn: fn.logicalId, outside: [] });
    }
    expect([...set].sort()).toEqual([...CONTRACT[kind].set].sort());
  });

  test.each(Object.keys(CONTRACT) as Kind[])('%s: the handler accepts each synthesized environment, reads all of it and nothing outside the contract', (kind) => {
    for (const fn of synthesized.filter((f) => f.kind === kind)) {
      const read = load(fn);
      const allowed = new Set([...CONTRACT[kind].set, ...CONTRACT[kind].operator, 'AWS_LAMBDA_FUNCTION_NAME']);
      expect({ fn: fn.logicalId, unread: Object.keys(fn.env).filter((k) => !read.has(k)) }).toEqual({ fn: fn.logicalId, unread: [] });
      expect({ fn: fn.logicalId, outside: [...read].filter((k) => !allowed.has(k)) }).toEqual({ fn: fn.logicalId, outside: [] });
    }
  });

  test('each contract\'s operator variables are read by its handler\'s loader (with none of them set)', () => {
    // The portal's entry reads LOG_LEVEL itself, before its configuration (to log a configuration error).
    for (const kind of (Object.keys(CONTRACT) as Kind[]).filter((k) => k !== 'portal')) {
      const read = new Set(synthesized.filter((f) => f.kind === kind).flatMap((fn) => [...load(fn)]));
      expect({ kind, unread: CONTRACT[kind].operator.filter((k) => !read.has(k)) }).toEqual({ kind, unread: [] });
    }
  });
});

// ---- id rules ----------------------------------------------------------------------------

/** Whether a check accepts a value: returns normally, or throws the side's own validation error. */
function accepts(check: () => unknown): boolean {
  try {
    check();
    return true;
  } catch (err) {
    if (err instanceof ConfigError || (err instanceof Error && /is invalid|not a client id|must be a tenant id/.test(err.message))) return false;
    throw err;
  }
}

/** A fresh stack, for one synth-time check. */
const stack = () => new Stack(new App(), 'S');

interface Examples {
  readonly rule: IdRule;
  readonly valid: readonly string[];
  readonly invalid: readonly string[];
  /** Each side's check, by where it runs. */
  readonly sides: Record<string, (value: string) => unknown>;
}

const EXAMPLES: Record<string, Examples> = {
  TENANT_ID: {
    rule: TENANT_ID,
    valid: ['globex', 'a', 'acme.eu-west_1', 'A'.repeat(64)],
    invalid: ['', '-globex', 'globex.', 'a b', 'a/b', 'A'.repeat(65), 'tenant@x'],
    sides: {
      'TenantAppClient tenantId (synth)': (v) => TenantAppClient.fromTenantAppClientAttributes(stack(), 'Client', { tenantId: v, userPoolClientId: 'client1' }),
      'portal request tenantId': (v) => parseCreateTenant({ tenantId: v }),
      'client directory mapping value': (v) => parseMapping(JSON.stringify({ client1: v }), 'CLIENT_TENANTS'),
      'authorizer: tenant group of a person': (v) => {
        const config = { userPoolId: 'us-east-1_P', clientId: 'web', adminGroup: 'admins', tenantGroupPrefix: 'tenant-', adminScope: 'a', tenantAdminScope: 't' };
        if (!personOf({ 'username': 'u', 'cognito:groups': [`tenant-${v}`] }, config)) throw new Error('tenant id is invalid');
      },
    },
  },
  CLIENT_ID: {
    rule: CLIENT_ID,
    valid: ['4tq1example5clientid6789ab', 'client_1', 'a+b', 'x'.repeat(128)],
    invalid: ['', 'client-1', 'a b', 'us-east-1_Pool/x/y', 'x'.repeat(129)],
    sides: {
      'portal path clientId': (v) => checkClientId(v),
      'client directory mapping key': (v) => parseMapping(JSON.stringify({ [v]: 'globex' }), 'CLIENT_TENANTS'),
      'authorizer PEOPLE_CLIENT_ID': (v) => PEOPLE.fromEnv({ ...PEOPLE_VARIABLES, PEOPLE_CLIENT_ID: v }),
    },
  },
  USER_POOL_ID: {
    rule: USER_POOL_ID,
    valid: ['us-east-1_AbCdEf123', 'eu-west-1_x', 'us-gov-west-1_Ab1', 'cn-north-1_Ab1', 'eusc-de-east-1_Ab1', 'ap-southeast-2_Far123'],
    invalid: ['', 'nope', 'us-east-1-AbC', 'us-east-1_', '_Ab1', 'US-EAST-1_Ab1', 'us-east-1_Ab-1', `us-east-1_${'a'.repeat(50)}`],
    sides: {
      'authorizer USER_POOL_ID': (v) => authorizerConfig({ USER_POOL_ID: v, CLIENT_TENANTS: '{"client1":"globex"}' }, bundleDir),
      'authorizer PEOPLE_POOL_ID': (v) => PEOPLE.fromEnv({ ...PEOPLE_VARIABLES, PEOPLE_POOL_ID: v }),
      'portal USER_POOL_ID': (v) => portalConfig({ ...PORTAL_VARIABLES, USER_POOL_ID: v }),
      'rotation USER_POOL_ID': (v) => rotationConfig({ ...ROTATION_VARIABLES, USER_POOL_ID: v }),
      'client directory key of another pool\'s client': (v) => parseMapping(JSON.stringify({ [`${v}/client1`]: 'globex' }), 'CLIENT_TENANTS'),
      'token client userPoolId': (v) => tokenClientAccepts({ userPoolId: v }),
    },
  },
  TABLE_NAME: {
    rule: TABLE_NAME,
    valid: ['registry', 'Main-PortalRegistry.v2_1', 'x'.repeat(255)],
    invalid: ['ab', 'a b', 'arn:aws:dynamodb:us-east-1:123456789012:table/registry', 'x'.repeat(256)],
    sides: {
      'TenantRegistry tableName (synth)': (v) => new TenantRegistry(stack(), 'R', { tableName: v }),
      'authorizer TABLE_NAME': (v) => authorizerConfig({ USER_POOL_ID: 'us-east-1_P', CLIENT_TENANTS: '{"client1":"globex"}', TABLE_NAME: v }, bundleDir,
        registryBuild),
      'tenant-claim TABLE_NAME': (v) => tenantClaimConfig({ CLIENT_TENANTS_PATH: '/cdk-cognito-m2m/clients/a/', CLIENT_TENANTS_PARAMETERS: '{}', TABLE_NAME: v }),
      'portal TABLE_NAME': (v) => portalConfig({ ...PORTAL_VARIABLES, TABLE_NAME: v }),
    },
  },
  USERNAME: {
    rule: USERNAME,
    valid: ['root', 'jane.doe@acme.example', 'a+b_c-d', 'u'.repeat(128)],
    invalid: ['', 'has space', 'a/b', 'u'.repeat(129)],
    sides: {
      'PortalUserPool platformAdmins (synth)': (v) => new PortalUserPool(stack(), 'People', {
        domainPrefix: 'acme-people', callbackUrls: ['https://portal.acme.example/'], platformAdmins: [{ username: v, email: 'a@acme.example' }],
      }),
      'portal path username': (v) => checkUsername(v),
    },
  },
  GROUP_NAME: {
    rule: GROUP_NAME,
    valid: ['platform-admins', 'Admins.Ü', 'g'.repeat(128)],
    invalid: ['', 'two words', 'g'.repeat(129)],
    sides: {
      'PortalUserPool adminGroupName (synth)': (v) => new PortalUserPool(stack(), 'People', {
        domainPrefix: 'acme-people', callbackUrls: ['https://portal.acme.example/'], adminGroupName: v,
      }),
      'authorizer PEOPLE_ADMIN_GROUP': (v) => PEOPLE.fromEnv({ ...PEOPLE_VARIABLES, PEOPLE_ADMIN_GROUP: v }),
    },
  },
};

/** Valid values of the other variables, so that only the one under test decides. */
const PEOPLE_VARIABLES = {
  PEOPLE_POOL_ID: 'us-east-1_People1',
  PEOPLE_CLIENT_ID: 'webclient1',
  PEOPLE_ADMIN_GROUP: 'platform-admins',
  PEOPLE_TENANT_GROUP_PREFIX: 'tenant-',
  PEOPLE_ADMIN_SCOPE: 'portal/admin',
  PEOPLE_TENANT_ADMIN_SCOPE: 'portal/tenant-admin',
};
const PORTAL_VARIABLES = {
  USER_POOL_ID: 'us-east-1_Pool1',
  TABLE_NAME: 'registry',
  TOKEN_ENDPOINT: 'https://acme.auth.us-east-1.amazoncognito.com/oauth2/token',
  ADMIN_SCOPE: 'portal/admin',
  TENANT_ADMIN_SCOPE: 'portal/tenant-admin',
  GRANTABLE_SCOPES: '["orders/read"]',
};
const ROTATION_VARIABLES = { USER_POOL_ID: 'us-east-1_Pool1', GRACE_SECONDS: '86400', TRUSTED_STACKS: '["Main"]' };

function tokenClientAccepts(fields: Partial<Record<keyof ClientCredentials, string>>): ClientCredentials {
  try {
    return credentialsFromSecretString(JSON.stringify({ clientId: 'client1', clientSecret: 's3cret', ...fields }));
  } catch (err) {
    throw new Error(`is invalid: ${(err as Error).message}`);
  }
}

describe('id rules: every side accepts and refuses the same values', () => {
  test.each(Object.entries(EXAMPLES))('%s: the examples are the rule\'s', (_, e) => {
    expect(e.valid.filter((v) => !matchesRule(e.rule, v))).toEqual([]);
    expect(e.invalid.filter((v) => matchesRule(e.rule, v))).toEqual([]);
  });

  const sides = Object.entries(EXAMPLES).flatMap(([name, e]) => Object.entries(e.sides).map(([side, check]) => [name, side, e, check] as const));
  test.each(sides)('%s: %s', (_, __, e, check) => {
    expect(e.valid.filter((v) => !accepts(() => check(v)))).toEqual([]);
    expect(e.invalid.filter((v) => accepts(() => check(v)))).toEqual([]);
  });
});

// ---- the token client ----------------------------------------------------------------------

/** Every field of the secret, each `true` when the token client may find it absent (compile-time exhaustive both ways). */
const CREDENTIALS_FIELDS: { readonly [K in keyof ClientCredentials]-?: undefined extends ClientCredentials[K] ? 'optional' : 'required' } = {
  clientId: 'required', clientSecret: 'required', tokenEndpoint: 'optional', scope: 'optional', tenantId: 'optional', userPoolId: 'optional',
};
const SECRET_FIELDS: { readonly [K in keyof ClientCredentialsSecret]-?: undefined extends ClientCredentialsSecret[K] ? 'optional' : 'required' } = {
  tenantId: 'required', clientId: 'required', clientSecret: 'required', scope: 'required', tokenEndpoint: 'optional', userPoolId: 'optional',
};

describe('the token client reads the secret the constructs write', () => {
  test('the same field names: the ones the construct writes are the ones the token client knows', () => {
    expect(Object.keys(CREDENTIALS_FIELDS).sort()).toEqual([...CLIENT_CREDENTIALS_FIELDS].sort());
    expect(Object.keys(SECRET_FIELDS).sort()).toEqual([...CLIENT_CREDENTIALS_FIELDS].sort());
  });

  test('a secret with every field reads back whole; the empty scope of a rotated secret reads as none (every scope)', () => {
    const secret: ClientCredentialsSecret = {
      tenantId: 'globex',
      clientId: 'client1',
      clientSecret: 's3cret',
      scope: 'orders/read',
      tokenEndpoint: 'https://acme.auth.us-east-1.amazoncognito.com/oauth2/token',
      userPoolId: 'us-east-1_AbCdEf123',
    };
    expect(credentialsFromSecretString(JSON.stringify(secret))).toEqual(secret);
    expect(credentialsFromSecretString(JSON.stringify({ ...secret, scope: '' })).scope).toBeUndefined();
  });

  test('every token endpoint the constructs write is one the token client sends the secret to', () => {
    for (const endpoint of ['https://acme.auth.us-east-1.amazoncognito.com/oauth2/token', 'https://login.acme.example/oauth2/token']) {
      expect(matchesRule(TOKEN_ENDPOINT, endpoint)).toBe(true);
      expect(tokenClientAccepts({ tokenEndpoint: endpoint }).tokenEndpoint).toBe(endpoint);
    }
  });
});
