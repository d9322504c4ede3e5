/**
 * In-memory Secrets Manager and Cognito behind aws-sdk-client-mock, with the
 * behaviour rotation relies on: staging labels that move (AWSPREVIOUS follows
 * AWSCURRENT), idempotent PutSecretValue per ClientRequestToken, and at most
 * two client secrets per app client. `rotate` drives the four steps as
 * Secrets Manager does. Failures are injected per command.
 */
import {
  AddUserPoolClientSecretCommand, CognitoIdentityProviderClient, DeleteUserPoolClientSecretCommand, ListUserPoolClientSecretsCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import {
  DescribeSecretCommand, GetSecretValueCommand, ListSecretsCommand, PutSecretValueCommand, SecretsManagerClient, UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { SecretBindings, StackResource } from '../../../lambda/client-rotation/binding';
import { ClientSecretRotation, RotationStep } from '../../../lambda/client-rotation/rotation';
import { AppClients } from '../../../lambda/portal/cognito';
import { Logger } from '../../../lambda/shared/log';

export const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:111111111111:secret:globex-AbCdEf';
export const FUNCTION_ARN = 'arn:aws:lambda:us-east-1:111111111111:function:rotation';
export const POOL_ID = 'us-east-1_AbCdEf123';
export const CLIENT_ID = '4tq1example5clientid6789ab';
/** Another client of the pool: the platform-ops client that holds the portal's admin scope. */
export const OPS_CLIENT_ID = '7ops0example0clientid00abc';
export const STACK = 'Tenants';
/** The tags TenantAppClient writes on a rotated secret. */
export const BOUND_TAGS = [{ Key: 'cdk-cognito-m2m:stack-name', Value: STACK }, { Key: 'cdk-cognito-m2m:logical-id', Value: 'GlobexSecret' }];

/**
 * What CloudFormation reports of the tenants' stack: globex's secret and
 * client, and the ops client (whose secret is not rotated).
 */
export function tenantsStack(): Map<string, StackResource> {
  return new Map<string, StackResource>([
    ['GlobexSecret', { resourceType: 'AWS::SecretsManager::Secret', physicalId: SECRET_ARN, metadata: JSON.stringify({ 'aws:cdk:path': 'Tenants/Globex/Secret/Resource', 'cdk-cognito-m2m:client-logical-id': 'GlobexClient' }) }],
    ['GlobexClient', { resourceType: 'AWS::Cognito::UserPoolClient', physicalId: CLIENT_ID }],
    ['OpsClient', { resourceType: 'AWS::Cognito::UserPoolClient', physicalId: OPS_CLIENT_ID }],
  ]);
}

/** The secret Secrets Manager asks the function to rotate, and what it holds. */
export interface WorldOptions {
  /** @default SECRET_ARN */
  readonly secretArn?: string;
  /** @default BOUND_TAGS */
  readonly tags?: Array<{ Key: string; Value: string }>;
  /** The client id written in the secret's value. @default CLIENT_ID */
  readonly valueClientId?: string;
}
export const HOUR = 3600_000;
export const GRACE_MS = 24 * HOUR;

function awsError(name: string, message = name): Error {
  return Object.assign(new Error(message), { name });
}

interface Version { value?: string; stages: string[] }

export class World {
  public now = new Date('2026-03-01T00:00:00Z');
  public readonly versions = new Map<string, Version>();
  public lastRotatedAt?: Date;
  /** Cognito's secrets of the client: id → value. */
  public readonly cognito = new Map<string, string>();
  /** Commands that fail once, by name (e.g. `PutSecretValue`), optionally after doing their work. */
  public readonly failNext = new Map<string, 'before' | 'after'>();
  public readonly logs: string[] = [];
  public tokenCheckFails = false;
  public readonly rotation: ClientSecretRotation;
  public rotationLambdaArn = FUNCTION_ARN;
  /** Every Cognito call made, by command name. */
  public readonly cognitoCalls: string[] = [];
  /** The resources of the tenants' stack, as CloudFormation reports them. */
  public readonly stack = tenantsStack();
  /** The token checks made: the client id and secret tested. */
  public readonly tokenChecks: Array<{ clientId: string; clientSecret: string }> = [];
  public readonly secretArn: string;
  public readonly tags: Array<{ Key: string; Value: string }>;
  private seq = 0;

  constructor(original = 'original-cloudformation-secret-value', options: WorldOptions = {}) {
    this.secretArn = options.secretArn ?? SECRET_ARN;
    this.tags = options.tags ?? BOUND_TAGS;
    const id = this.newSecretId();
    this.cognito.set(id, original);
    const value = {
      tenantId: 'globex', clientId: options.valueClientId ?? CLIENT_ID, clientSecret: original, tokenEndpoint: 'https://acme.auth.us-east-1.amazoncognito.com/oauth2/token', scope: '',
    };
    this.versions.set('v0', { value: JSON.stringify(value), stages: ['AWSCURRENT'] });

    const sm = mockClient(SecretsManagerClient);
    sm.on(DescribeSecretCommand).callsFake(() => this.guard('DescribeSecret', () => ({
      ARN: this.secretArn, RotationEnabled: true, VersionIdsToStages: this.stages(), LastRotatedDate: this.lastRotatedAt, Tags: this.tags,
    })));
    sm.on(GetSecretValueCommand).callsFake((i) => this.guard('GetSecretValue', () => {
      const entry = i.VersionId ? this.versions.get(i.VersionId) : [...this.versions.values()].find((v) => v.stages.includes(i.VersionStage));
      if (!entry?.value || (i.VersionStage && !entry.stages.includes(i.VersionStage))) throw awsError('ResourceNotFoundException');
      return { SecretString: entry.value };
    }));
    sm.on(PutSecretValueCommand).callsFake((i) => this.guard('PutSecretValue', () => {
      const existing = this.versions.get(i.ClientRequestToken);
      if (existing?.value !== undefined) {
        if (existing.value !== i.SecretString) throw awsError('ResourceExistsException');
        return {};
      }
      for (const label of i.VersionStages) this.detach(label);
      this.versions.set(i.ClientRequestToken, { value: i.SecretString, stages: [...new Set([...(existing?.stages ?? []), ...i.VersionStages])] });
      return {};
    }));
    sm.on(UpdateSecretVersionStageCommand).callsFake((i) => this.guard('UpdateSecretVersionStage', () => {
      if (i.RemoveFromVersionId && !this.versions.get(i.RemoveFromVersionId)?.stages.includes(i.VersionStage)) {
        throw awsError('InvalidParameterException', 'label not attached to RemoveFromVersionId');
      }
      const from = i.RemoveFromVersionId ? this.versions.get(i.RemoveFromVersionId) : undefined;
      if (from) from.stages = from.stages.filter((s) => s !== i.VersionStage);
      if (i.MoveToVersionId) {
        const previousCurrent = i.VersionStage === 'AWSCURRENT' ? i.RemoveFromVersionId : undefined;
        this.detach(i.VersionStage);
        this.versions.get(i.MoveToVersionId)!.stages.push(i.VersionStage);
        if (previousCurrent) {
          this.detach('AWSPREVIOUS');
          this.versions.get(previousCurrent)!.stages.push('AWSPREVIOUS');
        }
      }
      return {};
    }));
    sm.on(ListSecretsCommand).callsFake(() => this.guard('ListSecrets', () => ({
      SecretList: [
        {
          ARN: this.secretArn,
          RotationLambdaARN: this.rotationLambdaArn,
          SecretVersionsToStages: this.stages(),
          LastRotatedDate: this.lastRotatedAt,
          Tags: this.tags,
        },
        { ARN: 'arn:aws:secretsmanager:us-east-1:111111111111:secret:other-XyZ', SecretVersionsToStages: { x: ['AWSCURRENT'] } },
      ],
    })));

    const idp = mockClient(CognitoIdentityProviderClient);
    idp.on(ListUserPoolClientSecretsCommand).callsFake((i) => this.guard('ListUserPoolClientSecrets', () => {
      this.cognitoCalls.push('ListUserPoolClientSecrets');
      expect(i).toMatchObject({ UserPoolId: POOL_ID, ClientId: CLIENT_ID });
      return { ClientSecrets: [...this.cognito.keys()].map((ClientSecretId) => ({ ClientSecretId })) };
    }));
    idp.on(AddUserPoolClientSecretCommand).callsFake((i) => this.guard('AddUserPoolClientSecret', () => {
      this.cognitoCalls.push('AddUserPoolClientSecret');
      expect(i).toEqual({ UserPoolId: POOL_ID, ClientId: CLIENT_ID });
      if (this.cognito.size >= 2) throw awsError('LimitExceededException');
      const ClientSecretId = this.newSecretId();
      const ClientSecretValue = `generated-secret-${this.seq}`;
      this.cognito.set(ClientSecretId, ClientSecretValue);
      return { ClientSecretDescriptor: { ClientSecretId, ClientSecretValue } };
    }));
    idp.on(DeleteUserPoolClientSecretCommand).callsFake((i) => this.guard('DeleteUserPoolClientSecret', () => {
      this.cognitoCalls.push('DeleteUserPoolClientSecret');
      if (!this.cognito.delete(i.ClientSecretId)) throw awsError('ResourceNotFoundException');
      return {};
    }));

    this.rotation = new ClientSecretRotation({
      secrets: new SecretsManagerClient({ region: 'us-east-1' }),
      apps: new AppClients(new CognitoIdentityProviderClient({ region: 'us-east-1' }), POOL_ID, { sleep: async () => {} }),
      checkToken: async (clientId, clientSecret) => {
        this.tokenChecks.push({ clientId, clientSecret });
        if (this.tokenCheckFails || ![...this.cognito.values()].includes(clientSecret)) throw awsError('TokenClientError', 'invalid_client');
      },
      bindings: new SecretBindings([STACK], async (stackName, logicalId) => (stackName === STACK ? this.stack.get(logicalId) : undefined)),
      graceMs: GRACE_MS,
      now: () => this.now,
      log: new Logger('debug', (line) => { this.logs.push(line); }),
    });
  }

  public stages(): Record<string, string[]> {
    return Object.fromEntries([...this.versions].map(([id, v]) => [id, [...v.stages]]));
  }

  /** The client secret in the AWSCURRENT value: what a consumer reads. */
  public currentClientSecret(): string {
    return JSON.parse([...this.versions.values()].find((v) => v.stages.includes('AWSCURRENT'))!.value!).clientSecret;
  }

  /** What must hold after any step, failed or not. */
  public expectConsumersServed(): void {
    expect([...this.cognito.values()]).toContain(this.currentClientSecret());
    expect(this.cognito.size).toBeLessThanOrEqual(2);
  }

  /** Starts a rotation as RotateSecret does: the token's version is AWSPENDING, without a value yet. */
  public start(token: string): void {
    this.detach('AWSPENDING');
    this.versions.set(token, { stages: ['AWSPENDING'] });
  }

  public step(token: string, step: RotationStep): Promise<void> {
    return this.rotation.rotate({ SecretId: this.secretArn, ClientRequestToken: token, Step: step });
  }

  /** A whole rotation; on success Secrets Manager records the time. */
  public async rotate(token: string): Promise<void> {
    this.start(token);
    for (const step of ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const) await this.step(token, step);
    this.lastRotatedAt = this.now;
  }

  public advance(ms: number): void {
    this.now = new Date(this.now.getTime() + ms);
  }

  private detach(label: string): void {
    for (const v of this.versions.values()) v.stages = v.stages.filter((s) => s !== label);
  }

  private newSecretId(): string {
    this.seq++;
    return `${CLIENT_ID}--${1_700_000_000 + this.seq}`;
  }

  private guard<T>(name: string, work: () => T): T {
    const mode = this.failNext.get(name);
    if (mode === 'before') {
      this.failNext.delete(name);
      throw awsError('InternalServiceError', `${name} failed`);
    }
    const out = work();
    if (mode === 'after') {
      this.failNext.delete(name);
      throw awsError('InternalServiceError', `${name} answer lost`);
    }
    return out;
  }
}
