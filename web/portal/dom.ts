/**
 * DOM building without HTML strings: every value from the API or the URL is
 * untrusted, so elements are made with createElement and text with text
 * nodes (never innerHTML).
 */

export type Child = Node | string | number | null | undefined | false;

/**
 * Attributes of `h`: strings and numbers become attributes, `true` an empty
 * attribute, `false`/`undefined` none; `onclick`-style keys with a function
 * become listeners; `value` and `checked` are set as properties.
 */
export type Attrs = Record<string, string | number | boolean | undefined | ((ev: Event) => void)>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (typeof value === 'function') {
      el.addEventListener(key.slice(2), value);
    } else if (key === 'value' || key === 'checked') {
      (el as unknown as Record<string, unknown>)[key] = value;
    } else {
      el.setAttribute(key, value === true ? '' : String(value));
    }
  }
  append(el, ...children);
  return el;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    parent.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
}

/** Replaces the children of `parent`. */
export function replace(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, ...children);
}

/** A `#/…` link built from path segments, each URI-encoded. */
export function hashHref(...segments: string[]): string {
  return '#/' + segments.map(encodeURIComponent).join('/');
}

/** Local date and time, with the ISO value in a `<time>` element. */
export function time(iso: string | undefined): HTMLElement | string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return h('time', { datetime: d.toISOString() }, d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' }));
}

const BADGE: Record<string, string> = {
  active: 'success',
  enabled: 'success',
  suspended: 'warning',
  deleting: 'danger',
  deleted: 'neutral',
  disabled: 'neutral',
};

/** A status badge; the colour only repeats the text. */
export function badge(status: string, testid = 'status-badge'): HTMLElement {
  return h('span', { 'class': `badge badge-${BADGE[status] ?? 'neutral'}`, 'data-testid': testid }, status);
}

/** A page-unique id for `for`/`aria-describedby` pairs. */
let nextId = 0;
export function uid(prefix: string): string {
  nextId += 1;
  return `${prefix}-${nextId}`;
}

/**
 * Re-renders `container` and puts the focus back on the element with the
 * same `data-focus-key` (e.g. the action button of the same row), or on
 * `fallback` when that element is gone (so the focus is not lost to body).
 */
export function keepFocus(container: Element, render: () => void, fallback?: HTMLElement | null): void {
  const active = document.activeElement;
  const key = active instanceof HTMLElement && container.contains(active) ? active.dataset.focusKey : undefined;
  render();
  if (key === undefined) return;
  const again = Array.from(container.querySelectorAll<HTMLElement>('[data-focus-key]')).find((el) => el.dataset.focusKey === key);
  (again ?? fallback)?.focus();
}
