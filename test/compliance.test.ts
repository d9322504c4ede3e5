import { App, Stack, StackProps } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { acknowledgements, complianceFindings, NagFinding } from '../bin/nag';
import { DeveloperPortal, M2mAuthorizer, M2mUserPool, ScopedRestApi, TenantClaim } from '../lib';
import { readmeApp, REGULATED_HEADING } from './support/readme-app';
import { logsEncryptionKey } from '../lib/private/compliance';

function findings(build: (stack: Stack) => void, props?: StackProps): NagFinding[] {
  return synthesized(build, props).found;
}

function synthesized(build: (stack: Stack) => void, props?: StackProps): { app: App; found: NagFinding[] } {
  const app = new App();
  build(new Stack(app, 'S', props));
  app.synth();
  return { app, found: complianceFindings(app).filter((f) => f.severity === 'error') };
}

/** The rules the placement props and the backup plan answer. */
const PLACEMENT_RULES = /LambdaInsideVPC|LambdaConcurrency|DynamoDBInBackupPlan|lambda_inside_vpc_check|lambda_function_public_access_prohibited_check/;

/** An M2M API and a developer portal (with the token claim), with or without the regulated team's props. */
function m2mApp(stack: Stack, regulated: boolean): void {
  const vpc = regulated ? new ec2.Vpc(stack, 'Vpc', { natGateways: 0, subnetConfiguration: [{ name: 'Isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] }) : undefined;
  const placement = regulated ? { vpc, reservedConcurrentExecutions: 5 } : {};
  const pool = new M2mUserPool(stack, 'Pool', { domainPrefix: 'acme-compliance' });
  const orders = pool.addResourceServer('Orders', { identifier: 'orders', scopes: [{ name: 'read', description: 'Read orders' }] });
  const portal = new DeveloperPortal(stack, 'Portal', {
    userPool: pool,
    grantableScopes: orders.scopes,
    ...placement,
    backupPlan: regulated ? backup.BackupPlan.daily35DayRetention(stack, 'Backup') : undefined,
  });
  new TenantClaim(stack, 'Claim', { userPool: pool, registry: portal.registry, ...placement });
  const api = new ScopedRestApi(stack, 'Api', { userPool: pool, authorizer: M2mAuthorizer.tenantAware({ registry: portal.registry, ...placement }) });
  api.addScopedMethod(api.root.addResource('orders'), 'GET', new apigateway.MockIntegration({
    requestTemplates: { 'application/json': '{"statusCode": 200}' },
    integrationResponses: [{ statusCode: '200' }],
  }), { scopes: [orders.scope('read')], methodResponses: [{ statusCode: '200' }] });
}

const at = (list: NagFinding[], where: string) => list.filter((f) => f.path === where).map((f) => `${f.pack} ${f.rule}`).sort();

describe('compliance checks (the four cdk-nag packs and Control Tower, as npm test runs them)', () => {
  test('report a log group without a KMS key and a secret without rotation', () => {
    // GIVEN a deliberately non-compliant stack
    const found = findings((stack) => {
      new logs.LogGroup(stack, 'Plain', { retention: logs.RetentionDays.ONE_YEAR });
      new secretsmanager.Secret(stack, 'Unrotated');
    });
    // THEN every pack that has the rule reports it, and so does Control Tower
    expect(at(found, 'S/Plain/Resource')).toEqual(expect.arrayContaining([
      'ControlTower cloudwatch_log_group_encrypted_check',
      'HIPAA.Security HIPAA.Security-CloudWatchLogGroupEncrypted',
      'NIST.800.53.R5 NIST.800.53.R5-CloudWatchLogGroupEncrypted',
      'PCI.DSS.321 PCI.DSS.321-CloudWatchLogGroupEncrypted',
    ]));
    expect(at(found, 'S/Unrotated/Resource')).toEqual(expect.arrayContaining([
      'AwsSolutions AwsSolutions-SMG4',
      'HIPAA.Security HIPAA.Security-SecretsManagerRotationEnabled',
      'NIST.800.53.R5 NIST.800.53.R5-SecretsManagerRotationEnabled',
    ]));
  });

  test('the library\'s logs key passes: a log group it encrypts and the key itself have no finding', () => {
    // GIVEN a log group encrypted with the key the library gives its log groups
    const found = findings((stack) => {
      new logs.LogGroup(stack, 'Encrypted', { retention: logs.RetentionDays.ONE_YEAR, encryptionKey: logsEncryptionKey(stack) });
    });
    // THEN neither the log group nor the key (CT.KMS.PR.3: grants only for AWS services) is reported
    expect(found.map((f) => `${f.rule} @ ${f.path}`)).toEqual([]);
  });

  test('a regulated team\'s props meet the rules the defaults acknowledge: VPC, reserved concurrency, backup plan, and CT.LAMBDA.PR.2/PR.3 with an explicit account', () => {
    // GIVEN the defaults, environment-agnostic
    const defaults = synthesized((stack) => m2mApp(stack, false));
    // THEN the cdk-nag findings are acknowledged on each function and the table (so not reported),
    // while Control Tower's, which the library never acknowledges, are reported
    expect(defaults.found.filter((f) => f.pack !== 'ControlTower').map((f) => f.rule)).not.toEqual(expect.arrayContaining([expect.stringMatching(PLACEMENT_RULES)]));
    expect(new Set(defaults.found.filter((f) => f.pack === 'ControlTower').map((f) => f.rule))).toEqual(new Set(['lambda_inside_vpc_check', 'lambda_function_public_access_prohibited_check']));
    const acknowledged = acknowledgements(defaults.app).filter((a) => PLACEMENT_RULES.test(a.rule));
    expect(new Set(acknowledged.map((a) => a.path))).toEqual(new Set([
      'S/Portal/Registry/Resource', 'S/Portal/Handler', 'S/Portal/Api/TenantAuthorizer/Function', 'S/Api/TenantAuthorizer/Function', 'S/Claim/Function',
    ]));

    // WHEN the team sets the props and deploys to a known account
    const regulated = synthesized((stack) => m2mApp(stack, true), { env: { account: '123456789012', region: 'eu-west-1' } });
    // THEN nothing is acknowledged for those rules, and nothing is reported either
    expect(acknowledgements(regulated.app).filter((a) => PLACEMENT_RULES.test(a.rule))).toEqual([]);
    expect(regulated.found.filter((f) => PLACEMENT_RULES.test(f.rule)).map((f) => `${f.rule} @ ${f.path}`)).toEqual([]);
  });

  test('placement props are checked: subnets or security groups without a VPC, and a reservation below 1, are refused with the prop named', () => {
    const build = (props: object) => () => {
      const stack = new Stack(new App(), 'S');
      const pool = new M2mUserPool(stack, 'Pool', { domainPrefix: 'acme-compliance' });
      const orders = pool.addResourceServer('Orders', { identifier: 'orders', scopes: [{ name: 'read', description: 'Read orders' }] });
      new DeveloperPortal(stack, 'Portal', { userPool: pool, grantableScopes: orders.scopes, ...props });
    };
    expect(build({ vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } })).toThrow(/\[S\/Portal\] vpcSubnets: .* is invalid: subnets apply to a VPC: set vpc too/);
    expect(build({ securityGroups: [] })).toThrow(/\[S\/Portal\] securityGroups: .* is invalid: security groups apply to a VPC/);
    expect(build({ reservedConcurrentExecutions: 0 })).toThrow(/\[S\/Portal\] reservedConcurrentExecutions: 0 is invalid: must be a whole number of at least 1/);
    const api = (options: object) => () => {
      const stack = new Stack(new App(), 'S');
      const pool = new M2mUserPool(stack, 'Pool', { domainPrefix: 'acme-compliance' });
      const orders = pool.addResourceServer('Orders', { identifier: 'orders', scopes: [{ name: 'read', description: 'Read orders' }] });
      const scoped = new ScopedRestApi(stack, 'Api', { userPool: pool, authorizer: M2mAuthorizer.tenantAware(options) });
      // The authorizer function is created with the first scoped method.
      scoped.addScopedMethod(scoped.root, 'GET', new apigateway.MockIntegration(), { scopes: [orders.scope('read')] });
    };
    expect(api({ reservedConcurrentExecutions: 2.5 })).toThrow(/authorizer\.reservedConcurrentExecutions: 2\.5 is invalid/);
  });

  test('docs/compliance.md\'s configuration for regulated teams: the library\'s resources have no unacknowledged finding (only the sample VPC\'s are reported)', () => {
    // GIVEN the snippet as docs/compliance.md shows it, run as written
    const app = readmeApp(REGULATED_HEADING);
    // WHEN the four packs and Control Tower's rules run over it
    const found = complianceFindings(app).filter((f) => f.severity === 'error');
    // THEN every finding is the sample VPC's (its public subnets and flow-log group), none the library's
    expect(found.filter((f) => !f.path.startsWith('RegulatedM2m/Vpc/')).map((f) => `${f.rule} @ ${f.path}`)).toEqual([]);
    expect(found.length).toBeGreaterThan(0);
    // AND no Control Tower rule is acknowledged, and no placement rule either: they are met
    expect(acknowledgements(app).filter((a) => a.rule.startsWith('cdk-validator-cfnguard::') || PLACEMENT_RULES.test(a.rule))).toEqual([]);
  });
});
