/// <reference lib="dom" />
// A long text (a run's dmesg or trace, up to ~10,000 lines) shown a page of
// lines at a time in a normal, focusable <pre>, never all at once: the DOM
// stays small and a screen reader reads only what the learner pages to.
// Buttons First / Previous / Next / Last; the "Lines a-b of n" position is
// announced politely when the page changes (a few words, not the text).

/** Lines per page: a screenful or two of trace, whatever the run's length. */
export const PAGE_LINES = 200;

/** page_bounds - [start, end) of page @page of a text of @total lines, clamped to the text. */
export function page_bounds(total: number, page: number, per_page = PAGE_LINES): { page: number; start: number; end: number; pages: number } {
  const pages = Math.max(1, Math.ceil(total / per_page));
  const p = Math.min(Math.max(0, page), pages - 1);
  return { page: p, start: p * per_page, end: Math.min(total, (p + 1) * per_page), pages };
}

/**
 * paged_text - a <section> labelled by a heading @title (an h2 under the page's h1; id @id-h) holding
 * @text in a paged <pre class="@cls">. With one page, no buttons.
 */
export function paged_text(id: string, title: string, cls: string, text: string, per_page = PAGE_LINES): HTMLElement {
  const lines = text ? text.split('\n') : ['(empty)'];
  const section = document.createElement('section');
  section.setAttribute('aria-labelledby', `${id}-h`);
  const h = document.createElement('h2');
  h.id = `${id}-h`;
  h.textContent = title;
  const pre = document.createElement('pre');
  pre.className = cls;
  pre.tabIndex = 0;
  pre.setAttribute('aria-labelledby', `${id}-h`);
  section.append(h);
  let page = 0;
  const nav = document.createElement('div');
  nav.className = 'dmesg-pager';
  nav.setAttribute('role', 'group');
  nav.setAttribute('aria-label', `${title}: pages`);
  const where = document.createElement('span');
  where.setAttribute('aria-live', 'polite');
  const button = (label: string, to: () => number): HTMLButtonElement => {
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = label;
    b.addEventListener('click', () => {
      page = to();
      render();
    });
    return b;
  };
  const first = button('First', () => 0);
  const prev = button('Previous', () => page - 1);
  const next = button('Next', () => page + 1);
  const last = button('Last', () => Number.MAX_SAFE_INTEGER);
  const render = (): void => {
    const b = page_bounds(lines.length, page, per_page);
    page = b.page;
    pre.textContent = lines.slice(b.start, b.end).join('\n');
    where.textContent = `Lines ${b.start + 1}–${b.end} of ${lines.length}`;
    first.disabled = prev.disabled = b.page === 0;
    next.disabled = last.disabled = b.page === b.pages - 1;
  };
  nav.append(first, prev, where, next, last);
  render();
  if (lines.length > per_page) section.append(nav);
  section.append(pre);
  return section;
}
