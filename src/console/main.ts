/**
 * The web console (docs/console.md): Hasura's one-off scheduled events pages (notes/hasura.md §11) over this
 * service's public API. One page, routed by the URL's hash:
 *   #/schedule            Schedule an event (the default)
 *   #/pending             Pending events
 *   #/processed           Processed events
 *   #/logs                Invocation logs
 *   #/events/<id>         one event: details, attempts, cancel, reschedule
 *   #/events/<id>/edit    the schedule form, filled in, to change it
 * Bundled by the server at its first request for /console/app.js (src/api/routes/console.ts).
 */
import { h, replace } from './dom';
import { apiClient, isAccessDenied, storedSecret, storeSecret } from './session';
import { describeError, LoginRequired, type View } from './views/common';
import { eventPage } from './views/event';
import { eventForm } from './views/form';
import { eventList, PENDING, PROCESSED } from './views/lists';
import { loginForm } from './views/login';
import { invocationLogs } from './views/logs';

/** How often a visible view refreshes itself. */
const REFRESH_INTERVAL_MS = 5_000;

const NAV: [hash: string, label: string][] = [
  ['#/schedule', 'Schedule an event'],
  ['#/pending', 'Pending events'],
  ['#/processed', 'Processed events'],
  ['#/logs', 'Invocation logs'],
];

const root = document.getElementById('app') as HTMLElement;
const nav = h(
  'nav',
  { 'aria-label': 'Console' },
  h(
    'ul',
    {},
    NAV.map(([hash, label]) => h('li', {}, h('a', { href: hash }, label))),
  ),
);
const logout = h('button', { type: 'button', class: 'secondary logout' }, 'Log out');
const main = h('main', { id: 'view', tabindex: -1 });
let current: View | undefined;

function show(view: View): void {
  current?.dispose?.();
  current = view;
  replace(main, view.element);
}

function login(reason?: string): void {
  logout.hidden = true;
  for (const link of nav.querySelectorAll('a')) link.removeAttribute('aria-current');
  show(loginForm(reason, () => route()));
}

async function viewFor(hash: string): Promise<View> {
  const event = /^#\/events\/([^/]+)(\/edit)?$/.exec(hash);
  if (event !== null) {
    const id = decodeURIComponent(event[1] ?? '');
    if (event[2] === undefined) return eventPage(id);
    return eventForm(await apiClient().get(id));
  }
  switch (hash) {
    case '#/pending':
      return eventList(PENDING);
    case '#/processed':
      return eventList(PROCESSED);
    case '#/logs':
      return invocationLogs();
    default:
      return eventForm();
  }
}

function route(): void {
  const hash = window.location.hash || '#/schedule';
  logout.hidden = storedSecret() === undefined;
  for (const link of nav.querySelectorAll('a')) {
    if (hash.startsWith(link.getAttribute('href') ?? '')) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  viewFor(hash).then(show, (error: unknown) => {
    if (isAccessDenied(error)) return login('The admin secret was refused. Enter it again.');
    show({ element: h('p', { class: 'error-box', role: 'alert' }, describeError(error)) });
  });
}

// A refused secret anywhere (a view's load, a form's submit) brings the login form back.
window.addEventListener('unhandledrejection', (event) => {
  if (event.reason instanceof LoginRequired) {
    event.preventDefault();
    storeSecret(undefined);
    login(event.reason.reason);
  }
});

logout.addEventListener('click', () => {
  storeSecret(undefined);
  login();
});

window.addEventListener('hashchange', route);
window.setInterval(() => {
  if (document.visibilityState !== 'visible' || current?.refresh === undefined) return;
  current.refresh().catch((error: unknown) => {
    if (error instanceof LoginRequired) login(error.reason);
  });
}, REFRESH_INTERVAL_MS);

replace(root, h('header', {}, h('h1', {}, h('a', { href: '#/schedule' }, 'Scheduled events')), nav, logout), main);

// Whether this server wants a secret shows in the answer to the first call.
apiClient()
  .listPage({ pageSize: 1 })
  .then(route, (error: unknown) =>
    isAccessDenied(error)
      ? login(storedSecret() === undefined ? undefined : 'The admin secret was refused. Enter it again.')
      : route(),
  );
