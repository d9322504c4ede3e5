/**
 * The synth-time warning on grants of cognito-idp:AddUserPoolClientSecret:
 * any role or policy of the app that allows it (also through a wildcard, a
 * NotAction or a broad AWS managed policy) is named, except the library's own
 * rotation function and developer portal.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { DeveloperPortal } from '../../lib';
import { actionCovers, grantingPattern } from '../../lib/private/secret-grant-check';
import { poolStack } from '../fixtures';

function warnings(stack: Stack): string[] {
  return Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('AddUserPoolClientSecret')).map((w) => `${w.id}`);
}

describe('a grant of AddUserPoolClientSecret', () => {
  test.each([
    ['the action itself', ['cognito-idp:AddUserPoolClientSecret']],
    ['the service wildcard', ['cognito-idp:*']],
    ['a prefix wildcard, in another case', ['Cognito-IDP:Add*']],
    ['everything', ['*']],
  ])('through %s is named, with the construct', (_, actions) => {
    // GIVEN the pool and an app role granted the action on the pool
    const { stack, pool } = poolStack();
    const role = new iam.Role(stack, 'CiRole', { assumedBy: new iam.AccountRootPrincipal() });
    role.addToPolicy(new iam.PolicyStatement({ actions, resources: [pool.userPoolArn] }));

    // THEN
    expect(warnings(stack)).toEqual(['/Test/CiRole/DefaultPolicy/Resource']);
  });

  test('through a NotAction that does not exclude it, an inline role policy, or a broad AWS managed policy', () => {
    const { stack } = poolStack();
    new iam.Role(stack, 'Broad', { assumedBy: new iam.AccountRootPrincipal(), managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonCognitoPowerUser')] });
    new iam.Role(stack, 'Inline', {
      assumedBy: new iam.AccountRootPrincipal(),
      inlinePolicies: { p: new iam.PolicyDocument({ statements: [new iam.PolicyStatement({ notActions: ['iam:*'], resources: ['*'] })] }) },
    });
    expect(warnings(stack).sort()).toEqual(['/Test/Broad/Resource', '/Test/Inline/Resource']);
  });

  test('through a customer-managed policy the role names (ManagedPolicyArns) is named, with the policy', () => {
    const { stack, pool } = poolStack();
    const policy = new iam.ManagedPolicy(stack, 'Rotator', { statements: [new iam.PolicyStatement({ actions: ['cognito-idp:AddUserPoolClientSecret'], resources: [pool.userPoolArn] })] });
    new iam.Role(stack, 'Ops', { assumedBy: new iam.AccountRootPrincipal(), managedPolicies: [policy] });
    expect(warnings(stack)).toEqual(['/Test/Rotator/Resource']);
  });

  test('is not reported for the library\'s own rotation function and developer portal, for other Cognito actions, or for another service\'s resources', () => {
    const { stack, pool, orders } = poolStack();
    pool.addTenant('globex', { scopes: [orders.scope('read')], rotationSchedule: Duration.days(30) });
    new DeveloperPortal(stack, 'Portal', { userPool: pool, grantableScopes: orders.scopes });
    const reader = new iam.Role(stack, 'Reader', { assumedBy: new iam.AccountRootPrincipal() });
    reader.addToPolicy(new iam.PolicyStatement({ actions: ['cognito-idp:DescribeUserPoolClient', 'cognito-idp:List*'], resources: [pool.userPoolArn] }));
    reader.addToPolicy(new iam.PolicyStatement({ actions: ['*'], resources: ['arn:aws:s3:::bucket/*'] }));
    expect(warnings(stack)).toEqual([]);
  });
});

describe('IAM action patterns', () => {
  test.each([
    ['cognito-idp:AddUserPoolClientSecret', true], ['cognito-idp:Add?serPoolClientSecret', true], ['*:AddUserPoolClientSecret', true],
    ['cognito-idp:AddUserPool', false], ['cognito-idp:DeleteUserPoolClientSecret', false], ['cognito-identity:*', false],
  ])('%s covers it: %s', (pattern, covers) => {
    expect(actionCovers(pattern, 'cognito-idp:AddUserPoolClientSecret')).toBe(covers);
  });

  test('a Deny, a NotAction excluding it, and a resource of another service grant nothing', () => {
    const action = 'cognito-idp:AddUserPoolClientSecret';
    expect(grantingPattern({ Effect: 'Deny', Action: '*', Resource: '*' }, action)).toBeUndefined();
    expect(grantingPattern({ Effect: 'Allow', NotAction: ['cognito-idp:*'], Resource: '*' }, action)).toBeUndefined();
    expect(grantingPattern({ Effect: 'Allow', Action: '*', Resource: 'arn:aws:s3:::b/*' }, action)).toBeUndefined();
    expect(grantingPattern({ Effect: 'Allow', Action: ['s3:GetObject', 'cognito-idp:*'], Resource: 'arn:aws:cognito-idp:us-east-1:1:userpool/us-east-1_X' }, action)).toBe('cognito-idp:*');
  });
});
