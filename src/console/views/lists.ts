/**
 * "Pending events" and "Processed events": the REST listing (`GET /v1/events`), paged by its cursors, filtered by
 * status and due-time window, soonest due first (the API's order, which is also what Hasura's console shows: its
 * sort presets never reached the server, notes/hasura.md §11.3). Hasura's columns (id, status, scheduled time,
 * created at, tries) plus next retry and how late the first attempt started.
 */
import type { EventStatus, ScheduledEvent } from '../../sdk';
import { h, replace } from '../dom';
import { apiClient } from '../session';
import { formatDuration, fromLocalInput } from '../time';
import { describeError, errorBox, scrollable, statusBadge, timeCell, type View } from './common';

export interface ListTab {
  title: string;
  statuses: readonly EventStatus[];
  /** Pending rows can be cancelled from the list, as in Hasura's console. */
  cancellable: boolean;
}

export const PENDING: ListTab = { title: 'Pending events', statuses: ['scheduled', 'locked'], cancellable: true };
export const PROCESSED: ListTab = {
  title: 'Processed events',
  statuses: ['delivered', 'error', 'dead', 'cancelled'],
  cancellable: false,
};

const PAGE_SIZES = [10, 20, 50, 100];

/** How late each event's first attempt started, by event id and tries (a finished event's never changes). */
const lateness = new Map<string, number | null>();
/** Bounds the map: a console left open for days must not grow without end. */
const MAX_LATENESS_ENTRIES = 2_000;
/** Invocation reads at once: a page of 100 events must not be 100 calls at the same moment. */
const LATENESS_READS_AT_ONCE = 4;
let readsRunning = 0;
const readsWaiting: (() => void)[] = [];

async function oneRead<T>(read: () => Promise<T>): Promise<T> {
  if (readsRunning >= LATENESS_READS_AT_ONCE) await new Promise<void>((resolve) => readsWaiting.push(resolve));
  readsRunning++;
  try {
    return await read();
  } finally {
    readsRunning--;
    readsWaiting.shift()?.();
  }
}

async function firstAttemptLateness(event: ScheduledEvent): Promise<number | null> {
  const key = `${event.id}:${event.tries}`;
  const known = lateness.get(key);
  if (known !== undefined) return known;
  const invocations = await oneRead(() => apiClient().invocations(event.id));
  const first = invocations[invocations.length - 1]; // newest first
  const value = first === undefined ? null : first.createdAt.getTime() - event.scheduledTime.getTime();
  if (lateness.size >= MAX_LATENESS_ENTRIES) lateness.clear();
  lateness.set(key, value);
  return value;
}

export function eventList(tab: ListTab): View {
  const status = h(
    'select',
    { id: 'filter-status' },
    h('option', { value: '' }, `Any (${tab.statuses.join(', ')})`),
    tab.statuses.map((s) => h('option', { value: s }, s)),
  );
  const after = h('input', { type: 'datetime-local', id: 'filter-after', step: 1 });
  const before = h('input', { type: 'datetime-local', id: 'filter-before', step: 1 });
  const pageSize = h(
    'select',
    { id: 'filter-page-size' },
    PAGE_SIZES.map((n) => h('option', { value: n }, String(n))),
  );
  pageSize.value = '20';
  const filters = h(
    'form',
    { class: 'filters', 'aria-label': 'Filter events' },
    h('div', { class: 'field' }, h('label', { for: status.id }, 'Status'), status),
    h('div', { class: 'field' }, h('label', { for: after.id }, 'Due at or after (your time)'), after),
    h('div', { class: 'field' }, h('label', { for: before.id }, 'Due before (your time)'), before),
    h('div', { class: 'field' }, h('label', { for: pageSize.id }, 'Rows'), pageSize),
  );
  const body = h('div', { 'aria-live': 'polite' });
  const problem = errorBox();
  const prev = h('button', { type: 'button', class: 'secondary' }, 'Prev');
  const next = h('button', { type: 'button', class: 'secondary' }, 'Next');
  const pager = h('div', { class: 'pager' }, prev, next);

  /** Cursors of the pages before this one; the current page's cursor. */
  const previous: (string | undefined)[] = [];
  let cursor: string | undefined;
  let nextCursor: string | null = null;

  async function load(): Promise<void> {
    const statuses = status.value === '' ? tab.statuses : [status.value as EventStatus];
    const scheduledAfter = fromLocalInput(after.value);
    const scheduledBefore = fromLocalInput(before.value);
    let page;
    try {
      page = await apiClient().listPage({
        status: statuses,
        scheduledAfter,
        scheduledBefore,
        pageSize: Number(pageSize.value),
        cursor,
      });
    } catch (error) {
      problem.show(describeError(error));
      return;
    }
    problem.clear();
    nextCursor = page.nextCursor;
    prev.disabled = previous.length === 0;
    next.disabled = nextCursor === null;
    replace(body, page.events.length === 0 ? h('p', { class: 'muted' }, 'No events.') : table(page.events));
  }

  function table(events: ScheduledEvent[]): HTMLElement {
    const columns = [
      'Id',
      'Status',
      'Due',
      'Created',
      'Tries',
      'Next retry',
      'First attempt',
      ...(tab.cancellable ? [''] : []),
    ];
    return scrollable(
      h(
        'table',
        { class: 'events' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            columns.map((c) => h('th', { scope: 'col' }, c)),
          ),
        ),
        h('tbody', {}, events.map(row)),
      ),
    );
  }

  function row(event: ScheduledEvent): HTMLElement {
    const late = h('td', {}, event.tries === 0 ? '—' : '…');
    if (event.tries > 0) {
      void firstAttemptLateness(event).then(
        (ms) => (late.textContent = ms === null ? '—' : `${formatDuration(ms)} after due`),
        () => (late.textContent = '?'),
      );
    }
    return h(
      'tr',
      { 'data-event': event.id },
      h('td', {}, h('a', { href: `#/events/${encodeURIComponent(event.id)}`, class: 'mono' }, event.id)),
      h('td', {}, statusBadge(event.status)),
      h('td', {}, timeCell(event.scheduledTime)),
      h('td', {}, timeCell(event.createdAt)),
      h('td', {}, String(event.tries)),
      h('td', {}, timeCell(event.nextRetryAt)),
      late,
      tab.cancellable ? h('td', {}, cancelButton(event)) : null,
    );
  }

  function cancelButton(event: ScheduledEvent): HTMLElement {
    return h(
      'button',
      {
        type: 'button',
        class: 'danger',
        'aria-label': `Cancel event ${event.id}`,
        onclick: () => {
          if (
            !window.confirm(
              `Cancel the event ${event.id}, due ${event.scheduledTime.toISOString()}? Its webhook will not be called.`,
            )
          )
            return;
          apiClient()
            .cancel(event.id)
            .then(load, (error: unknown) => problem.show(describeError(error)));
        },
      },
      'Cancel',
    );
  }

  const restart = () => {
    previous.length = 0;
    cursor = undefined;
    void load();
  };
  filters.addEventListener('change', restart);
  filters.addEventListener('submit', (e) => (e.preventDefault(), restart()));
  prev.addEventListener('click', () => {
    cursor = previous.pop();
    void load();
  });
  next.addEventListener('click', () => {
    if (nextCursor === null) return;
    previous.push(cursor);
    cursor = nextCursor;
    void load();
  });

  void load();
  return { element: h('section', {}, h('h2', {}, tab.title), filters, problem, body, pager), refresh: load };
}
