import { App, Duration, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { nagPacks } from '../bin/nag';
import { M2mUserPool, TenantAppClient, TenantAppClientOptions } from '../lib';
import { poolStack } from './fixtures';

/** A pool with tenants; `options` per tenant id (scopes default to orders/read). */
function tenants(spec: Record<string, Partial<TenantAppClientOptions>>) {
  const env = poolStack();
  const clients = Object.entries(spec).map(([id, o]) => env.pool.addTenant(id, { scopes: [env.orders.scope('read')], ...o }));
  return { ...env, clients, template: Template.fromStack(env.stack) };
}

function resourcesOf(template: Template, type: string): Array<[string, any]> {
  return Object.entries(template.findResources(type));
}

/** The Secret resource of a tenant, by the tenant id in its value. */
function secretOf(template: Template, tenantId: string): any {
  return resourcesOf(template, 'AWS::SecretsManager::Secret')
    .find(([, s]) => JSON.stringify(s.Properties.SecretString).includes(`{\\"tenantId\\":\\"${tenantId}\\"`))![1];
}

/** The rule ids acknowledged on a construct or below it, with their reasons. */
function acknowledgements(construct: Construct): Record<string, string> {
  return Object.assign({}, ...construct.node.findAll().flatMap((c) => c.node.metadata
    .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
    .map((m) => Object.fromEntries(Object.entries(m.data as Record<string, string>).map(([k, v]) => [k.replace(/^annotation::/, ''), v])))));
}

describe('TenantAppClient rotation', () => {
  test('rotationSchedule adds a rotation schedule of the secret with the pool\'s shared rotation function', () => {
    // WHEN
    const { template } = tenants({ globex: { rotationSchedule: Duration.days(30) } });

    // THEN
    const schedules = resourcesOf(template, 'AWS::SecretsManager::RotationSchedule');
    expect(schedules).toHaveLength(1);
    const [[, schedule]] = schedules;
    expect(schedule.Properties).toEqual({
      SecretId: { Ref: expect.stringMatching(/^PoolTenantglobexSecret/) },
      RotationLambdaARN: { 'Fn::GetAtt': [expect.stringMatching(/^PoolClientSecretRotation24hFunction/), 'Arn'] },
      RotationRules: { ScheduleExpression: 'rate(30 days)' },
    });
    // The first rotation runs on creation: the function's permissions come first.
    expect(schedule.DependsOn).toEqual(expect.arrayContaining([
      expect.stringMatching(/^PoolClientSecretRotation24hPermissions/),
      expect.stringMatching(/^PoolClientSecretRotation24hFunctionInvokedBySecretsManager/),
    ]));
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: { USER_POOL_ID: { Ref: Match.stringLikeRegexp('^Pool[0-9A-F]+$') }, GRACE_SECONDS: '86400' } },
    });
  });

  test('one function serves every tenant with the same grace period; another grace period gets its own', () => {
    // WHEN
    const spec: Record<string, Partial<TenantAppClientOptions>> = {};
    for (let i = 0; i < 20; i++) spec[`t${i}`] = { rotationSchedule: Duration.days(30 + i) };
    spec.strict = { rotationSchedule: Duration.days(7), rotationGracePeriod: Duration.hours(4) };
    const { template } = tenants(spec);

    // THEN
    const functions = resourcesOf(template, 'AWS::Lambda::Function').map(([, f]) => f.Properties.Environment.Variables.GRACE_SECONDS);
    expect(functions.sort()).toEqual(['14400', '86400']);
    expect(resourcesOf(template, 'AWS::SecretsManager::RotationSchedule')).toHaveLength(21);
    expect(resourcesOf(template, 'AWS::Events::Rule').filter(([, r]) => r.Properties.ScheduleExpression)).toHaveLength(2);
    // Secrets Manager may invoke each function once-permitted, from this account only.
    const smPermissions = resourcesOf(template, 'AWS::Lambda::Permission').filter(([, p]) => p.Properties.Principal === 'secretsmanager.amazonaws.com');
    expect(smPermissions).toHaveLength(2);
    expect(smPermissions[0][1].Properties).toMatchObject({ Action: 'lambda:InvokeFunction', SourceAccount: '111111111111' });
  });

  test('the function may rotate only secrets naming it, manage client secrets of its pool only, and use the key through Secrets Manager', () => {
    const { template } = tenants({ globex: { rotationSchedule: Duration.days(30) } });
    const policies = resourcesOf(template, 'AWS::IAM::ManagedPolicy').filter(([id]) => id.startsWith('PoolClientSecretRotation24hPermissions'));
    expect(policies).toHaveLength(1);
    const [[, policy]] = policies;
    expect(policy.Properties.Roles).toEqual([{ Ref: expect.stringMatching(/^PoolClientSecretRotation24hRole/) }]);
    expect(policy.Properties.PolicyDocument.Statement).toEqual([
      {
        Sid: 'RotateSecretsNamingThisFunction',
        Effect: 'Allow',
        Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue', 'secretsmanager:UpdateSecretVersionStage'],
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':secretsmanager:us-east-1:111111111111:secret:*']] },
        Condition: {
          StringEquals: {
            'secretsmanager:resource/AllowRotationLambdaArn': { 'Fn::GetAtt': [expect.stringMatching(/Function/), 'Arn'] },
            // Only secrets tagged with a stack that declares rotated tenants (the function then asks CloudFormation).
            'secretsmanager:ResourceTag/cdk-cognito-m2m:stack-name': ['Test'],
          },
        },
      },
      { Sid: 'FindSecretsForTheSweep', Effect: 'Allow', Action: 'secretsmanager:ListSecrets', Resource: '*' },
      {
        Sid: 'ManageClientSecretsOfThePool',
        Effect: 'Allow',
        Action: ['cognito-idp:AddUserPoolClientSecret', 'cognito-idp:ListUserPoolClientSecrets', 'cognito-idp:DeleteUserPoolClientSecret'],
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^Pool[0-9A-F]+$/), 'Arn'] },
      },
      {
        Sid: 'ReadTheStacksThatDeclareRotatedSecrets',
        Effect: 'Allow',
        Action: 'cloudformation:DescribeStackResource',
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudformation:us-east-1:111111111111:stack/Test/*']] },
      },
      {
        Effect: 'Allow',
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^PoolSecretsKey/), 'Arn'] },
        Condition: { StringEquals: { 'kms:ViaService': { 'Fn::Join': ['', ['secretsmanager.us-east-1.', { Ref: 'AWS::URLSuffix' }]] } } },
      },
    ]);
  });

  test('a key is granted once however many tenants it encrypts, and each tenant key is granted', () => {
    const { stack, pool, orders } = poolStack();
    const own = new kms.Key(stack, 'OwnKey');
    pool.addTenant('a', { scopes: [orders.scope('read')], rotationSchedule: Duration.days(30) });
    pool.addTenant('b', { scopes: [orders.scope('read')], rotationSchedule: Duration.days(30) });
    pool.addTenant('c', { scopes: [orders.scope('read')], rotationSchedule: Duration.days(30), encryptionKey: own });
    const [[, policy]] = resourcesOf(Template.fromStack(stack), 'AWS::IAM::ManagedPolicy').filter(([id]) => id.startsWith('PoolClientSecretRotation24hPermissions'));
    const kmsResources = policy.Properties.PolicyDocument.Statement.filter((s: any) => s.Action.includes?.('kms:Decrypt')).map((s: any) => s.Resource['Fn::GetAtt'][0]);
    expect(kmsResources).toEqual([expect.stringMatching(/^PoolSecretsKey/), expect.stringMatching(/^OwnKey/)]);
  });

  test('the sweep runs hourly with its own input', () => {
    const { template } = tenants({ globex: { rotationSchedule: Duration.days(30) } });
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 hour)',
      Targets: [Match.objectLike({ Input: JSON.stringify({ action: 'sweep-expired-client-secrets' }) })],
    });
  });

  test('a rotated secret keeps the same keys; its scope is empty so that scope changes leave its template value alone', () => {
    const before = secretOf(tenants({ globex: { rotationSchedule: Duration.days(30) } }).template, 'globex');
    const env = poolStack();
    env.pool.addTenant('globex', { scopes: [env.orders.scope('read'), env.orders.scope('write')], rotationSchedule: Duration.days(30) });
    const after = secretOf(Template.fromStack(env.stack), 'globex');

    expect(JSON.stringify(before.Properties.SecretString)).toContain('\\"scope\\":\\"\\"');
    expect(after.Properties).toEqual(before.Properties);
  });

  test('unrelated changes leave a rotated secret\'s resource unchanged: other tenants, schedule, grace period, servers', () => {
    const base = secretOf(tenants({ globex: { rotationSchedule: Duration.days(30) } }).template, 'globex');
    const variants = [
      tenants({ initech: {}, globex: { rotationSchedule: Duration.days(30) }, acme: { rotationSchedule: Duration.days(7) } }),
      tenants({ globex: { rotationSchedule: Duration.days(90), rotationGracePeriod: Duration.hours(48) } }),
      tenants({ globex: { rotationSchedule: Duration.days(30), accessTokenValidity: Duration.minutes(5), clientName: 'Globex Corp' } }),
    ];
    const withServer = poolStack();
    withServer.pool.addResourceServer('Billing', { identifier: 'billing', scopes: [{ name: 'read', description: 'Read' }] });
    withServer.pool.addTenant('globex', { scopes: [withServer.orders.scope('read')], rotationSchedule: Duration.days(30) });

    for (const v of [...variants.map((x) => x.template), Template.fromStack(withServer.stack)]) {
      expect(secretOf(v, 'globex')).toEqual(base);
    }
  });

  test('without rotation, nothing rotates and the scope stays in the secret', () => {
    const { template } = tenants({ globex: {} });
    expect(resourcesOf(template, 'AWS::SecretsManager::RotationSchedule')).toEqual([]);
    expect(resourcesOf(template, 'AWS::Lambda::Function')).toEqual([]);
    expect(JSON.stringify(secretOf(template, 'globex').Properties.SecretString)).toContain('\\"scope\\":\\"');
    expect(JSON.stringify(secretOf(template, 'globex').Properties.SecretString)).not.toContain('\\"scope\\":\\"\\"');
  });

  describe('compliance', () => {
    const ROTATION_RULES = ['AwsSolutions-SMG4', 'HIPAA.Security-SecretsManagerRotationEnabled', 'NIST.800.53.R5-SecretsManagerRotationEnabled'];

    /** Unacknowledged findings of the secret-rotation rules, as `<rule> <construct path>`. */
    function rotationFindings(app: App): string[] {
      app.synth();
      return nagPacks().flatMap((pack) => pack.validateScope(app).violations
        .filter((v) => /SecretsManagerRotationEnabled|SMG4/.test(v.ruleName))
        .flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} ${r.constructPath}`)));
    }

    test('with rotation the packs find the secret rotated, and it carries no rotation acknowledgement', () => {
      const { app, pool, orders } = poolStack();
      const client = pool.addTenant('globex', { scopes: [orders.scope('read')], rotationSchedule: Duration.days(30) });
      expect(rotationFindings(app)).toEqual([]);
      expect(Object.keys(acknowledgements(client.secret)).filter((id) => ROTATION_RULES.includes(id))).toEqual([]);
    });

    test('without rotation the secret acknowledges each pack\'s rotation rule with a reason that says rotation is off', () => {
      const { app, pool, orders } = poolStack();
      const client = pool.addTenant('globex', { scopes: [orders.scope('read')] });
      const reasons = acknowledgements(client.secret);
      expect(Object.keys(reasons).filter((id) => /Rotation|SMG4/.test(id)).sort()).toEqual([...ROTATION_RULES].sort());
      for (const rule of ROTATION_RULES) {
        expect(reasons[rule]).toMatch(/rotationSchedule unset/);
        expect(reasons[rule]).not.toMatch(/cannot/);
      }
      // Only on the secret: the tenant's client and the rest of the tenant carry none.
      expect(Object.keys(acknowledgements(client.userPoolClient)).filter((id) => ROTATION_RULES.includes(id))).toEqual([]);
      expect(rotationFindings(app)).toEqual([]);
    });

    test('a control: the three packs report a secret without rotation or acknowledgement in the same app', () => {
      const { app, stack, pool, orders } = poolStack();
      pool.addTenant('globex', { scopes: [orders.scope('read')] });
      new secretsmanager.Secret(stack, 'Plain');
      expect(rotationFindings(app).sort()).toEqual([
        'AwsSolutions-SMG4 Test/Plain/Resource',
        'HIPAA.Security-SecretsManagerRotationEnabled Test/Plain/Resource',
        'NIST.800.53.R5-SecretsManagerRotationEnabled Test/Plain/Resource',
      ]);
    });
  });

  describe('errors name the prop, the value and the rule', () => {
    const cases: Array<[string, Partial<TenantAppClientOptions>, RegExp]> = [
      ['a grace period without a schedule', { rotationGracePeriod: Duration.hours(2) }, /rotationGracePeriod: 2 hours is invalid: applies to a rotated secret: set rotationSchedule too/],
      ['a schedule of part of a day', { rotationSchedule: Duration.hours(36) }, /rotationSchedule: 1 day 12 hours is invalid: must be whole days from 1 to 365/],
      ['a schedule over a year', { rotationSchedule: Duration.days(366) }, /rotationSchedule: 366 days is invalid: must be whole days from 1 to 365/],
      ['a grace period of minutes', { rotationSchedule: Duration.days(30), rotationGracePeriod: Duration.minutes(90) }, /rotationGracePeriod: 1 hour 30 minutes is invalid: must be whole hours/],
      ['a grace period shorter than the token lifetime', { rotationSchedule: Duration.days(30), rotationGracePeriod: Duration.hours(1), accessTokenValidity: Duration.hours(2) },
        /rotationGracePeriod: 1 hour is invalid: must be at least 2 hours: 1 hour and at least accessTokenValidity/],
      ['a grace period as long as the schedule', { rotationSchedule: Duration.days(1), rotationGracePeriod: Duration.days(1) },
        /rotationGracePeriod: 1 day is invalid: must be shorter than rotationSchedule \(1 day\)/],
    ];
    test.each(cases)('%s', (_name, options, message) => {
      const { pool, orders } = poolStack();
      expect(() => pool.addTenant('globex', { scopes: [orders.scope('read')], ...options })).toThrow(message);
    });

    test('a key created in another stack than the pool', () => {
      const app = new App();
      const poolStackA = new Stack(app, 'A', { env: { account: '111111111111', region: 'us-east-1' } });
      const pool = new M2mUserPool(poolStackA, 'Pool', { domainPrefix: 'acme-test' });
      const rs = pool.addResourceServer('Orders', { identifier: 'orders', scopes: [{ name: 'read', description: 'Read' }] });
      const other = new Stack(app, 'B', { env: { account: '111111111111', region: 'us-east-1' } });
      expect(() => pool.addTenant('globex', { scopes: [rs.scope('read')], rotationSchedule: Duration.days(30), encryptionKey: new kms.Key(other, 'Key') }))
        .toThrow(/encryptionKey: "B\/Key" is invalid: must be in the user pool's stack \(A\) or imported when rotationSchedule is set/);
    });
  });

  test('M2mUserPool secretRotation places the rotation function in a VPC with a reservation; without it, the function says why it needs neither', () => {
    // GIVEN a pool whose rotation function runs in a VPC
    const stack = new Stack(new App(), 'S');
    const vpc = new ec2.Vpc(stack, 'Vpc', { natGateways: 1, maxAzs: 2 });
    const pool = new M2mUserPool(stack, 'Pool', { domainPrefix: 'acme-rotation', secretRotation: { vpc, reservedConcurrentExecutions: 2 } });
    const orders = pool.addResourceServer('Orders', { identifier: 'orders', scopes: [{ name: 'read', description: 'Read orders' }] });
    // WHEN a tenant rotates its secret
    pool.addTenant('globex', { scopes: [orders.scope('read')], rotationSchedule: Duration.days(30) });
    // THEN the function runs in the VPC's private subnets, with its reservation, and acknowledges neither rule
    const [, fn] = resourcesOf(Template.fromStack(stack), 'AWS::Lambda::Function').find(([id]) => id.startsWith('PoolClientSecretRotation24h'))!;
    expect(fn.Properties.ReservedConcurrentExecutions).toBe(2);
    expect(fn.Properties.VpcConfig.SubnetIds).toEqual([{ Ref: expect.stringMatching(/^VpcPrivateSubnet1/) }, { Ref: expect.stringMatching(/^VpcPrivateSubnet2/) }]);
    expect(Object.keys(acknowledgements(pool.node.findChild('ClientSecretRotation-24h'))).filter((r) => /LambdaInsideVPC|LambdaConcurrency/.test(r))).toEqual([]);

    // AND without secretRotation both are acknowledged on the function, with their reasons
    const { pool: plain } = tenants({ globex: { rotationSchedule: Duration.days(30) } });
    const acks = acknowledgements(plain.node.findChild('ClientSecretRotation-24h'));
    expect(acks['PCI.DSS.321-LambdaInsideVPC']).toMatch(/reaches no private resource/);
    expect(acks['HIPAA.Security-LambdaConcurrency']).toMatch(/Secrets Manager retries a throttled rotation/);
  });

  test('secretRotation is checked: subnets without a VPC are refused, naming the prop', () => {
    const stack = new Stack(new App(), 'S');
    expect(() => new M2mUserPool(stack, 'Pool', { domainPrefix: 'acme-rotation', secretRotation: { vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS } } }))
      .toThrow(/\[S\/Pool\] secretRotation.vpcSubnets: .* is invalid: subnets apply to a VPC: set vpc too/);
  });
});


describe('TenantAppClient rotation is bound to its own clients', () => {
  test('each rotated secret names its stack and logical id, and its Metadata names its app client; the function trusts those stacks', () => {
    // GIVEN tenants in the pool's stack and in a second stack
    const { app, stack, pool, orders } = poolStack();
    pool.addTenant('globex', { scopes: [orders.scope('read')], rotationSchedule: Duration.days(30) });
    const other = new Stack(app, 'MoreTenants', { env: { account: '111111111111', region: 'us-east-1' } });
    new TenantAppClient(other, 'Initech', { userPool: pool, tenantId: 'initech', scopes: [orders.scope('read')], rotationSchedule: Duration.days(30) });

    // THEN the secret points at its own client resource, which CloudFormation will confirm
    const template = Template.fromStack(stack);
    const [[secretId, secret]] = resourcesOf(template, 'AWS::SecretsManager::Secret').filter(([id]) => id.startsWith('PoolTenantglobex'));
    const [[clientId]] = resourcesOf(template, 'AWS::Cognito::UserPoolClient').filter(([id]) => id.startsWith('PoolTenantglobex'));
    expect(secret.Properties.Tags).toEqual(expect.arrayContaining([
      { Key: 'cdk-cognito-m2m:stack-name', Value: 'Test' },
      { Key: 'cdk-cognito-m2m:logical-id', Value: secretId },
    ]));
    expect(secret.Metadata['cdk-cognito-m2m:client-logical-id']).toBe(clientId);
    const otherSecret = resourcesOf(Template.fromStack(other), 'AWS::SecretsManager::Secret')[0][1];
    expect(otherSecret.Tags ?? otherSecret.Properties.Tags).toEqual(expect.arrayContaining([{ Key: 'cdk-cognito-m2m:stack-name', Value: 'MoreTenants' }]));

    // The function trusts both stacks, may read only their resources, and tests new secrets at the pool's own token endpoint.
    const [[, fn]] = resourcesOf(template, 'AWS::Lambda::Function').filter(([id]) => id.startsWith('PoolClientSecretRotation24hFunction'));
    expect(fn.Properties.Environment.Variables.TRUSTED_STACKS).toBe('["Test","MoreTenants"]');
    expect(JSON.stringify(fn.Properties.Environment.Variables.TOKEN_ENDPOINT)).toContain('/oauth2/token');
    const [[, policy]] = resourcesOf(template, 'AWS::IAM::ManagedPolicy').filter(([id]) => id.startsWith('PoolClientSecretRotation24hPermissions'));
    const reads = policy.Properties.PolicyDocument.Statement.find((st: any) => st.Sid === 'ReadTheStacksThatDeclareRotatedSecrets');
    expect(JSON.stringify(reads.Resource)).toMatch(/stack\/Test\/\*.*stack\/MoreTenants\/\*/);
  });

  test('the function\'s role lives under the library path the secret-lifecycle alarm ignores', () => {
    const { template } = tenants({ globex: { rotationSchedule: Duration.days(30) } });
    const [[, role]] = resourcesOf(template, 'AWS::IAM::Role').filter(([id]) => id.startsWith('PoolClientSecretRotation24hRole'));
    expect(role.Properties.Path).toMatch(/^\/cdk-cognito-m2m\/[0-9a-f]{12}\/$/);
    const [[, rule]] = resourcesOf(template, 'AWS::Events::Rule').filter(([id]) => id.startsWith('PoolSecretLifecycleAudit'));
    expect(JSON.stringify(rule.Properties.EventPattern)).toContain(`:role${role.Properties.Path}`);
  });

  test('the sweep retries twice, then its event goes to a KMS-encrypted dead-letter queue with an alarm; refused secrets alarm too', () => {
    // GIVEN
    const { pool, template } = tenants({ globex: { rotationSchedule: Duration.days(30) } });

    // THEN the function keeps failed asynchronous invocations (the sweep's)
    const [[queueId, queue]] = resourcesOf(template, 'AWS::SQS::Queue').filter(([id]) => id.startsWith('PoolClientSecretRotation24hDeadLetters'));
    expect(queue.Properties.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^CognitoM2mLogsKey/), 'Arn'] });
    const [[fnId, fn]] = resourcesOf(template, 'AWS::Lambda::Function').filter(([id]) => id.startsWith('PoolClientSecretRotation24hFunction'));
    expect(fn.Properties.DeadLetterConfig).toEqual({ TargetArn: { 'Fn::GetAtt': [queueId, 'Arn'] } });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { FunctionName: { Ref: fnId }, MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 });
    // ... and alarms on it, on refused secrets, and on out-of-band secret changes, all listed on the pool
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible', Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } }], Threshold: 1,
    });
    template.hasResourceProperties('AWS::Logs::MetricFilter', { FilterPattern: '{ $.reason = "secret_not_bound" }', MetricTransformations: [Match.objectLike({ MetricName: 'RefusedSecrets' })] });
    expect(pool.securityAlarms.map((a) => a.node.id).sort()).toEqual(['Alarm', 'DeadLettersAlarm', 'RefusedSecretsAlarm']);
  });

  test('actions added to the pool reach its security alarms, also those created later', () => {
    const { stack, pool, orders } = poolStack();
    const topic = new sns.Topic(stack, 'Topic');
    pool.addSecurityAlarmAction(new actions.SnsAction(topic));
    pool.addTenant('globex', { scopes: [orders.scope('read')], rotationSchedule: Duration.days(30) });
    const template = Template.fromStack(stack);
    const alarms = resourcesOf(template, 'AWS::CloudWatch::Alarm');
    expect(alarms).toHaveLength(3);
    // Each notifies the pool's own security topic (KMS-encrypted, TLS only) and the added action.
    for (const [, alarm] of alarms) {
      expect(alarm.Properties.AlarmActions).toEqual([{ Ref: expect.stringMatching(/^PoolSecurityAlarmsTopic/) }, { Ref: expect.stringMatching(/^Topic/) }]);
    }
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^CognitoM2mLogsKey'), 'Arn'] } });
    expect(stack.resolve(pool.securityAlarmTopic.topicArn)).toEqual({ Ref: expect.stringMatching(/^PoolSecurityAlarmsTopic/) });
  });

  test('in a VPC without security groups, the function may open HTTPS connections only', () => {
    const app = new App();
    const stack = new Stack(app, 'Test', { env: { account: '111111111111', region: 'us-east-1' } });
    const vpc = new ec2.Vpc(stack, 'Vpc');
    const pool = new M2mUserPool(stack, 'Pool', { domainPrefix: 'acme-test', secretRotation: { vpc } });
    const orders = pool.addResourceServer('Orders', { identifier: 'https://api.acme.example/orders', scopes: [{ name: 'read', description: 'Read' }] });
    pool.addTenant('globex', { scopes: [orders.scope('read')], rotationSchedule: Duration.days(30) });
    const groups = resourcesOf(Template.fromStack(stack), 'AWS::EC2::SecurityGroup');
    expect(groups).toHaveLength(1);
    expect(groups[0][1].Properties.SecurityGroupEgress).toEqual([
      { CidrIp: '0.0.0.0/0', IpProtocol: 'tcp', FromPort: 443, ToPort: 443, Description: 'HTTPS to AWS service endpoints (through VPC endpoints or a NAT gateway)' },
    ]);
    expect(groups[0][1].Properties.SecurityGroupIngress).toBeUndefined();
  });
});
