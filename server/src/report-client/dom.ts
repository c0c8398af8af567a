// Building the page's elements: `h` makes an element with its properties and children, setting
// text only through textContent and attributes (never innerHTML), so that no recorded string is
// ever read as markup.

/** An element's properties: `text`, `class`, `on<event>` listeners, other attributes (null or undefined: not set). */
export interface Props {
  text?: string | number | null;
  class?: string | null;
  [event: `on${string}`]: ((event: Event) => void) | undefined;
  [attribute: string]: string | number | null | undefined | ((event: Event) => void);
}

export type Child = Node | string | null | undefined;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props?: Props | null, children?: Child[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (props) {
    Object.keys(props).forEach((k) => {
      const v = props[k];
      if (v === undefined || v === null) return;
      if (k === 'text') e.textContent = String(v);
      else if (k === 'class') e.className = String(v);
      else if (k.slice(0, 2) === 'on') e.addEventListener(k.slice(2), v as EventListener);
      else e.setAttribute(k, String(v));
    });
  }
  (children || []).forEach((c) => {
    if (c !== null && c !== undefined) e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
  });
  return e;
}

export function clear(e: Element): void {
  while (e.firstChild) e.removeChild(e.firstChild);
}
