/**
 * An audit entry as the portal stores and returns it: the one shape the
 * handler (lambda/portal/store.ts) and the web UI (web/portal/api.ts) share.
 * Types only, so the browser bundle carries nothing from here.
 */

/** Detail of an audit entry: our own values only (ids, names, scopes, statuses), never a secret. */
export type AuditDetail = Record<string, string | number | boolean | string[] | undefined>;

export interface AuditEntry {
  readonly tenantId: string;
  readonly at: string;
  /** `user:<username>` for a person, the client id for an API client, `system:<job>` for scheduled work. */
  readonly actor: string;
  readonly action: string;
  readonly requestId: string;
  readonly detail?: AuditDetail;
}
