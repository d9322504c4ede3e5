import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { grantsOnlyForAwsServices } from './compliance';

export interface EncryptedTableOptions {
  /** Construct ids of the key (when the library creates it) and of the table. */
  readonly ids: { readonly key: string; readonly table: string };
  /** What the key encrypts, for its description. */
  readonly keyDescription: string;
  /** A key of the caller's. @default a new customer-managed key, rotated yearly, retained, grants only for AWS services */
  readonly encryptionKey?: kms.IKey;
  readonly tableName?: string;
  /** @default true */
  readonly deletionProtection?: boolean;
  /** @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The library's tables (the tenant registry, the token-budget table): one
 * `pk`/`sk` table on demand, encrypted with a customer-managed key,
 * point-in-time recovery on, items expiring by their `expiresAt` (epoch
 * seconds), deletion protection on and retained unless the caller says
 * otherwise.
 */
export function encryptedTable(scope: Construct, options: EncryptedTableOptions): { readonly key: kms.IKey; readonly table: dynamodb.Table } {
  const key = options.encryptionKey ?? grantsOnlyForAwsServices(new kms.Key(scope, options.ids.key, {
    description: options.keyDescription,
    enableKeyRotation: true,
    removalPolicy: RemovalPolicy.RETAIN,
  }));
  const table = new dynamodb.Table(scope, options.ids.table, {
    tableName: options.tableName,
    partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
    sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
    billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
    encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
    encryptionKey: key,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    timeToLiveAttribute: 'expiresAt',
    deletionProtection: options.deletionProtection ?? true,
    removalPolicy: options.removalPolicy ?? RemovalPolicy.RETAIN,
  });
  return { key, table };
}
