import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { ApiWebAcl } from '../lib';

describe('ApiWebAcl', () => {
  test('a regional web ACL with AWS managed rules and a rate limit per IP, logging every request without the Authorization header', () => {
    // GIVEN
    const stack = new Stack(new App(), 'S');
    // WHEN
    new ApiWebAcl(stack, 'WebAcl', { requestsPerIpPer5Minutes: 500 });
    // THEN
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::WAFv2::WebACL', {
      Scope: 'REGIONAL',
      DefaultAction: { Allow: {} },
      Rules: [
        Match.objectLike({ Name: 'AWSManagedRulesCommonRuleSet', Statement: { ManagedRuleGroupStatement: { VendorName: 'AWS', Name: 'AWSManagedRulesCommonRuleSet' } } }),
        Match.objectLike({ Name: 'AWSManagedRulesKnownBadInputsRuleSet' }),
        Match.objectLike({ Name: 'RatePerIp', Action: { Block: {} }, Statement: { RateBasedStatement: { AggregateKeyType: 'IP', Limit: 500, EvaluationWindowSec: 300 } } }),
      ],
    });
    const groups = t.findResources('AWS::Logs::LogGroup');
    const [groupId, group] = Object.entries(groups)[0];
    expect(group.Properties.LogGroupName).toMatch(/^aws-waf-logs-S-/);
    expect(group.Properties.KmsKeyId).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^CognitoM2mLogsKey/), 'Arn'] });
    expect(group.DeletionPolicy).toBe('Retain');
    const logging = Object.values(t.findResources('AWS::WAFv2::LoggingConfiguration'))[0];
    expect(logging.Properties.RedactedFields).toEqual([{ SingleHeader: { Name: 'authorization' } }]);
    expect(logging.DependsOn).toContain(groupId);
    // WAF wants the log group's ARN without the ":*" Fn::GetAtt adds.
    expect(JSON.stringify(stack.resolve(logging.Properties.LogDestinationConfigs))).toContain(`:log-group:${group.Properties.LogGroupName}"`);
  });

  test.each([0, 9, 1.5, 2_000_000_001])('refuses requestsPerIpPer5Minutes %p, naming the prop and the range', (limit) => {
    const stack = new Stack(new App(), 'S');
    expect(() => new ApiWebAcl(stack, 'WebAcl', { requestsPerIpPer5Minutes: limit }))
      .toThrow(/requestsPerIpPer5Minutes: .* is invalid: must be a whole number from 10 to 2,000,000,000/);
  });
});
