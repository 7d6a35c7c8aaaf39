/**
 * Keeps env values out of what an attempt records. A value read from the environment (a token in a header, a host
 * in a URL template) can come back in a DNS or TLS error (`getaddrinfo ENOTFOUND <value>.example`), in a message
 * that quotes the URL, or in a body a receiver echoes; the record goes to workflow history, the API's invocations
 * and the worker's log, so every such occurrence is replaced before anything is stored.
 */

/** What replaces a value. */
export const REDACTED = '[redacted]';

/**
 * Values shorter than this are left alone: replacing every `on` or `80` would garble every message, and a value that
 * short is not a secret worth the name. (Documented in docs/security.md.)
 */
export const MIN_REDACTED_LENGTH = 4;

/**
 * The forms a value takes in text we record: as is, percent-encoded as JavaScript encodes it, and as the WHATWG URL
 * parser writes it in a path, a query and a fragment (each encodes a different set: `'` only in a query, `"` not in
 * a fragment), since a receiver may echo the URL it was called with.
 */
function formsOf(value: string): string[] {
  const forms = [value, encodeURIComponent(value), encodeURI(value)];
  for (const [prefix, part] of [
    ['http://h/', 'pathname'],
    ['http://h/?', 'search'],
    ['http://h/#', 'hash'],
  ] as const) {
    try {
      const encoded = new URL(prefix + value)[part];
      forms.push(encoded.slice(1));
    } catch {
      // Not a URL piece (e.g. a lone surrogate): the plain forms above still apply.
    }
  }
  return [...new Set(forms.filter((form) => form.length >= MIN_REDACTED_LENGTH))];
}

/** A matcher for every form of every value (case-insensitive: host names are lower-cased by URL parsing). */
export function redactor(values: readonly string[]): (text: string) => string {
  const forms = [...new Set(values.filter((v) => v.length >= MIN_REDACTED_LENGTH).flatMap(formsOf))]
    // Longest first, so a value that contains another is replaced whole.
    .sort((a, b) => b.length - a.length)
    .map((form) => form.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  if (forms.length === 0) return (text) => text;
  const pattern = new RegExp(forms.join('|'), 'giu');
  return (text) => text.replace(pattern, REDACTED);
}
