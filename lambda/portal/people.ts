/**
 * The portal's people: a platform admin invites a tenant's admin into the
 * sign-in pool. Cognito creates the user with a temporary password it e-mails
 * (AdminCreateUser); membership of the tenant's group
 * (`<prefix><tenant id>`, created on first use) is what makes the person an
 * admin of that tenant, and only an administrator can change it. A person's
 * password never passes through the portal.
 */
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  AdminListGroupsForUserCommand,
  CognitoIdentityProviderClient,
  CreateGroupCommand,
  GetGroupCommand,
  ListUsersInGroupCommand,
  UserType,
} from '@aws-sdk/client-cognito-identity-provider';
import { PeoplePoolConfig } from './config';
import { ConflictError, errorName, isNotFound, NotFoundError } from './errors';
import { RetryOptions, withThrottleRetry } from './retry';
import type { TenantAdmin } from '../../lib/private/contracts/portal-api';

function view(u: UserType): TenantAdmin {
  return {
    username: u.Username ?? '',
    email: u.Attributes?.find((a) => a.Name === 'email')?.Value,
    status: u.UserStatus ?? 'UNKNOWN',
    enabled: u.Enabled ?? false,
  };
}

export class People {
  constructor(
    private readonly cognito: CognitoIdentityProviderClient,
    private readonly config: PeoplePoolConfig,
    private readonly retry: RetryOptions,
  ) {}

  public groupOf(tenantId: string): string {
    return `${this.config.tenantGroupPrefix}${tenantId}`;
  }

  /**
   * Creates the person (Cognito e-mails a temporary password) and adds them to
   * the tenant's group. A person who already exists is a conflict; when the
   * group step fails, the new user is deleted again so no half-invited person
   * is left without a tenant.
   */
  public async invite(
    tenantId: string, username: string, email: string, compensate: (step: () => Promise<unknown>) => Promise<unknown>,
  ): Promise<TenantAdmin> {
    const poolId = this.config.userPoolId;
    let created: UserType | undefined;
    try {
      const out = await withThrottleRetry(() => this.cognito.send(new AdminCreateUserCommand({
        UserPoolId: poolId,
        Username: username,
        UserAttributes: [{ Name: 'email', Value: email }, { Name: 'email_verified', Value: 'true' }],
        DesiredDeliveryMediums: ['EMAIL'],
      })), this.retry);
      created = out.User;
    } catch (err) {
      if (errorName(err) === 'UsernameExistsException') throw new ConflictError(`username: ${JSON.stringify(username)} already exists in the sign-in pool`);
      throw err;
    }
    try {
      await this.ensureGroup(tenantId);
      await withThrottleRetry(() => this.cognito.send(new AdminAddUserToGroupCommand({
        UserPoolId: poolId, Username: username, GroupName: this.groupOf(tenantId),
      })), this.retry);
    } catch (err) {
      await compensate(() => this.cognito.send(new AdminDeleteUserCommand({ UserPoolId: poolId, Username: username })));
      throw err;
    }
    return view(created ?? { Username: username, UserStatus: 'FORCE_CHANGE_PASSWORD', Enabled: true, Attributes: [{ Name: 'email', Value: email }] });
  }

  /**
   * Removes a tenant's admin: the person is deleted from the sign-in pool, so
   * they cannot sign in or refresh a token again. Someone who is not an admin
   * of this tenant (or does not exist) is not found: a platform admin cannot
   * delete another tenant's people, or platform admins, through a tenant.
   */
  public async remove(tenantId: string, username: string): Promise<void> {
    let groups: string[];
    try {
      const out = await withThrottleRetry(() => this.cognito.send(new AdminListGroupsForUserCommand({
        UserPoolId: this.config.userPoolId, Username: username, Limit: 60,
      })), this.retry);
      groups = (out.Groups ?? []).map((g) => g.GroupName ?? '');
    } catch (err) {
      if (errorName(err) === 'UserNotFoundException') groups = [];
      else throw err;
    }
    if (!groups.includes(this.groupOf(tenantId))) {
      throw new NotFoundError(`username: ${JSON.stringify(username)} is not an admin of tenant ${tenantId}`);
    }
    if (groups.some((g) => !g.startsWith(this.config.tenantGroupPrefix))) {
      throw new ConflictError(
        `username: ${JSON.stringify(username)} is also in group(s) other than tenant groups (e.g. a platform admin); remove them with the AWS CLI`);
    }
    await withThrottleRetry(() => this.cognito.send(new AdminDeleteUserCommand({
      UserPoolId: this.config.userPoolId, Username: username,
    })), this.retry);
  }

  /** The tenant's admins (none when its group does not exist yet). */
  public async list(tenantId: string): Promise<TenantAdmin[]> {
    const out: TenantAdmin[] = [];
    let next: string | undefined;
    try {
      do {
        const page = await withThrottleRetry(() => this.cognito.send(new ListUsersInGroupCommand({
          UserPoolId: this.config.userPoolId, GroupName: this.groupOf(tenantId), Limit: 60, NextToken: next,
        })), this.retry);
        out.push(...(page.Users ?? []).map(view));
        next = page.NextToken;
      } while (next);
    } catch (err) {
      if (isNotFound(err)) return [];
      throw err;
    }
    return out;
  }

  /** The tenant's group, created on first use (GetGroup first: CreateGroup must never touch an existing group). */
  private async ensureGroup(tenantId: string): Promise<void> {
    try {
      await withThrottleRetry(() => this.cognito.send(new GetGroupCommand({
        UserPoolId: this.config.userPoolId, GroupName: this.groupOf(tenantId),
      })), this.retry);
      return;
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    try {
      await withThrottleRetry(() => this.cognito.send(new CreateGroupCommand({
        UserPoolId: this.config.userPoolId,
        GroupName: this.groupOf(tenantId),
        Description: `Admins of tenant ${tenantId} in the developer portal`,
      })), this.retry);
    } catch (err) {
      if (errorName(err) !== 'GroupExistsException') throw err;
    }
  }
}
