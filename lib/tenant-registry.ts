import { IResource, RemovalPolicy, Resource } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { acknowledgeInPacks, acknowledgeRule } from './private/acknowledge';
import { TABLE_NAME } from './private/contracts/ids';
import { encryptedTable } from './private/encrypted-table';
import { checkString } from './private/validation';

/**
 * A registry of tenants and their API clients.
 */
export interface ITenantRegistry extends IResource {
  /**
   * The DynamoDB table.
   */
  readonly table: dynamodb.ITable;

  /**
   * The table name.
   *
   * @attribute
   */
  readonly tableName: string;

  /**
   * The table ARN.
   *
   * @attribute
   */
  readonly tableArn: string;

  /**
   * The KMS key that encrypts the table.
   */
  readonly encryptionKey: kms.IKey;

  /**
   * Lets the grantee look up clients and tenants (GetItem, BatchGetItem),
   * as the authorizer does.
   */
  grantLookup(grantee: iam.IGrantable): iam.Grant;

  /**
   * Lets the grantee read and change tenants, clients and the audit trail,
   * as the developer portal does.
   */
  grantManage(grantee: iam.IGrantable): iam.Grant;
}

/**
 * Properties of a `TenantRegistry`.
 */
export interface TenantRegistryProps {
  /**
   * The table name.
   *
   * @default - a name CloudFormation generates
   */
  readonly tableName?: string;

  /**
   * The customer-managed KMS key that encrypts the table.
   *
   * @default - a new key with yearly rotation, retained on delete
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * What happens to the table when it leaves the stack. It holds every
   * tenant, client and the audit trail.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * Whether DynamoDB refuses to delete the table until protection is turned off.
   *
   * @default true
   */
  readonly deletionProtection?: boolean;

  /**
   * An AWS Backup plan that backs the table up (HIPAA, NIST 800-53 and PCI
   * DSS `DynamoDBInBackupPlan`), e.g. `backup.BackupPlan.daily35DayRetention(...)`:
   * copies in a backup vault with their own retention, which can be copied to
   * another account or Region. Backups cost about $0.10 per GB-month; the
   * registry holds tenants, clients and the audit trail, typically a few MB.
   *
   * @default - no backup plan; point-in-time recovery (35 days, always on) is the only restore path
   * @see https://docs.aws.amazon.com/aws-backup/latest/devguide/creating-a-backup-plan.html
   */
  readonly backupPlan?: backup.IBackupPlan;
}

/**
 * Attributes of a registry table that exists outside this stack.
 */
export interface TenantRegistryAttributes {
  /**
   * The table ARN.
   */
  readonly tableArn: string;

  /**
   * The KMS key that encrypts the table.
   */
  readonly encryptionKey: kms.IKey;
}

/** Read path of the authorizer: point lookups only. */
const LOOKUP_ACTIONS = ['dynamodb:GetItem', 'dynamodb:BatchGetItem'];

/**
 * What the portal does: item reads and conditional writes, queries, and the
 * hourly rotation sweep's scan. No table or stream changes.
 */
const MANAGE_ACTIONS = [
  'dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:Scan',
  'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:ConditionCheckItem',
];

abstract class TenantRegistryBase extends Resource implements ITenantRegistry {
  public abstract readonly table: dynamodb.ITable;
  public abstract readonly tableName: string;
  public abstract readonly tableArn: string;
  public abstract readonly encryptionKey: kms.IKey;

  public grantLookup(grantee: iam.IGrantable): iam.Grant {
    this.encryptionKey.grantDecrypt(grantee);
    return iam.Grant.addToPrincipal({ grantee, actions: LOOKUP_ACTIONS, resourceArns: [this.tableArn] });
  }

  public grantManage(grantee: iam.IGrantable): iam.Grant {
    this.encryptionKey.grant(grantee, 'kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey');
    return iam.Grant.addToPrincipal({ grantee, actions: MANAGE_ACTIONS, resourceArns: [this.tableArn] });
  }
}

/**
 * The tenant registry: a DynamoDB table of tenants, their API clients
 * (tenant id, client ids, status, scopes, timestamps, who changed what) and
 * an append-only audit trail. The developer portal writes it; the Lambda
 * authorizer reads it to deny suspended tenants and clients within seconds,
 * which Cognito cannot do for client-credentials tokens.
 *
 * Encrypted with a customer-managed KMS key, point-in-time recovery on,
 * deletion protection on, retained on delete.
 */
export class TenantRegistry extends TenantRegistryBase {
  /**
   * Attaches to a registry table that already exists.
   */
  public static fromTenantRegistryAttributes(scope: Construct, id: string, attrs: TenantRegistryAttributes): ITenantRegistry {
    class Import extends TenantRegistryBase {
      public readonly table = dynamodb.Table.fromTableAttributes(this, 'Table', { tableArn: attrs.tableArn, encryptionKey: attrs.encryptionKey });
      public readonly tableName = this.table.tableName;
      public readonly tableArn = attrs.tableArn;
      public readonly encryptionKey = attrs.encryptionKey;
    }
    return new Import(scope, id);
  }

  public readonly table: dynamodb.ITable;
  public readonly tableName: string;
  public readonly tableArn: string;
  public readonly encryptionKey: kms.IKey;

  constructor(scope: Construct, id: string, props: TenantRegistryProps = {}) {
    super(scope, id);
    if (props.tableName !== undefined) checkString(this, 'tableName', props.tableName, TABLE_NAME);
    // Idempotency records carry an expiry (expiresAt, epoch seconds); tenants, clients and audit entries do not.
    const { key, table } = encryptedTable(this, {
      ids: { key: 'Key', table: 'Resource' },
      keyDescription: `Encrypts the tenant registry ${this.node.path}`,
      encryptionKey: props.encryptionKey,
      tableName: props.tableName,
      deletionProtection: props.deletionProtection,
      removalPolicy: props.removalPolicy,
    });
    this.encryptionKey = key;
    if (props.backupPlan) {
      const selection = new backup.BackupSelection(this, 'Backup', {
        backupPlan: props.backupPlan,
        resources: [backup.BackupResource.fromDynamoDbTable(table)],
      });
      acknowledgeRule(selection.node.findChild('Role'),
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup]',
        'AWS Backup assumes this role to back up the registry table; AWSBackupServiceRolePolicyForBackup is the policy AWS maintains for that role, updated as AWS Backup supports new resource types.');
    } else {
      acknowledgeInPacks(table, 'DynamoDBInBackupPlan',
        'Point-in-time recovery is always on: the table can be restored to any second of the last 35 days. The backupPlan prop adds it to an AWS Backup plan '
        + '(copies with their own retention in a vault, optionally in another account or Region; docs/compliance.md).');
    }
    this.table = table;
    this.tableName = table.tableName;
    this.tableArn = table.tableArn;
  }
}
