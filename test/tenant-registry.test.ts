import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as backup from 'aws-cdk-lib/aws-backup';
import { acknowledgements } from '../bin/nag';
import { DeveloperPortal, TenantRegistry } from '../lib';
import { poolStack } from './fixtures';

describe('TenantRegistry backups', () => {
  test('with a backup plan, the table is selected into it and nothing is acknowledged', () => {
    // GIVEN
    const stack = new Stack(new App(), 'S');
    const plan = backup.BackupPlan.daily35DayRetention(stack, 'Plan');
    // WHEN
    const registry = new TenantRegistry(stack, 'Registry', { backupPlan: plan });
    // THEN
    const selection = Object.values(Template.fromStack(stack).findResources('AWS::Backup::BackupSelection'))[0];
    expect(selection.Properties.BackupSelection.Resources).toEqual([{ 'Fn::GetAtt': [expect.stringMatching(/^Registry[0-9A-F]{8}$/), 'Arn'] }]);
    expect(acknowledgements(registry).filter((a) => a.rule.includes('DynamoDBInBackupPlan'))).toEqual([]);
  });

  test('without one, point-in-time recovery is the restore path and the packs\' backup-plan rule is acknowledged on the table', () => {
    const stack = new Stack(new App(), 'S');
    const registry = new TenantRegistry(stack, 'Registry');
    Template.fromStack(stack).hasResourceProperties('AWS::DynamoDB::Table', { PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } });
    expect(Template.fromStack(stack).findResources('AWS::Backup::BackupSelection')).toEqual({});
    const acks = acknowledgements(registry).filter((a) => a.rule.includes('DynamoDBInBackupPlan'));
    expect(acks.map((a) => [a.path, a.rule])).toEqual([
      ['S/Registry/Resource', 'HIPAA.Security-DynamoDBInBackupPlan'],
      ['S/Registry/Resource', 'NIST.800.53.R5-DynamoDBInBackupPlan'],
    ]);
    expect(acks[0].reason).toMatch(/Point-in-time recovery is always on/);
  });

  test('DeveloperPortal passes backupPlan to the registry it creates, and refuses it with a registry of the caller\'s', () => {
    const { stack, pool, orders } = poolStack();
    const plan = backup.BackupPlan.daily35DayRetention(stack, 'Plan');
    new DeveloperPortal(stack, 'Portal', { userPool: pool, grantableScopes: orders.scopes, backupPlan: plan });
    expect(Object.keys(Template.fromStack(stack).findResources('AWS::Backup::BackupSelection'))).toEqual([expect.stringMatching(/^PortalRegistryBackup/)]);
    const other = poolStack();
    const registry = new TenantRegistry(other.stack, 'Registry');
    expect(() => new DeveloperPortal(other.stack, 'Portal', {
      userPool: other.pool, grantableScopes: other.orders.scopes, registry, backupPlan: backup.BackupPlan.daily35DayRetention(other.stack, 'Plan'),
    })).toThrow(/\[Test\/Portal\] backupPlan: "Test\/Plan" is invalid: applies to the registry the portal creates; pass it to your TenantRegistry/);
  });
});
