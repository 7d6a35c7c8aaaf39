/**
 * The admin secret, asked for once per browser session (kept in sessionStorage, ../session.ts) and checked by
 * asking the API for one event.
 */
import { h } from '../dom';
import { apiClient, isAccessDenied, storeSecret } from '../session';
import { describeError, type View } from './common';

export function loginForm(reason: string | undefined, done: () => void): View {
  const secret = h('input', { type: 'password', id: 'admin-secret', autocomplete: 'off', required: true });
  const message = h(
    'p',
    { class: 'field-error', id: 'admin-secret-error', role: 'alert', hidden: reason === undefined },
    reason ?? '',
  );
  secret.setAttribute('aria-describedby', message.id);
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Log in');
  const form = h(
    'form',
    { class: 'login', 'aria-label': 'Log in' },
    h(
      'p',
      {},
      "This server has an admin secret. Enter it to use the console; it is kept for this browser tab's session only.",
    ),
    h('div', { class: 'field' }, h('label', { for: secret.id }, 'Admin secret'), secret, message),
    submit,
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    storeSecret(secret.value);
    submit.disabled = true;
    apiClient()
      .listPage({ pageSize: 1 })
      .then(done, (error: unknown) => {
        storeSecret(undefined);
        message.textContent = isAccessDenied(error) ? 'That is not the admin secret.' : describeError(error);
        message.hidden = false;
        secret.setAttribute('aria-invalid', 'true');
        secret.focus();
      })
      .finally(() => (submit.disabled = false));
  });
  queueMicrotask(() => secret.focus());
  return { element: h('section', {}, h('h2', {}, 'Log in'), form) };
}
