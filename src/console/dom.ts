/**
 * A small element builder for the console: `h('button', { class: 'primary', onclick: save }, 'Save')`. Props that
 * start with `on` are event listeners, `true`/`false` set or omit a boolean attribute, `undefined` and `null` omit,
 * anything else becomes an attribute. Children are nodes or text (never parsed as HTML: everything shown is text).
 */
export type Child = Node | string | number | null | undefined | false;
/** Attribute values are text, numbers or flags; listeners are functions. */
export type Props = Record<string, string | number | boolean | null | undefined | ((event: Event) => unknown)>;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props = {},
  ...children: (Child | Child[])[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (typeof value === 'function') {
      element.addEventListener(name.replace(/^on/, ''), value);
    } else if (name === 'value' && 'value' in element) {
      (element as HTMLInputElement).value = String(value);
    } else {
      element.setAttribute(name, value === true ? '' : String(value));
    }
  }
  append(element, children);
  return element;
}

/** Appends children (nested arrays flattened; empty ones skipped). */
export function append(parent: Node, children: (Child | Child[])[]): void {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(
      typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child,
    );
  }
}

/** Replaces everything in `parent` with `children`. */
export function replace(parent: Element, ...children: (Child | Child[])[]): void {
  parent.replaceChildren();
  append(parent, children);
}

/** A unique id for label/input pairs. */
let nextId = 0;
export function uid(prefix: string): string {
  return `${prefix}-${++nextId}`;
}
