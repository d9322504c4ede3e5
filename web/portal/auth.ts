/**
 * Sign-in: the OAuth 2.0 authorization-code grant with PKCE on a public
 * client (no secret).
 *
 * The tokens live in this module's memory only, never in localStorage,
 * sessionStorage or a cookie: nothing outlives the tab, and no storage holds
 * a token for injected script to read. A reload (or a new tab) therefore
 * starts without tokens and asks the sign-in domain for new ones silently:
 * the same request with `prompt=none`, which managed login answers with a
 * code while its own session (its cookie, on its own domain) lasts, and with
 * `login_required` once it has ended; the landing page then asks to sign in.
 * sessionStorage holds the PKCE verifier, the state and the page to return to
 * only from the redirect to the authorize endpoint until the return, and a
 * sign-out's outcome (no token) only from the redirect through the logout
 * endpoint until the landing page shows it.
 *
 * Sign-out revokes the refresh token at the sign-in domain's revoke endpoint
 * before managed login's session is ended: a copy of the refresh token taken
 * while the tab was open is then useless, and the next load cannot sign in
 * silently.
 */
import { revokeUrlOf, SignInConfig } from '../../lib/private/contracts/web-ui';

const PENDING_KEY = 'portal.pending-sign-in';
/** Set by sign-out for the landing page after the logout redirect: `{ problem?: string }`. */
const SIGNED_OUT_KEY = 'portal.signed-out';
/** How long sign-out waits for the revoke endpoint before going on without it. */
const REVOKE_TIMEOUT_MS = 10_000;
/** Longest `error_description` shown from the sign-in service (the rest is cut). */
const MAX_DESCRIPTION = 300;

interface Tokens {
  readonly accessToken: string;
  readonly idToken?: string;
  readonly refreshToken?: string;
  /** When to refresh (epoch milliseconds): shortly before the access token expires. */
  readonly refreshAt: number;
}

interface TokenAnswer {
  readonly access_token: string;
  readonly id_token?: string;
  readonly refresh_token?: string;
  readonly expires_in: number;
}

/** The code of the SignInError reported when a refresh fails: the user must sign in again. */
export const SESSION_ENDED = 'session_ended';
/** The code of the SignInError reported after a sign-out whose refresh token could not be revoked. */
export const SESSION_NOT_REVOKED = 'session_not_revoked';

/** A sign-in or token refresh failed; `code` is the OAuth error code when there is one. */
export class SignInError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
    this.name = 'SignInError';
  }
}

let settings: SignInConfig | undefined;
let tokens: Tokens | undefined;
let refreshTimer: ReturnType<typeof setTimeout> | undefined;
let refreshing: Promise<void> | undefined;
let sessionEnded: (err: SignInError) => void = () => undefined;

/** Sets the sign-in settings and what to do when the session ends (a refresh failed). */
export function initAuth(signIn: SignInConfig, onSessionEnd: (err: SignInError) => void): void {
  settings = signIn;
  sessionEnded = onSessionEnd;
}

function config(): SignInConfig {
  if (!settings) throw new Error('initAuth was not called');
  return settings;
}

/** The redirect URI registered for the SPA client: the site's root. */
export function redirectUri(): string {
  return location.origin + '/';
}

function base64url(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function randomString(byteCount: number): string {
  return base64url(crypto.getRandomValues(new Uint8Array(byteCount)));
}

/** What a sign-in started in this tab keeps until the authorize endpoint's answer. */
interface PendingSignIn {
  readonly verifier: string;
  readonly state: string;
  /** Asked with `prompt=none`: a refusal only means "sign in yourself". */
  readonly silent: boolean;
  /** The page (`#/…`) to show once signed in. */
  readonly returnTo: string;
}

/** A route of the app's own (`#/…`), at most 2,000 characters; anything else is not returned to. */
function ownRoute(hash: unknown): string {
  return typeof hash === 'string' && /^#\/[^\s]{0,2000}$/.test(hash) ? hash : '';
}

/**
 * Goes to the authorize endpoint with a fresh PKCE verifier (S256) and state.
 * `silent`: with `prompt=none`, replacing this page in the history (Back does
 * not return to a page that would redirect again); managed login answers at
 * once, with a code while its session lasts, with `login_required` otherwise.
 */
export async function startSignIn(silent = false): Promise<void> {
  const signIn = config();
  const verifier = randomString(64); // 86 characters (RFC 7636: 43 to 128)
  const state = randomString(32);
  const challenge = base64url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))));
  const pending: PendingSignIn = { verifier, state, silent, returnTo: ownRoute(location.hash) };
  sessionStorage.setItem(PENDING_KEY, JSON.stringify(pending));
  const url = new URL(signIn.authorizeUrl);
  const params: Record<string, string> = {
    response_type: 'code',
    client_id: signIn.clientId,
    redirect_uri: redirectUri(),
    scope: signIn.scopes.join(' '),
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...(silent ? { prompt: 'none' } : {}),
  };
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  if (silent) location.replace(url.toString());
  else location.assign(url.toString());
}

/** An OAuth error code as RFC 6749 spells them (`access_denied`), or `error` for anything else. */
function errorCode(v: string): string {
  return /^[A-Za-z0-9_.-]{1,64}$/.test(v) ? v : 'error';
}

/** A description from the sign-in service as one line of plain text, cut to MAX_DESCRIPTION characters. */
function plainText(v: string): string {
  // eslint-disable-next-line no-control-regex
  const line = v.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').trim();
  return line.length > MAX_DESCRIPTION ? `${line.slice(0, MAX_DESCRIPTION)}…` : line;
}

/**
 * What the page's address says about a sign-in: `none` (not an authorize
 * answer, or one this tab did not ask for), `signed-in`, or `silent-refused`
 * (the answer to a silent attempt that found no managed-login session).
 */
export type SignInOutcome = 'none' | 'signed-in' | 'silent-refused';

/**
 * Finishes a sign-in when the page is the authorize endpoint's answer
 * (`?code=…&state=…` or `?error=…&state=…`): checks the state, redeems the
 * code, drops the query from the address bar and returns to the page the
 * sign-in started from. An `error` that does not carry the state of the
 * sign-in this tab started is ignored, not shown (anyone can send a link with
 * an `error_description` of their choosing): `none`. Throws a SignInError
 * when a sign-in the person started failed, or a code could not be redeemed.
 */
export async function completeSignIn(): Promise<SignInOutcome> {
  const params = new URLSearchParams(location.search);
  const code = params.get('code');
  const error = params.get('error');
  if (code === null && error === null) return 'none';

  const stored = sessionStorage.getItem(PENDING_KEY);
  sessionStorage.removeItem(PENDING_KEY);
  let saved: Partial<Record<keyof PendingSignIn, unknown>> | undefined;
  try {
    saved = JSON.parse(stored ?? 'null') ?? undefined;
  } catch {
    saved = undefined;
  }
  const state = params.get('state');
  const ours = saved !== undefined && typeof saved.state === 'string' && typeof saved.verifier === 'string' && state === saved.state;
  history.replaceState(history.state, '', location.pathname + (ours ? ownRoute(saved!.returnTo) : location.hash));

  if (error !== null) {
    if (!ours) return 'none';
    // No managed-login session (login_required), or any other refusal of a request nobody asked for: the landing page.
    if (saved!.silent === true) return 'silent-refused';
    const description = plainText(params.get('error_description') ?? '');
    throw new SignInError(errorCode(error), description || `the sign-in service answered ${errorCode(error)}`);
  }
  if (!ours) {
    throw new SignInError('invalid_state', 'this sign-in answer does not match a sign-in started in this tab; sign in again');
  }
  const signIn = config();
  keep(await tokenRequest({
    grant_type: 'authorization_code',
    client_id: signIn.clientId,
    code: code!,
    redirect_uri: redirectUri(),
    code_verifier: saved!.verifier as string,
  }));
  return 'signed-in';
}

async function tokenRequest(form: Record<string, string>): Promise<TokenAnswer> {
  const url = config().tokenUrl;
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
      cache: 'no-store',
      credentials: 'omit',
    });
  } catch (err) {
    throw new SignInError('network', `could not reach the sign-in service (${err instanceof Error ? err.message : String(err)})`);
  }
  let doc: Record<string, unknown> = {};
  try {
    doc = await res.json() as Record<string, unknown>;
  } catch {
    // not JSON: handled below
  }
  if (!res.ok) {
    const code = typeof doc.error === 'string' ? doc.error : `http_${res.status}`;
    const description = typeof doc.error_description === 'string' ? doc.error_description : `the token endpoint answered ${res.status}`;
    throw new SignInError(code, description);
  }
  if (typeof doc.access_token !== 'string' || typeof doc.expires_in !== 'number') {
    throw new SignInError('invalid_response', 'the token endpoint answered without an access token');
  }
  return doc as unknown as TokenAnswer;
}

function keep(answer: TokenAnswer): void {
  const lifetimeMs = answer.expires_in * 1000;
  // Refresh a minute (at most a quarter of the lifetime) before expiry.
  const delay = lifetimeMs - Math.min(60_000, lifetimeMs / 4);
  tokens = {
    accessToken: answer.access_token,
    idToken: answer.id_token ?? tokens?.idToken,
    // A refresh answer carries no new refresh token: keep the one we have.
    refreshToken: answer.refresh_token ?? tokens?.refreshToken,
    refreshAt: Date.now() + delay,
  };
  clearTimeout(refreshTimer);
  if (tokens.refreshToken) {
    refreshTimer = setTimeout(() => {
      refresh().catch(() => undefined); // refresh() reports its failure through sessionEnded
    }, delay);
  }
}

function refresh(): Promise<void> {
  refreshing ??= (async () => {
    const refreshToken = tokens?.refreshToken;
    if (!refreshToken) throw new SignInError('signed_out', 'you are signed out');
    try {
      keep(await tokenRequest({ grant_type: 'refresh_token', client_id: config().clientId, refresh_token: refreshToken }));
    } catch (err) {
      forget();
      const why = err instanceof SignInError ? `${err.code}: ${err.message}` : String(err);
      const ended = new SignInError(SESSION_ENDED, `the sign-in could not be renewed (${why}); sign in again`);
      sessionEnded(ended);
      throw ended;
    }
  })().finally(() => {
    refreshing = undefined;
  });
  return refreshing;
}

export function isSignedIn(): boolean {
  return tokens !== undefined;
}

/**
 * The access token, refreshed first when it is due (the timer may not have
 * fired yet: browsers slow timers down in background tabs).
 */
export async function accessToken(): Promise<string> {
  if (tokens && tokens.refreshToken && Date.now() >= tokens.refreshAt) await refresh();
  if (!tokens) throw new SignInError('signed_out', 'you are signed out; sign in again');
  return tokens.accessToken;
}

function forget(): void {
  tokens = undefined;
  clearTimeout(refreshTimer);
  refreshTimer = undefined;
}

/**
 * Asks the revoke endpoint to revoke `refreshToken` (RFC 7009, as Cognito
 * takes it from a public client: `token` and `client_id`, no secret). Returns
 * why it did not, or undefined once the endpoint confirmed (200).
 */
async function revoke(refreshToken: string): Promise<string | undefined> {
  const signIn = config();
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), REVOKE_TIMEOUT_MS);
  try {
    const res = await fetch(revokeUrlOf(signIn), {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: refreshToken, client_id: signIn.clientId }).toString(),
      cache: 'no-store',
      credentials: 'omit',
      signal: abort.signal,
    });
    if (res.ok) return undefined;
    let code = '';
    try {
      const doc = await res.json() as { error?: unknown };
      if (typeof doc.error === 'string') code = ` (${errorCode(doc.error)})`;
    } catch {
      // not JSON: the status says enough
    }
    return `the sign-in service answered ${res.status}${code}`;
  } catch (err) {
    if (abort.signal.aborted) return `the sign-in service did not answer within ${REVOKE_TIMEOUT_MS / 1000} seconds`;
    return `the sign-in service could not be reached (${err instanceof Error ? err.message : String(err)})`;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Signs out: revokes the refresh token, forgets the tokens and ends managed
 * login's session (its logout endpoint sends the browser back to the site).
 * A revoke that fails does not stop the sign-out; the landing page then says
 * so (takeSignOut).
 */
export async function signOut(): Promise<void> {
  const signIn = config();
  const refreshToken = tokens?.refreshToken;
  // No refresh may start (and keep tokens alive) while the revoke is on its way.
  clearTimeout(refreshTimer);
  const problem = refreshToken ? await revoke(refreshToken) : undefined;
  forget();
  sessionStorage.setItem(SIGNED_OUT_KEY, JSON.stringify(problem ? { problem } : {}));
  const url = `${signIn.logoutUrl}?client_id=${encodeURIComponent(signIn.clientId)}&logout_uri=${encodeURIComponent(redirectUri())}`;
  location.assign(url);
}

/** The last sign-out in this tab, read once: the landing page after the logout redirect shows its notice. */
export interface SignOutOutcome {
  /** This load is the return from a sign-out (no silent sign-in now). */
  readonly signedOut: boolean;
  /** Set when the refresh token could not be revoked. */
  readonly notice?: SignInError;
}

export function takeSignOut(): SignOutOutcome {
  const stored = sessionStorage.getItem(SIGNED_OUT_KEY);
  sessionStorage.removeItem(SIGNED_OUT_KEY);
  if (stored === null) return { signedOut: false };
  let problem: unknown;
  try {
    problem = (JSON.parse(stored) as { problem?: unknown }).problem;
  } catch {
    problem = undefined;
  }
  if (typeof problem !== 'string' || problem.length === 0) return { signedOut: true };
  return {
    signedOut: true,
    notice: new SignInError(SESSION_NOT_REVOKED,
      `This tab has forgotten your sign-in, but the sign-in service did not confirm that your session was revoked: ${plainText(problem)}. `
      + 'Your session may stay usable until it expires. To end it now, ask a platform admin to sign you out everywhere.'),
  };
}
