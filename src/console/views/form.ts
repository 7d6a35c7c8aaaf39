/**
 * "Schedule an event", and the same form to edit one: Hasura's console form field for field (notes/hasura.md §11.2),
 * with the fixes its users asked for: the time shows its zone and the UTC instant it sends, the payload is checked as
 * you type, a cleared retry box means "the default" (not 0), tolerance is there, and the API's errors appear beside
 * the field they name.
 */
import { ApiError, type CreateEventOptions, type HeaderConf, type JsonValue, type ScheduledEvent } from '../../sdk';
import { DEFAULT_RETRY_CONF, type RetryConf } from '../../shared/event';
import { h, uid } from '../dom';
import { apiClient, isAccessDenied } from '../session';
import { browserTimeZone, fromLocalInput, toLocalInput } from '../time';
import { errorBox, LoginRequired, type View } from './common';

/** The form's fields, by the API's name for them (the `path` of an error names one of these). */
type FieldKey =
  | 'webhook'
  | 'schedule_at'
  | 'payload'
  | 'headers'
  | 'retry_conf.num_retries'
  | 'retry_conf.retry_interval_seconds'
  | 'retry_conf.timeout_seconds'
  | 'retry_conf.tolerance_seconds'
  | 'comment'
  | 'failure_webhook';

const RETRY_FIELDS: { key: FieldKey; conf: keyof RetryConf; label: string; hint: string }[] = [
  { key: 'retry_conf.num_retries', conf: 'numRetries', label: 'Number of retries', hint: 'after the first attempt' },
  {
    key: 'retry_conf.retry_interval_seconds',
    conf: 'retryIntervalSeconds',
    label: 'Retry interval in seconds',
    hint: 'a Retry-After answer replaces it',
  },
  { key: 'retry_conf.timeout_seconds', conf: 'timeoutSeconds', label: 'Timeout in seconds', hint: 'for one attempt' },
  {
    key: 'retry_conf.tolerance_seconds',
    conf: 'toleranceSeconds',
    label: 'Tolerance in seconds',
    hint: 'no attempt starts later than due + tolerance',
  },
];

/** The field an API error points at: `$.retry_conf.num_retries`, `$.headers[2].name`, or `key "webhook" not found`. */
export function fieldOfPath(path: string, message: string): FieldKey | undefined {
  const missing = /key "(\w+)" not found/.exec(message)?.[1];
  const rest = path.replace(/^\$\.?/, '');
  const key = rest === '' ? missing : rest.replace(/\[\d+\].*$/, '').replace(/^(retry_conf\.\w+).*$/, '$1');
  if (key === 'retry_conf') return 'retry_conf.num_retries';
  const known: readonly string[] = [
    'failure_webhook',
    'webhook',
    'schedule_at',
    'payload',
    'headers',
    'comment',
    ...RETRY_FIELDS.map((f) => f.key),
  ];
  return key !== undefined && known.includes(key) ? (key as FieldKey) : undefined;
}

interface Field {
  block: HTMLElement;
  error: HTMLElement;
  control: HTMLElement;
}

/** A labelled field with a hint and a place for its error. */
function field(key: FieldKey, label: string, control: HTMLElement, hint?: HTMLElement | string): Field {
  const id = control.id || uid('field');
  control.id = id;
  const errorId = `${id}-error`;
  const hintId = `${id}-hint`;
  control.setAttribute('aria-describedby', hint === undefined ? errorId : `${hintId} ${errorId}`);
  const error = h('p', { class: 'field-error', id: errorId, hidden: true });
  const block = h(
    'div',
    { class: 'field', 'data-field': key },
    h('label', { for: id }, label),
    control,
    hint === undefined ? null : h('p', { class: 'hint', id: hintId }, hint),
    error,
  );
  return { block, error, control };
}

interface HeaderRow {
  element: HTMLElement;
  read(): HeaderConf | undefined;
}

function headerRow(initial: HeaderConf | undefined, remove: (row: HeaderRow) => void): HeaderRow {
  const name = h('input', {
    type: 'text',
    placeholder: 'Name',
    'aria-label': 'Header name',
    value: initial?.name ?? '',
    autocomplete: 'off',
  });
  const kind = h(
    'select',
    { 'aria-label': 'Header value source' },
    h('option', { value: 'value' }, 'Value'),
    h('option', { value: 'env' }, 'From env var'),
  );
  const fromEnv = initial !== undefined && 'valueFromEnv' in initial;
  kind.value = fromEnv ? 'env' : 'value';
  const value = h('input', {
    type: 'text',
    'aria-label': 'Header value, or the env var to read it from',
    placeholder: fromEnv ? 'ENV_VAR_NAME' : 'Value',
    value: initial === undefined ? '' : 'valueFromEnv' in initial ? initial.valueFromEnv : initial.value,
    autocomplete: 'off',
  });
  kind.addEventListener('change', () => {
    value.placeholder = kind.value === 'env' ? 'ENV_VAR_NAME' : 'Value';
  });
  const row: HeaderRow = {
    element: h('div', { class: 'header-row' }),
    read: () => {
      if (name.value.trim() === '' && value.value === '') return undefined;
      return kind.value === 'env'
        ? { name: name.value.trim(), valueFromEnv: value.value.trim() }
        : { name: name.value.trim(), value: value.value };
    },
  };
  row.element.append(
    name,
    kind,
    value,
    h(
      'button',
      { type: 'button', class: 'secondary', onclick: () => remove(row), 'aria-label': 'Remove this header' },
      'Remove',
    ),
  );
  return row;
}

/** The schedule form; with `event`, the edit form of that event (sent as a PATCH of every field). */
export function eventForm(event?: ScheduledEvent): View {
  const editing = event !== undefined;
  const fields = new Map<FieldKey, Field>();
  const add = (key: FieldKey, f: Field) => (fields.set(key, f), f.block);
  const formError = errorBox();

  const webhook = h('input', {
    type: 'text',
    name: 'webhook',
    required: true,
    value: event?.webhook ?? '',
    placeholder: 'https://example.com/hooks/reminder or {{WEBHOOK_BASE_URL}}/reminder',
    autocomplete: 'off',
    spellcheck: 'false',
  });

  const initialTime = event?.scheduledTime ?? new Date(Math.ceil((Date.now() + 60_000) / 1000) * 1000);
  const time = h('input', {
    type: 'datetime-local',
    name: 'schedule_at',
    step: 1,
    required: true,
    value: toLocalInput(initialTime),
  });
  const timeHint = h('span', {});
  const showInstant = () => {
    const date = fromLocalInput(time.value);
    timeHint.textContent = `Your time zone: ${browserTimeZone()}. ${date === undefined ? 'Enter a date and time.' : `Sends ${date.toISOString()} (UTC).`}`;
  };
  time.addEventListener('input', showInstant);
  showInstant();

  const payload = h('textarea', {
    name: 'payload',
    rows: 8,
    spellcheck: 'false',
    placeholder: '{"reminder": "pay the bill"}',
  });
  payload.value = event === undefined || event.payload === null ? '' : JSON.stringify(event.payload, null, 2);
  const payloadHint = h('span', {}, 'Any JSON value; empty sends no payload (null).');
  const checkPayload = (): JsonValue | undefined | Error => {
    if (payload.value.trim() === '') return undefined;
    try {
      return JSON.parse(payload.value) as JsonValue;
    } catch (error) {
      return error instanceof Error ? error : new Error(String(error));
    }
  };
  const showPayloadState = () => {
    const parsed = checkPayload();
    const payloadField = fields.get('payload');
    if (payloadField === undefined) return;
    if (parsed instanceof Error) setFieldError(payloadField, `Payload must be valid JSON: ${parsed.message}`);
    else setFieldError(payloadField, undefined);
  };
  payload.addEventListener('input', showPayloadState);

  const headerRows: HeaderRow[] = [];
  const headerList = h('div', { class: 'header-rows' });
  const removeRow = (row: HeaderRow) => {
    headerRows.splice(headerRows.indexOf(row), 1);
    row.element.remove();
  };
  const addRow = (initial?: HeaderConf) => {
    const row = headerRow(initial, removeRow);
    headerRows.push(row);
    headerList.append(row.element);
    return row;
  };
  for (const header of event?.headers ?? []) addRow(header);
  const addHeader = h(
    'button',
    { type: 'button', class: 'secondary', onclick: () => addRow().element.querySelector('input')?.focus() },
    'Add a header',
  );
  const headersGroup = h(
    'fieldset',
    { class: 'field', 'data-field': 'headers' },
    h('legend', {}, 'Headers'),
    headerList,
    addHeader,
  );
  const headersError = h('p', { class: 'field-error', hidden: true, id: uid('headers-error') });
  headersGroup.append(headersError);
  fields.set('headers', { block: headersGroup, error: headersError, control: addHeader });

  const retryInputs = RETRY_FIELDS.map(({ key, conf, label, hint }) => {
    const input = h('input', {
      type: 'number',
      name: key,
      min: 0,
      step: 'any',
      inputmode: 'decimal',
      value: (event?.retryConf ?? DEFAULT_RETRY_CONF)[conf],
    });
    return {
      key,
      conf,
      input,
      block: add(key, field(key, label, input, `${hint}; default ${DEFAULT_RETRY_CONF[conf]}`)),
    };
  });

  const comment = h('input', { type: 'text', name: 'comment', value: event?.comment ?? '', autocomplete: 'off' });
  // Set at create only (the API refuses it in an edit).
  const failureWebhook = h('input', {
    type: 'text',
    name: 'failure_webhook',
    placeholder: 'https://example.com/hooks/reminder-failed',
    autocomplete: 'off',
    spellcheck: 'false',
  });

  const submit = h('button', { type: 'submit', class: 'primary' }, editing ? 'Save changes' : 'Schedule event');
  const advanced = h(
    'details',
    { class: 'advanced', open: editing && ((event?.headers.length ?? 0) > 0 || event?.comment !== null) },
    h('summary', {}, 'Advanced'),
    headersGroup,
    h(
      'fieldset',
      { class: 'retry' },
      h('legend', {}, 'Retry configuration'),
      retryInputs.map((r) => r.block),
    ),
    add('comment', field('comment', 'Comment', comment, 'Shown in listings and sent in the webhook body')),
    editing
      ? null
      : add(
          'failure_webhook',
          field(
            'failure_webhook',
            'Failure webhook',
            failureWebhook,
            'Optional, not in Hasura: called once if the event ends error or dead, with the reason',
          ),
        ),
  );

  const form = h(
    'form',
    { class: 'event-form', novalidate: true, 'aria-label': editing ? 'Edit event' : 'Schedule an event' },
    add(
      'webhook',
      field(
        'webhook',
        'Webhook URL',
        webhook,
        'The URL to POST to; {{ENV_VAR}} templates are read by the worker at delivery',
      ),
    ),
    add('schedule_at', field('schedule_at', 'Time', time, timeHint)),
    add('payload', field('payload', 'Payload', payload, payloadHint)),
    advanced,
    formError,
    h(
      'div',
      { class: 'actions' },
      submit,
      editing
        ? h('a', { href: `#/events/${encodeURIComponent(event.id)}`, class: 'button secondary' }, 'Back to the event')
        : null,
    ),
  );

  function setFieldError(target: Field, message: string | undefined): void {
    target.error.textContent = message ?? '';
    target.error.hidden = message === undefined;
    if (message === undefined) target.control.removeAttribute('aria-invalid');
    else target.control.setAttribute('aria-invalid', 'true');
  }

  function clearErrors(): void {
    for (const f of fields.values()) setFieldError(f, undefined);
    formError.clear();
  }

  /** The API's error beside its field (opening Advanced when it is there), or above the button. */
  function showError(error: unknown): void {
    if (isAccessDenied(error)) throw new LoginRequired('The admin secret was refused. Enter it again.');
    const key = error instanceof ApiError ? fieldOfPath(error.path, error.message) : undefined;
    const target = key === undefined ? undefined : fields.get(key);
    if (target === undefined) {
      formError.show(error);
      return;
    }
    setFieldError(target, (error as ApiError).message);
    if (advanced.contains(target.block)) advanced.open = true;
    target.control.focus();
  }

  form.addEventListener('submit', (submitEvent) => {
    submitEvent.preventDefault();
    void (async () => {
      clearErrors();
      const parsed = checkPayload();
      if (parsed instanceof Error)
        return showError(
          new ApiError(`Payload must be valid JSON: ${parsed.message}`, {
            status: 400,
            code: 'parse-failed',
            path: '$.payload',
          }),
        );
      const scheduleAt = fromLocalInput(time.value);
      if (scheduleAt === undefined)
        return showError(
          new ApiError('Time is required: pick a date and time', {
            status: 400,
            code: 'parse-failed',
            path: '$.schedule_at',
          }),
        );
      const retryConf: Partial<RetryConf> = {};
      for (const { conf, input } of retryInputs) if (input.value.trim() !== '') retryConf[conf] = Number(input.value);
      const headers = headerRows
        .map((row) => row.read())
        .filter((header): header is HeaderConf => header !== undefined);
      const options: CreateEventOptions = {
        webhook: webhook.value.trim(),
        scheduleAt,
        headers,
        retryConf,
        ...(parsed === undefined ? {} : { payload: parsed }),
        ...(comment.value === '' ? {} : { comment: comment.value }),
        ...(editing || failureWebhook.value.trim() === '' ? {} : { failureWebhook: failureWebhook.value.trim() }),
      };
      submit.disabled = true;
      try {
        const client = apiClient();
        const saved = editing
          ? await client.update(event.id, {
              ...options,
              payload: parsed ?? null,
              comment: comment.value === '' ? null : comment.value,
            })
          : await client.create(options);
        window.location.hash = `#/events/${encodeURIComponent(saved.id)}`;
      } catch (error) {
        showError(error); // a refused secret throws LoginRequired on to the router (main.ts)
      } finally {
        submit.disabled = false;
      }
    })();
  });

  return { element: h('section', {}, h('h2', {}, editing ? `Edit event ${event.id}` : 'Schedule an event'), form) };
}
