/**
 * Request validation. Every rule fails with a `BadRequestError` naming the
 * field, the value received and the rule, e.g.
 * `name: "a b" is invalid: 1-48 characters [A-Za-z0-9_-], starting and ending with a letter or digit`.
 */
import { BadRequestError } from './errors';
import { CLIENT_ID, IdRule, matchesRule, TENANT_ID, USERNAME } from '../../lib/private/contracts/ids';
import {
  CLIENT_NAME, CreateClientRequest, CreateTenantRequest, InviteAdminRequest, MAX_ACCESS_TOKEN_VALIDITY_MINUTES, MAX_SCOPES,
  MIN_ACCESS_TOKEN_VALIDITY_MINUTES, PatchClientRequest, PatchTenantRequest, SettableStatus,
} from '../../lib/private/contracts/portal-api';

export const MAX_BODY_BYTES = 16 * 1024;

/** Cognito client secret ids: `<client-id>--<epoch-create-time>`. */
const SECRET_ID: IdRule = { pattern: /^[\w+-]+$/, minLength: 1, maxLength: 256, describe: 'a client secret id ([\\w+-], 1-256 characters)' };
export const IDEMPOTENCY_KEY = /^[A-Za-z0-9_.:-]{1,128}$/;
// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;

/** A registration as the portal carries it out: the token validity defaulted. */
export type ValidCreateClient = Required<CreateClientRequest>;
/** A change of a client, checked: at least one field. */
export type ValidPatchClient = PatchClientRequest;

/** An e-mail address Cognito can send the temporary password to (a pragmatic subset of RFC 5321). */
const EMAIL = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;
const EMAIL_RULE = 'an e-mail address (local@domain.example, at most 254 characters)';

type Body = Record<string, unknown>;

/** Parses a JSON object body: size, encoding, syntax, shape. */
export function parseBody(raw: string | null | undefined, isBase64Encoded: boolean | undefined): Body {
  if (raw === null || raw === undefined || raw === '') {
    throw new BadRequestError('body', undefined, 'a JSON object is required');
  }
  const text = isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_BODY_BYTES) {
    throw new BadRequestError('body', undefined, `at most ${MAX_BODY_BYTES} bytes`, `${bytes} bytes`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new BadRequestError('body', undefined, 'must be a JSON object', '(malformed JSON)');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new BadRequestError('body', parsed, 'must be a JSON object');
  }
  return parsed as Body;
}

function rejectUnknown(body: Body, allowed: readonly string[]): void {
  for (const key of Object.keys(body)) {
    if (!allowed.includes(key)) {
      throw new BadRequestError(key, body[key], `unknown field; allowed fields are ${allowed.join(', ')}`);
    }
  }
}

export function checkTenantId(value: unknown, field = 'tenantId'): string {
  if (value === undefined) throw new BadRequestError(field, value, 'required');
  if (typeof value !== 'string') throw new BadRequestError(field, value, 'must be a string');
  if (!matchesRule(TENANT_ID, value)) throw new BadRequestError(field, value, TENANT_ID.describe);
  return value;
}

function checkName(value: unknown): string {
  if (value === undefined) throw new BadRequestError('name', value, 'required');
  if (typeof value !== 'string') throw new BadRequestError('name', value, 'must be a string');
  if (!matchesRule(CLIENT_NAME, value)) throw new BadRequestError('name', value, CLIENT_NAME.describe);
  return value;
}

function checkStatus(value: unknown, required: boolean): SettableStatus | undefined {
  if (value === undefined) {
    if (required) throw new BadRequestError('status', value, 'required');
    return undefined;
  }
  if (value !== 'active' && value !== 'suspended') throw new BadRequestError('status', value, 'one of "active", "suspended"');
  return value;
}

function checkScopes(value: unknown, grantable: ReadonlySet<string>): string[] {
  if (value === undefined) throw new BadRequestError('scopes', value, 'required');
  if (!Array.isArray(value)) throw new BadRequestError('scopes', value, 'must be an array of scope strings');
  if (value.length === 0) throw new BadRequestError('scopes', value, 'at least one scope');
  if (value.length > MAX_SCOPES) {
    throw new BadRequestError('scopes', value, `at most ${MAX_SCOPES} scopes (Amazon Cognito's limit per app client)`, `${value.length} scopes`);
  }
  const seen = new Set<string>();
  value.forEach((scope, i) => {
    const field = `scopes[${i}]`;
    if (typeof scope !== 'string') throw new BadRequestError(field, scope, 'must be a string');
    if (!grantable.has(scope)) {
      throw new BadRequestError(field, scope, `not a scope the portal may grant (${[...grantable].sort().join(', ')})`);
    }
    if (seen.has(scope)) throw new BadRequestError(field, scope, 'listed twice');
    seen.add(scope);
  });
  return [...seen].sort();
}

function checkValidity(value: unknown, fallback: number | undefined): number | undefined {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new BadRequestError('accessTokenValidityMinutes', value, 'must be an integer number of minutes');
  }
  if (value < MIN_ACCESS_TOKEN_VALIDITY_MINUTES || value > MAX_ACCESS_TOKEN_VALIDITY_MINUTES) {
    throw new BadRequestError('accessTokenValidityMinutes', value, `from ${MIN_ACCESS_TOKEN_VALIDITY_MINUTES} to ${MAX_ACCESS_TOKEN_VALIDITY_MINUTES} minutes`);
  }
  return value;
}

export function parseCreateTenant(body: Body): CreateTenantRequest {
  rejectUnknown(body, ['tenantId', 'displayName']);
  const tenantId = checkTenantId(body.tenantId);
  const displayName = body.displayName;
  if (displayName !== undefined) {
    if (typeof displayName !== 'string') throw new BadRequestError('displayName', displayName, 'must be a string');
    if (displayName.length < 1 || displayName.length > 256 || CONTROL_CHARS.test(displayName)) {
      throw new BadRequestError('displayName', displayName, '1-256 characters without control characters');
    }
  }
  return { tenantId, displayName: displayName as string | undefined };
}

export function parseInviteAdmin(body: Body): InviteAdminRequest {
  rejectUnknown(body, ['username', 'email']);
  const { username, email } = body;
  if (username === undefined) throw new BadRequestError('username', username, 'required');
  if (!matchesRule(USERNAME, username)) throw new BadRequestError('username', username, USERNAME.describe);
  if (email === undefined) throw new BadRequestError('email', email, 'required');
  if (typeof email !== 'string' || email.length > 254 || !EMAIL.test(email)) throw new BadRequestError('email', email, EMAIL_RULE);
  return { username, email };
}

export function checkUsername(value: string | undefined): string {
  return checkPathParam('username', value, USERNAME);
}

export function parsePatchTenant(body: Body): PatchTenantRequest {
  rejectUnknown(body, ['status']);
  return { status: checkStatus(body.status, true)! };
}

export function parseCreateClient(body: Body, grantable: ReadonlySet<string>, defaultValidity: number): ValidCreateClient {
  rejectUnknown(body, ['name', 'scopes', 'accessTokenValidityMinutes']);
  return {
    name: checkName(body.name),
    scopes: checkScopes(body.scopes, grantable),
    accessTokenValidityMinutes: checkValidity(body.accessTokenValidityMinutes, defaultValidity)!,
  };
}

export function parsePatchClient(body: Body, grantable: ReadonlySet<string>): ValidPatchClient {
  rejectUnknown(body, ['status', 'scopes', 'accessTokenValidityMinutes']);
  const request: ValidPatchClient = {
    status: checkStatus(body.status, false),
    scopes: body.scopes === undefined ? undefined : checkScopes(body.scopes, grantable),
    accessTokenValidityMinutes: checkValidity(body.accessTokenValidityMinutes, undefined),
  };
  if (request.status === undefined && request.scopes === undefined && request.accessTokenValidityMinutes === undefined) {
    throw new BadRequestError('body', body, 'give at least one of status, scopes, accessTokenValidityMinutes');
  }
  return request;
}

export function checkPathParam(field: string, value: string | undefined, rule: IdRule): string {
  if (!matchesRule(rule, value)) throw new BadRequestError(field, value, rule.describe);
  return value;
}

export function checkClientId(value: string | undefined): string {
  return checkPathParam('clientId', value, CLIENT_ID);
}

export function checkSecretId(value: string | undefined): string {
  return checkPathParam('secretId', value, SECRET_ID);
}

export function checkIdempotencyKey(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!IDEMPOTENCY_KEY.test(value)) {
    throw new BadRequestError('Idempotency-Key', value, '1-128 characters [A-Za-z0-9_.:-]');
  }
  return value;
}

export function checkLimit(value: string | undefined): number {
  if (value === undefined) return 25;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 100) throw new BadRequestError('limit', value, 'an integer from 1 to 100');
  return n;
}

/** The canonical form of a client's settings, to tell a retry from a conflicting request. */
export function fingerprint(scopes: readonly string[], validity: number): string {
  return JSON.stringify({ scopes: [...scopes].sort(), validity });
}
