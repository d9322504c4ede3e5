/** What every page gets from the app shell. */
import type { PortalApi } from './api';
import type { Me } from '../../lib/private/contracts/portal-api';
import type { WebUiConfig } from '../../lib/private/contracts/web-ui';

export interface PageContext {
  readonly config: WebUiConfig;
  readonly me: Me;
  readonly api: PortalApi;
  /** The `<main>` element; the page fills it. */
  readonly main: HTMLElement;
  /** The tenant as people read it: `Display name (tenant-id)` when its display name is known, else its id. */
  tenantLabel(tenantId: string): string;
  /** False once the user has left the page (late answers are then dropped). */
  isCurrent(): boolean;
  /** Runs `cleanup` when the user leaves the page (e.g. to wipe a secret). */
  onLeave(cleanup: () => void): void;
  /** Goes to a `#/…` route. */
  navigate(hash: string): void;
}

export type Page = (ctx: PageContext) => void | Promise<void>;
