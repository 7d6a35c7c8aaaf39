/**
 * "Invocation logs": every event's webhook attempts, newest first, through Hasura's `get_scheduled_event_invocations`
 * (offset paging, as Hasura's console does), each expandable to its request and response.
 */
import type { Invocation } from '../../sdk';
import { h, replace } from '../dom';
import { invocationPage } from '../session';
import { describeError, errorBox, type View } from './common';
import { invocationDetails } from './invocation';

const PAGE_SIZE = 20;

export function invocationLogs(): View {
  const body = h('div', { 'aria-live': 'polite' });
  const problem = errorBox();
  const prev = h('button', { type: 'button', class: 'secondary' }, 'Prev');
  const next = h('button', { type: 'button', class: 'secondary' }, 'Next');
  let offset = 0;
  /** Which invocations are open, so a refresh keeps them open. */
  const open = new Set<string>();

  async function load(): Promise<void> {
    let page: Invocation[];
    try {
      page = await invocationPage(PAGE_SIZE, offset);
    } catch (error) {
      problem.show(describeError(error));
      return;
    }
    problem.clear();
    prev.disabled = offset === 0;
    next.disabled = page.length < PAGE_SIZE;
    const items = page.map((invocation) => {
      const details = invocationDetails(invocation, { showEvent: true });
      if (open.has(invocation.id)) details.setAttribute('open', '');
      details.addEventListener('toggle', () =>
        details.hasAttribute('open') ? open.add(invocation.id) : open.delete(invocation.id),
      );
      return details;
    });
    replace(body, items.length === 0 ? h('p', { class: 'muted' }, 'No invocations yet.') : items);
  }

  prev.addEventListener('click', () => {
    offset = Math.max(0, offset - PAGE_SIZE);
    void load();
  });
  next.addEventListener('click', () => {
    offset += PAGE_SIZE;
    void load();
  });
  void load();
  return {
    element: h('section', {}, h('h2', {}, 'Invocation logs'), problem, body, h('div', { class: 'pager' }, prev, next)),
    refresh: load,
  };
}
