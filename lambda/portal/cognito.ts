/**
 * The app-client operations the portal performs on its user pool, each
 * retried on throttling. Client secrets pass through here in memory only:
 * they are returned to the caller and never logged or stored.
 */
import {
  AddUserPoolClientSecretCommand,
  CognitoIdentityProviderClient,
  CreateUserPoolClientCommand,
  DeleteUserPoolClientCommand,
  DeleteUserPoolClientSecretCommand,
  DescribeUserPoolClientCommand,
  ListUserPoolClientSecretsCommand,
  ListUserPoolClientsCommand,
  UpdateUserPoolClientCommand,
  UpdateUserPoolClientCommandInput,
  UserPoolClientType,
} from '@aws-sdk/client-cognito-identity-provider';
import { isNotFound, ThrottledError } from './errors';
import { RetryOptions, withThrottleRetry } from './retry';
import { portalClientName } from '../../lib/private/contracts/portal';

/**
 * Every field of UpdateUserPoolClient besides the ids. UpdateUserPoolClient
 * resets each field it is not sent, so a change copies all of them from
 * DescribeUserPoolClient (read, modify, write the whole client).
 */
export const UPDATABLE_FIELDS = [
  'ClientName', 'RefreshTokenValidity', 'AccessTokenValidity', 'IdTokenValidity', 'TokenValidityUnits',
  'ReadAttributes', 'WriteAttributes', 'ExplicitAuthFlows', 'SupportedIdentityProviders', 'CallbackURLs',
  'LogoutURLs', 'DefaultRedirectURI', 'AllowedOAuthFlows', 'AllowedOAuthScopes', 'AllowedOAuthFlowsUserPoolClient',
  'AnalyticsConfiguration', 'PreventUserExistenceErrors', 'EnableTokenRevocation',
  'EnablePropagateAdditionalUserContextData', 'AuthSessionValidity', 'RefreshTokenRotation',
] as const satisfies readonly (keyof UpdateUserPoolClientCommandInput)[];

export interface CreatedClient {
  readonly clientId: string;
  readonly clientSecret: string;
}

export interface SecretInfo {
  readonly clientSecretId: string;
  readonly createdAt?: string;
}

export interface AddedSecret {
  readonly clientSecretId: string;
  readonly clientSecret: string;
}

/**
 * False when CreateUserPoolClient certainly created nothing: Cognito answered
 * with a refusal (HTTP 4xx, e.g. LimitExceededException at the pool's client
 * quota, or throttling after every retry). True for every other outcome (no
 * answer, a timeout, a 5xx, an answer without a client): the client may exist.
 */
export function mayHaveCreated(err: unknown): boolean {
  if (err instanceof ThrottledError) return false;
  const status = (err as { $metadata?: { httpStatusCode?: unknown } } | undefined)?.$metadata?.httpStatusCode;
  return !(typeof status === 'number' && status >= 400 && status < 500 && status !== 408);
}

export class AppClients {
  constructor(
    private readonly cognito: CognitoIdentityProviderClient,
    private readonly userPoolId: string,
    private readonly retry: RetryOptions,
  ) {}

  /** Creates a client-credentials-only app client with a generated secret. */
  public async create(tenantId: string, name: string, scopes: readonly string[], validityMinutes: number): Promise<CreatedClient> {
    const out = await withThrottleRetry(() => this.cognito.send(new CreateUserPoolClientCommand({
      UserPoolId: this.userPoolId,
      ClientName: portalClientName(tenantId, name),
      GenerateSecret: true,
      AllowedOAuthFlows: ['client_credentials'],
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthScopes: [...scopes],
      EnableTokenRevocation: true,
      PreventUserExistenceErrors: 'ENABLED',
      ExplicitAuthFlows: ['ALLOW_REFRESH_TOKEN_AUTH'],
      SupportedIdentityProviders: ['COGNITO'],
      AccessTokenValidity: validityMinutes,
      TokenValidityUnits: { AccessToken: 'minutes', IdToken: 'minutes', RefreshToken: 'days' },
    })), this.retry);
    const client = out.UserPoolClient;
    if (!client?.ClientId || !client.ClientSecret) throw new Error('CreateUserPoolClient returned no client id or secret');
    return { clientId: client.ClientId, clientSecret: client.ClientSecret };
  }

  public async describe(clientId: string): Promise<UserPoolClientType> {
    const out = await withThrottleRetry(() => this.cognito.send(new DescribeUserPoolClientCommand({
      UserPoolId: this.userPoolId, ClientId: clientId,
    })), this.retry);
    if (!out.UserPoolClient) throw new Error('DescribeUserPoolClient returned no client');
    return out.UserPoolClient;
  }

  /** The complete UpdateUserPoolClient input that leaves `client` as it is (its secret is not part of it). */
  public fullUpdateInput(client: UserPoolClientType): UpdateUserPoolClientCommandInput {
    const input: Record<string, unknown> = { UserPoolId: this.userPoolId, ClientId: client.ClientId };
    for (const field of UPDATABLE_FIELDS) {
      const value = (client as Record<string, unknown>)[field];
      if (value !== undefined) input[field] = value;
    }
    return input as unknown as UpdateUserPoolClientCommandInput;
  }

  public async update(input: UpdateUserPoolClientCommandInput): Promise<void> {
    await withThrottleRetry(() => this.cognito.send(new UpdateUserPoolClientCommand(input)), this.retry);
  }

  /** Deletes an app client; one that is already gone counts as deleted. */
  public async delete(clientId: string): Promise<void> {
    try {
      await withThrottleRetry(() => this.cognito.send(new DeleteUserPoolClientCommand({
        UserPoolId: this.userPoolId, ClientId: clientId,
      })), this.retry);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  /** False when the app client does not exist (any other error propagates). */
  public async exists(clientId: string): Promise<boolean> {
    try {
      await this.describe(clientId);
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  /**
   * Ids of the app clients named `portalClientName(tenantId, name)`, to find
   * a client an interrupted registration left behind. Only names of the
   * portal's name space are ever matched: a client named `<tenantId>.<name>`
   * (a TenantAppClient, or a client an earlier portal version registered) is
   * never returned, so never deleted.
   */
  public async findPortalClients(tenantId: string, name: string): Promise<string[]> {
    const clientName = portalClientName(tenantId, name);
    const ids: string[] = [];
    await this.eachClient((c) => {
      if (c.ClientName === clientName && c.ClientId) ids.push(c.ClientId);
    });
    return ids;
  }

  /** The number of app clients in the pool, the portal's and every other. */
  public async countClients(): Promise<number> {
    let count = 0;
    await this.eachClient(() => { count++; });
    return count;
  }

  private async eachClient(visit: (c: { ClientId?: string; ClientName?: string }) => void): Promise<void> {
    let next: string | undefined;
    do {
      const out = await withThrottleRetry(() => this.cognito.send(new ListUserPoolClientsCommand({
        UserPoolId: this.userPoolId, MaxResults: 60, NextToken: next,
      })), this.retry);
      for (const c of out.UserPoolClients ?? []) visit(c);
      next = out.NextToken;
    } while (next);
  }

  public async listSecrets(clientId: string): Promise<SecretInfo[]> {
    const secrets: SecretInfo[] = [];
    let next: string | undefined;
    do {
      const out = await withThrottleRetry(() => this.cognito.send(new ListUserPoolClientSecretsCommand({
        UserPoolId: this.userPoolId, ClientId: clientId, NextToken: next,
      })), this.retry);
      for (const s of out.ClientSecrets ?? []) {
        // Only the id and date are kept: a secret value is never read here.
        if (s.ClientSecretId) secrets.push({ clientSecretId: s.ClientSecretId, createdAt: s.ClientSecretCreateDate?.toISOString() });
      }
      next = out.NextToken;
    } while (next);
    return secrets;
  }

  public async addSecret(clientId: string): Promise<AddedSecret> {
    const out = await withThrottleRetry(() => this.cognito.send(new AddUserPoolClientSecretCommand({
      UserPoolId: this.userPoolId, ClientId: clientId,
    })), this.retry);
    const d = out.ClientSecretDescriptor;
    if (!d?.ClientSecretId || !d.ClientSecretValue) throw new Error('AddUserPoolClientSecret returned no secret');
    return { clientSecretId: d.ClientSecretId, clientSecret: d.ClientSecretValue };
  }

  /** Deletes one secret; one that is already gone counts as deleted. */
  public async deleteSecret(clientId: string, clientSecretId: string): Promise<void> {
    try {
      await withThrottleRetry(() => this.cognito.send(new DeleteUserPoolClientSecretCommand({
        UserPoolId: this.userPoolId, ClientId: clientId, ClientSecretId: clientSecretId,
      })), this.retry);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}
