// Small DOM helpers shared by the pages.

export const $ = (selector, root = document) => root.querySelector(selector);
export const $$ = (selector, root = document) => Array.from(root.querySelectorAll(selector));

/** Call `open` on click and on Enter, for rows that act as buttons. */
export function activate(element, open) {
  element.addEventListener("click", open);
  element.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter") open(ev);
  });
}
