/**
 * Pieces every view uses: status badges, times, JSON, errors, and a view's lifecycle.
 */
import { ApiError, NetworkError, RequestTimeoutError, type EventStatus } from '../../sdk';
import { h } from '../dom';
import { isAccessDenied } from '../session';
import { formatLocal } from '../time';

/** What a view gives the router: its element, and optionally how to refresh it and how to stop. */
export interface View {
  element: HTMLElement;
  /** Called every few seconds while the page is visible. */
  refresh?: () => Promise<void>;
  dispose?: () => void;
}

/** Thrown to the router when the API refused the secret: it shows the login form. */
export class LoginRequired extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

const STATUS_TEXT: Record<EventStatus, string> = {
  scheduled: 'Scheduled: waiting for its time',
  locked: 'Locked: its attempt is prepared or being made',
  delivered: 'Delivered: the webhook answered 2xx',
  error: 'Error: every attempt failed',
  dead: 'Dead: too late to attempt (past its tolerance)',
  cancelled: 'Cancelled: no call will be made',
};

export function statusBadge(status: EventStatus): HTMLElement {
  return h('span', { class: `badge status-${status}`, title: STATUS_TEXT[status] }, status);
}

/** A time in the browser's zone, with the UTC instant as its tooltip and machine-readable value. */
export function timeCell(date: Date | null): HTMLElement | string {
  if (date === null) return '—';
  return h('time', { datetime: date.toISOString(), title: `${date.toISOString()} (UTC)` }, formatLocal(date));
}

export function jsonBlock(value: unknown): HTMLElement {
  return h('pre', { class: 'json' }, JSON.stringify(value, null, 2));
}

/** What to tell a person about a failed call; access denied goes to the login form instead. */
export function describeError(error: unknown): string {
  if (isAccessDenied(error)) throw new LoginRequired('The admin secret was refused. Enter it again.');
  if (error instanceof RequestTimeoutError) return 'The API did not answer in time. It will be tried again.';
  if (error instanceof NetworkError) return 'The API cannot be reached. It will be tried again.';
  if (error instanceof ApiError) return error.message;
  return error instanceof Error ? error.message : String(error);
}

/** A message box for errors that belong to no field. */
export function errorBox() {
  const box = h('p', { class: 'error-box', role: 'alert', hidden: true });
  return Object.assign(box, {
    show(error: unknown): void {
      box.textContent = typeof error === 'string' ? error : describeError(error);
      box.hidden = false;
    },
    clear(): void {
      box.textContent = '';
      box.hidden = true;
    },
  });
}

/** A wrapper that lets a wide table scroll sideways on a narrow screen instead of widening the page. */
export function scrollable(table: HTMLElement): HTMLElement {
  return h('div', { class: 'table-scroll', tabindex: 0, role: 'region', 'aria-label': 'Table' }, table);
}
