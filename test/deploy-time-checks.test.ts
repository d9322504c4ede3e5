/**
 * Checks that synth makes for settings that would otherwise only fail at
 * deploy time: what they accept and what they cannot know yet (the refusals
 * are cases of test/validation.test.ts).
 */
import { App, CfnParameter, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import { M2mUserPool } from '../lib';
import { certificateRegion } from '../lib/private/validation';

const customDomain = (certificate: acm.ICertificate) => ({ domainName: 'auth.acme.example', certificate });

describe('custom-domain certificate Region', () => {
  test('a us-east-1 certificate, by ARN or issued in a us-east-1 stack, is accepted', () => {
    // GIVEN
    const app = new App();
    const eu = new Stack(app, 'Eu', { env: { account: '111111111111', region: 'eu-west-1' } });
    const us = new Stack(app, 'Us', { env: { account: '111111111111', region: 'us-east-1' } });
    // WHEN
    new M2mUserPool(eu, 'Pool', { customDomain: customDomain(acm.Certificate.fromCertificateArn(eu, 'C', 'arn:aws:acm:us-east-1:111111111111:certificate/abc')) });
    new M2mUserPool(us, 'Pool', { customDomain: customDomain(new acm.Certificate(us, 'C', { domainName: 'auth.acme.example' })) });
    // THEN
    Template.fromStack(eu).hasResourceProperties('AWS::Cognito::UserPoolDomain', {
      Domain: 'auth.acme.example',
      CustomDomainConfig: { CertificateArn: 'arn:aws:acm:us-east-1:111111111111:certificate/abc' },
    });
    Template.fromStack(us).resourceCountIs('AWS::Cognito::UserPoolDomain', 1);
  });

  test('a certificate whose Region synth cannot know is left to deploy time', () => {
    // GIVEN an environment-agnostic stack and a certificate ARN from a parameter
    const stack = new Stack(new App(), 'Agnostic');
    const fromParameter = acm.Certificate.fromCertificateArn(stack, 'P', new CfnParameter(stack, 'CertArn').valueAsString);
    const inAgnosticStack = new acm.Certificate(stack, 'C', { domainName: 'auth.acme.example' });
    // THEN
    expect(certificateRegion(fromParameter)).toBeUndefined();
    expect(certificateRegion(inAgnosticStack)).toBeUndefined();
    new M2mUserPool(stack, 'Pool', { customDomain: customDomain(fromParameter) });
    new M2mUserPool(stack, 'Pool2', { customDomain: customDomain(inAgnosticStack) });
    // Both domains are synthesized, each with the certificate it was given.
    const domains = Object.values(Template.fromStack(stack).findResources('AWS::Cognito::UserPoolDomain'));
    expect(domains.map((d) => d.Properties.CustomDomainConfig.CertificateArn)).toEqual([{ Ref: 'CertArn' }, { Ref: expect.stringMatching(/^C[0-9A-F]{8}$/) }]);
  });

  test('reads the Region from an ARN of any partition', () => {
    const stack = new Stack(new App(), 'S');
    expect(certificateRegion(acm.Certificate.fromCertificateArn(stack, 'Cn', 'arn:aws-cn:acm:cn-north-1:111111111111:certificate/abc'))).toBe('cn-north-1');
    expect(certificateRegion(acm.Certificate.fromCertificateArn(stack, 'Us', 'arn:aws:acm:us-east-1:111111111111:certificate/abc'))).toBe('us-east-1');
  });
});

describe('user pool name', () => {
  test('a name of the allowed characters and length is passed to CloudFormation', () => {
    const stack = new Stack(new App(), 'S');
    new M2mUserPool(stack, 'Pool', { domainPrefix: 'acme-x', userPoolName: `acme m2m_pool+prod=1,eu.west@2-${'x'.repeat(96)}` });
    Template.fromStack(stack).hasResourceProperties('AWS::Cognito::UserPool', { UserPoolName: `acme m2m_pool+prod=1,eu.west@2-${'x'.repeat(96)}` });
  });
});
