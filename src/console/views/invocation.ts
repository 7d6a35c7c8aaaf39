/**
 * One webhook attempt, folded to a summary line and expanded to its request and response (Hasura's "Request" and
 * "Response" tabs, as two sections). A native `<details>`: keyboard and screen readers know how to open it.
 */
import type { HeaderConf, Invocation } from '../../sdk';
import { h } from '../dom';
import { formatDuration } from '../time';
import { jsonBlock, scrollable, timeCell } from './common';

/** How late the attempt started after the event's due time, when the logged body says when that was. */
function latenessOf(invocation: Invocation): number | undefined {
  const payload = invocation.request.payload;
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return undefined;
  const scheduled = payload['scheduled_time'];
  const due = typeof scheduled === 'string' ? Date.parse(scheduled) : Number.NaN;
  return Number.isNaN(due) ? undefined : invocation.createdAt.getTime() - due;
}

function headerTable(headers: readonly { name: string; value?: string; valueFromEnv?: string }[]): HTMLElement {
  if (headers.length === 0) return h('p', { class: 'muted' }, 'No headers');
  return scrollable(
    h(
      'table',
      {},
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Name'), h('th', { scope: 'col' }, 'Value'))),
      h(
        'tbody',
        {},
        headers.map((header) =>
          h(
            'tr',
            {},
            h('td', {}, header.name),
            h(
              'td',
              {},
              header.valueFromEnv !== undefined
                ? h(
                    'span',
                    { class: 'env-ref', title: 'Read by the worker from its environment at delivery' },
                    `env: ${header.valueFromEnv}`,
                  )
                : (header.value ?? ''),
            ),
          ),
        ),
      ),
    ),
  );
}

function configuredHeaders(headers: readonly HeaderConf[]) {
  return headers.map((header) =>
    'valueFromEnv' in header ? { name: header.name, valueFromEnv: header.valueFromEnv } : header,
  );
}

export function invocationDetails(invocation: Invocation, options: { showEvent?: boolean } = {}): HTMLElement {
  const { response } = invocation;
  const ok = invocation.status !== null && invocation.status < 300;
  const lateness = latenessOf(invocation);
  return h(
    'details',
    { class: 'invocation', 'data-invocation': invocation.id },
    h(
      'summary',
      {},
      h(
        'span',
        { class: `badge ${ok ? 'status-delivered' : 'status-error'}` },
        invocation.status === null ? 'no response' : String(invocation.status),
      ),
      ' ',
      invocation.failureCallback ? h('span', { class: 'muted' }, 'failure webhook · ') : '',
      timeCell(invocation.createdAt),
      lateness === undefined ? '' : h('span', { class: 'muted' }, ` · ${formatDuration(lateness)} after due`),
      options.showEvent ? h('span', { class: 'muted' }, ` · event ${invocation.eventId}`) : '',
    ),
    h(
      'div',
      { class: 'invocation-body' },
      options.showEvent
        ? h(
            'p',
            {},
            h('a', { href: `#/events/${encodeURIComponent(invocation.eventId)}` }, `Open event ${invocation.eventId}`),
          )
        : '',
      h('h4', {}, 'Request'),
      h('p', { class: 'muted' }, `Invocation ${invocation.id}`),
      h('h5', {}, 'Headers'),
      headerTable(configuredHeaders(invocation.request.headers)),
      h('h5', {}, 'Body'),
      jsonBlock(invocation.request.payload),
      h('h4', {}, 'Response'),
      response.type === 'webhook_response'
        ? [
            h('p', {}, `Status ${response.status}`),
            h('h5', {}, 'Headers'),
            headerTable(response.headers),
            h('h5', {}, 'Body'),
            h('pre', { class: 'body' }, response.body === '' ? '(empty)' : response.body),
          ]
        : [
            h('p', {}, invocation.status === null ? 'No response: ' : `Status ${invocation.status}; body or error:`),
            h('pre', { class: 'body' }, response.message === '' ? '(empty)' : response.message),
          ],
      response.truncated ? h('p', { class: 'muted' }, 'Truncated: the server keeps the first 64 KiB.') : '',
    ),
  );
}
