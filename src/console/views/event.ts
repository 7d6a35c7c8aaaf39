/**
 * One event: its fields, its attempts (expandable), and what can be done to it: cancel, reschedule, edit (with the
 * API's rules: a 409 once the attempt is prepared, 30 s before due (up to 3 min in a burst), or the event has finished), and a link to its
 * workflow in the Temporal Web UI.
 */
import { ConflictApiError, NotFoundApiError, type Invocation, type ScheduledEventDetails } from '../../sdk';
import { h, replace } from '../dom';
import { apiClient } from '../session';
import { fromLocalInput, toLocalInput } from '../time';
import { describeError, errorBox, jsonBlock, statusBadge, timeCell, type View } from './common';
import { invocationDetails } from './invocation';

const PENDING = new Set(['scheduled', 'locked']);

export function eventPage(id: string): View {
  const body = h('div', {});
  const problem = errorBox();
  const open = new Set<string>();
  let shown: ScheduledEventDetails | undefined;

  async function load(): Promise<void> {
    let event: ScheduledEventDetails;
    let invocations: Invocation[];
    try {
      [event, invocations] = await Promise.all([apiClient().get(id), apiClient().invocations(id)]);
    } catch (error) {
      if (error instanceof NotFoundApiError) {
        replace(body, h('p', {}, `No event has the id ${id}.`));
        return;
      }
      problem.show(describeError(error));
      return;
    }
    problem.clear();
    // A refresh must not wipe what someone is typing into the reschedule box.
    if (shown !== undefined && body.contains(document.activeElement) && document.activeElement?.tagName === 'INPUT')
      return;
    shown = event;
    replace(body, details(event), actions(event), attempts(invocations));
  }

  function details(event: ScheduledEventDetails): HTMLElement {
    const row = (term: string, value: Node | string) => [h('dt', {}, term), h('dd', {}, value)];
    return h(
      'dl',
      { class: 'event-details' },
      row('Status', statusBadge(event.status)),
      row('Webhook', h('span', { class: 'mono' }, event.webhook)),
      row('Due', timeCell(event.scheduledTime)),
      row('Created', timeCell(event.createdAt)),
      row('Tries', String(event.tries)),
      row('Next retry', timeCell(event.nextRetryAt)),
      row(
        'Retry configuration',
        `${event.retryConf.numRetries} retries, ${event.retryConf.retryIntervalSeconds} s apart; ` +
          `timeout ${event.retryConf.timeoutSeconds} s; tolerance ${event.retryConf.toleranceSeconds} s`,
      ),
      row(
        'Headers',
        event.headers.length === 0
          ? '—'
          : h(
              'ul',
              {},
              event.headers.map((header) =>
                h(
                  'li',
                  { class: 'mono' },
                  `${header.name}: ${'valueFromEnv' in header ? `env ${header.valueFromEnv}` : header.value}`,
                ),
              ),
            ),
      ),
      row('Comment', event.comment ?? '—'),
      event.failureWebhook === null ? null : row('Failure webhook', h('span', { class: 'mono' }, event.failureWebhook)),
      row('Payload', jsonBlock(event.payload)),
      row(
        'Temporal',
        event.temporalUiUrl === null || !/^https?:\/\//i.test(event.temporalUiUrl)
          ? h('span', { class: 'muted' }, 'Set TEMPORAL_UI_URL to link the Web UI')
          : h(
              'a',
              { href: event.temporalUiUrl, target: '_blank', rel: 'noopener noreferrer' },
              'Open the workflow in the Temporal Web UI',
            ),
      ),
    );
  }

  function actions(event: ScheduledEventDetails): HTMLElement | string {
    if (!PENDING.has(event.status)) return '';
    const when = h('input', {
      type: 'datetime-local',
      id: 'reschedule-at',
      step: 1,
      value: toLocalInput(event.scheduledTime),
    });
    const reschedule = h('button', { type: 'submit', class: 'secondary' }, 'Reschedule');
    const form = h(
      'form',
      { class: 'reschedule', 'aria-label': 'Reschedule' },
      h('div', { class: 'field' }, h('label', { for: when.id }, 'New time (your time zone)'), when),
      reschedule,
    );
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const at = fromLocalInput(when.value);
      if (at === undefined) return problem.show('Pick a date and time to reschedule to.');
      reschedule.disabled = true;
      when.blur();
      apiClient()
        .reschedule(event.id, at)
        .then(load, (error: unknown) => problem.show(conflictText(error)))
        .finally(() => (reschedule.disabled = false));
    });
    const cancel = h(
      'button',
      {
        type: 'button',
        class: 'danger',
        onclick: () => {
          if (!window.confirm(`Cancel the event ${event.id}? Its webhook will not be called.`)) return;
          apiClient()
            .cancel(event.id)
            .then(load, (error: unknown) => problem.show(conflictText(error)));
        },
      },
      'Cancel event',
    );
    return h(
      'div',
      { class: 'event-actions' },
      form,
      h(
        'div',
        { class: 'actions' },
        h('a', { href: `#/events/${encodeURIComponent(event.id)}/edit`, class: 'button secondary' }, 'Edit'),
        cancel,
      ),
    );
  }

  function attempts(invocations: Invocation[]): HTMLElement {
    const items = invocations.map((invocation) => {
      const item = invocationDetails(invocation);
      if (open.has(invocation.id)) item.setAttribute('open', '');
      item.addEventListener('toggle', () =>
        item.hasAttribute('open') ? open.add(invocation.id) : open.delete(invocation.id),
      );
      return item;
    });
    return h(
      'section',
      {},
      h('h3', {}, `Invocations (${invocations.length})`),
      items.length === 0 ? h('p', { class: 'muted' }, 'No attempt yet.') : items,
    );
  }

  void load();
  return {
    element: h('section', {}, h('h2', {}, 'Event ', h('span', { class: 'mono' }, id)), problem, body),
    refresh: load,
  };
}

/** A 409 says why in the API's words; say it so. */
function conflictText(error: unknown): string {
  const text = describeError(error);
  return error instanceof ConflictApiError ? `Not possible now: ${text}` : text;
}
