import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { encryptedTable } from '../../lib/private/encrypted-table';

describe('encryptedTable', () => {
  test('by default: its own rotated, retained key that grants only for AWS services; pk/sk on demand, PITR, TTL, deletion protection, retained', () => {
    const stack = new Stack(new App(), 'S');
    const { key } = encryptedTable(stack, { ids: { key: 'K', table: 'T' }, keyDescription: 'Encrypts the test table' });
    const t = Template.fromStack(stack);
    t.hasResource('AWS::KMS::Key', {
      DeletionPolicy: 'Retain',
      Properties: {
        Description: 'Encrypts the test table',
        EnableKeyRotation: true,
        KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({ Sid: 'DenyGrantsExceptForAwsServices', Effect: 'Deny', Action: 'kms:CreateGrant' })]) },
      },
    });
    t.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      Properties: {
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
        BillingMode: 'PAY_PER_REQUEST',
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: stack.resolve((key as kms.Key).keyArn) },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        DeletionProtectionEnabled: true,
      },
    });
  });

  test('a key of the caller\'s creates none; name, deletion protection and removal policy as given', () => {
    const stack = new Stack(new App(), 'S');
    const given = new kms.Key(stack, 'Given');
    const { key } = encryptedTable(stack, {
      ids: { key: 'K', table: 'T' },
      keyDescription: 'unused',
      encryptionKey: given,
      tableName: 'my-table',
      deletionProtection: false,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    expect(key).toBe(given);
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::KMS::Key', 1);
    t.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Delete',
      Properties: { TableName: 'my-table', DeletionProtectionEnabled: false },
    });
  });
});
