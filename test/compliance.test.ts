import { App, Stack } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { complianceFindings, NagFinding } from '../bin/nag';
import { logsEncryptionKey } from '../lib/private/compliance';

function findings(build: (stack: Stack) => void): NagFinding[] {
  const app = new App();
  build(new Stack(app, 'S'));
  app.synth();
  return complianceFindings(app).filter((f) => f.severity === 'error');
}

const at = (list: NagFinding[], path: string) => list.filter((f) => f.path === path).map((f) => `${f.pack} ${f.rule}`).sort();

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
});
