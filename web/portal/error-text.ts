/**
 * Failures in words: what happened and what to do about it, for every error
 * code of the portal API (lib/private/contracts/portal-api.ts), API Gateway's
 * own answers, a missing answer and a failed sign-in. The HTTP status, the
 * error code and the request id stay available for support.
 */
import { ApiError, NetworkError } from './api';
import { SESSION_ENDED, SESSION_NOT_REVOKED, SignInError } from './auth';
import type { PortalErrorCode } from '../../lib/private/contracts/portal-api';

/** A failure as the person reads it. */
export interface ErrorText {
  /** What happened, as the end of "<action> failed: …" (lower case) or on its own. */
  readonly title: string;
  /** What the service said, e.g. which value it refused. */
  readonly detail: string;
  /** What to do about it. */
  readonly advice?: string;
  /** For support: the HTTP status and the portal's error code. */
  readonly support?: string;
  readonly requestId?: string;
}

interface Words {
  readonly title: string;
  readonly advice: string;
}

/** Every error code of the portal API, in words (a new code fails the type check until it has its words). */
const PORTAL_ERRORS: Readonly<Record<PortalErrorCode, Words>> = {
  bad_request: {
    title: 'the portal did not accept a value',
    advice: 'Correct the value named above and try again.',
  },
  forbidden: {
    title: 'you are not allowed to do this',
    advice: 'If you need to, ask a platform admin: they can do it for you.',
  },
  not_found: {
    title: 'it does not exist (any more)',
    advice: 'Someone may have deleted it meanwhile. Reload the page to see what there is now.',
  },
  conflict: {
    title: 'it clashes with the current state',
    advice: 'Someone may have changed it meanwhile, or another change is still under way. Reload the page, check, and try again.',
  },
  throttled: {
    title: 'the sign-in service is busy',
    advice: 'Amazon Cognito is limiting changes at the moment. Wait a minute, then try again.',
  },
  rate_limited: {
    title: 'you made too many changes within a minute',
    advice: 'Wait until the next minute, then try again.',
  },
  client_limit_reached: {
    title: 'the tenant has as many clients as it may have',
    advice: 'Delete a client it no longer uses, or ask the platform team to raise the limit.',
  },
  pool_client_quota_reached: {
    title: 'the platform cannot register more clients',
    advice: 'Its user pool holds as many app clients as its AWS quota allows: ask the platform team to raise the quota.',
  },
  api_key_quota_reached: {
    title: 'the platform cannot create more API keys',
    advice: 'The AWS account holds as many API keys as its quota allows: ask the platform team to raise the quota.',
  },
  internal: {
    title: 'the portal API failed',
    advice: 'Try again. If it fails again, tell the platform team and quote the request id.',
  },
};

/** API Gateway's own answers (no portal error code), by status. */
function gatewayWords(status: number): Words {
  if (status === 401) {
    return {
      title: 'the portal API did not accept your sign-in',
      advice: 'Sign out and sign in again. If it persists, your account may have no role in the portal: ask a platform admin.',
    };
  }
  if (status === 403) return PORTAL_ERRORS.forbidden;
  if (status === 429) return { title: 'the portal API is receiving too many requests', advice: 'Wait a moment, then try again.' };
  if (status >= 500) {
    return { title: 'the portal API is unavailable', advice: 'Try again in a moment. If it persists, tell the platform team and quote the request id.' };
  }
  return { title: 'the portal API refused the request', advice: 'Reload the page and try again. If it persists, tell the platform team.' };
}

function isPortalErrorCode(code: string | undefined): code is PortalErrorCode {
  return code !== undefined && Object.prototype.hasOwnProperty.call(PORTAL_ERRORS, code);
}

export function describeError(err: unknown): ErrorText {
  if (err instanceof ApiError) {
    const words = isPortalErrorCode(err.code) ? PORTAL_ERRORS[err.code] : gatewayWords(err.status);
    return {
      title: words.title,
      detail: err.message, // verbatim: it may start with a field name (`tenantId: …`)
      advice: words.advice,
      support: `HTTP ${err.status}${err.code ? `, error code ${err.code}` : ''}`,
      requestId: err.requestId,
    };
  }
  if (err instanceof NetworkError) {
    return {
      title: 'the portal API could not be reached',
      detail: `${err.message}: the network is down, the API is unavailable, or it refused this site (CORS).`,
      advice: 'Check your connection and try again. If it persists, tell the platform team.',
    };
  }
  if (err instanceof SignInError) {
    const title = err.code === SESSION_ENDED ? 'Your session has ended'
      : err.code === SESSION_NOT_REVOKED ? 'Signed out, but your session could not be revoked'
        : `Sign-in failed (${err.code})`;
    return { title, detail: err.message };
  }
  return { title: 'something went wrong', detail: err instanceof Error ? err.message : String(err) };
}
