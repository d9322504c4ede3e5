/**
 * Sign-in: the OAuth 2.0 authorization-code grant with PKCE on a public
 * client (no secret).
 *
 * The tokens live in this module's memory only, never in localStorage,
 * sessionStorage or a cookie: nothing outlives the tab, and no storage holds
 * a token for injected script to read. A reload therefore shows the landing
 * page again and asks to sign in (usually one click, as the hosted UI keeps
 * its own session). sessionStorage holds the PKCE verifier and the state only
 * from the redirect to the authorize endpoint until the return.
 */
import type { SignInConfig } from '../../lib/private/web-ui-contract';

const PENDING_KEY = 'portal.pending-sign-in';

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

/** Goes to the authorize endpoint with a fresh PKCE verifier (S256) and state. */
export async function startSignIn(): Promise<void> {
  const signIn = config();
  const verifier = randomString(64); // 86 characters (RFC 7636: 43 to 128)
  const state = randomString(32);
  const challenge = base64url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))));
  sessionStorage.setItem(PENDING_KEY, JSON.stringify({ verifier, state }));
  const url = new URL(signIn.authorizeUrl);
  const params: Record<string, string> = {
    response_type: 'code',
    client_id: signIn.clientId,
    redirect_uri: redirectUri(),
    scope: signIn.scopes.join(' '),
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  };
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  location.assign(url.toString());
}

/**
 * Finishes a sign-in when the page is the authorize endpoint's answer
 * (`?code=…&state=…` or `?error=…`): checks the state, redeems the code,
 * and drops the query from the address bar. Returns false when the page is
 * not such an answer; throws a SignInError when the sign-in failed.
 */
export async function completeSignIn(): Promise<boolean> {
  const params = new URLSearchParams(location.search);
  const code = params.get('code');
  const error = params.get('error');
  if (code === null && error === null) return false;

  const pending = sessionStorage.getItem(PENDING_KEY);
  sessionStorage.removeItem(PENDING_KEY);
  history.replaceState(history.state, '', location.pathname + location.hash);

  if (error !== null) {
    throw new SignInError(error, params.get('error_description') || `the sign-in service answered ${error}`);
  }
  let saved: { verifier?: unknown; state?: unknown } | undefined;
  try {
    saved = JSON.parse(pending ?? 'null') ?? undefined;
  } catch {
    saved = undefined;
  }
  if (!saved || typeof saved.verifier !== 'string' || saved.state !== params.get('state')) {
    throw new SignInError('invalid_state', 'this sign-in answer does not match a sign-in started in this tab; sign in again');
  }
  const signIn = config();
  keep(await tokenRequest({
    grant_type: 'authorization_code',
    client_id: signIn.clientId,
    code: code!,
    redirect_uri: redirectUri(),
    code_verifier: saved.verifier,
  }));
  return true;
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

/** Forgets the tokens and ends the hosted UI's session. */
export function signOut(): void {
  forget();
  const signIn = config();
  const url = `${signIn.logoutUrl}?client_id=${encodeURIComponent(signIn.clientId)}&logout_uri=${encodeURIComponent(redirectUri())}`;
  location.assign(url);
}
