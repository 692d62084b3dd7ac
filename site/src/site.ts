/// <reference lib="dom" />
// The study site's common script: the search box (a client-side index built
// at build time), glossary popovers placed by their terms, hints revealed one
// at a time, and the learner's progress on
// the course map. Progress is kept in the browser (localStorage): served by
// `npm start`, progress.json is the learner's .shrinker-lab/state.json and
// the map shows and remembers it; on a static host the build's progress.json
// says {"static": true} and the map shows what this browser last saw. Hints
// shown are remembered per exercise. No request can fail on either host.

interface search_entry {
  url: string;
  title: string;
  text: string;
}

let index: Promise<search_entry[]> | null = null;

/** load_index - the search index, fetched once (every caller shares the one request). */
function load_index(): Promise<search_entry[]> {
  index ??= fetch('search-index.json')
    .then((r) => (r.ok ? (r.json() as Promise<search_entry[]>) : []))
    .catch(() => []);
  return index;
}

/** search - entries matching every word of @q, title hits first. */
export function search(entries: readonly search_entry[], q: string): { entry: search_entry; snippet: string }[] {
  const words = q.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return [];
  const scored: { entry: search_entry; score: number; snippet: string }[] = [];
  for (const e of entries) {
    const title = e.title.toLowerCase();
    const text = e.text.toLowerCase();
    if (!words.every((w) => title.includes(w) || text.includes(w))) continue;
    // Title words first; then how often the first word occurs (capped, so long
    // pages do not bury short ones). The glossary entry named exactly by the
    // query ranks among the pages with the phrase in their title.
    const phrase = words.join(' ');
    let score = words.filter((w) => title.includes(w)).length * 10 + Math.min(20, text.split(words[0]!).length - 1);
    if (title.includes(phrase)) score += 20;
    if (title.endsWith(`: ${phrase}`)) score += 15;
    const at = text.indexOf(words[0]!);
    const snippet = at < 0 ? '' : (at > 40 ? '…' : '') + e.text.slice(Math.max(0, at - 40), at + 80) + '…';
    scored.push({ entry: e, score, snippet });
  }
  return scored.sort((a, b) => b.score - a.score).slice(0, 12);
}

function setup_search(): void {
  const input = document.getElementById('search-input') as HTMLInputElement | null;
  const list = document.getElementById('search-results') as HTMLUListElement | null;
  if (!input || !list) return;
  const close = (): void => {
    list.hidden = true;
  };
  // Each keystroke asks again; only the answer to the latest one is shown, whatever order the answers come in.
  let asked = 0;
  const update = async (): Promise<void> => {
    const mine = ++asked;
    const entries = await load_index();
    if (mine !== asked) return;
    const q = input.value;
    const hits = search(entries, q);
    list.replaceChildren();
    // The query these results answer (tests and scripts wait for the answer to theirs).
    list.dataset.query = q;
    if (!q.trim()) return close();
    if (hits.length === 0) {
      const li = document.createElement('li');
      li.textContent = 'No matches.';
      list.append(li);
    }
    for (const h of hits) {
      const li = document.createElement('li');
      const a = document.createElement('a');
      a.href = h.entry.url;
      a.textContent = h.entry.title;
      li.append(a);
      if (h.snippet) {
        const s = document.createElement('span');
        s.className = 'snippet';
        s.textContent = h.snippet;
        li.append(s);
      }
      list.append(li);
    }
    list.hidden = false;
  };
  input.addEventListener('input', () => void update());
  input.addEventListener('focus', () => void load_index());
  const links = (): HTMLAnchorElement[] => Array.from(list.querySelectorAll('a'));
  input.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowDown') {
      links()[0]?.focus();
      e.preventDefault();
    } else if (e.key === 'Enter') {
      const first = links()[0];
      if (first) window.location.href = first.href;
    } else if (e.key === 'Escape') close();
  });
  list.addEventListener('keydown', (e) => {
    const all = links();
    const i = all.indexOf(document.activeElement as HTMLAnchorElement);
    if (e.key === 'ArrowDown') all[Math.min(i + 1, all.length - 1)]?.focus();
    else if (e.key === 'ArrowUp') (i <= 0 ? input : all[i - 1]!).focus();
    else if (e.key === 'Escape') {
      close();
      input.focus();
    } else return;
    e.preventDefault();
  });
}

/** stored / store - localStorage that may be missing or refuse (private mode, file://): then nothing is kept. */
function stored(key: string): string | null {
  try {
    return window.localStorage.getItem(`shrinker-lab:${key}`);
  } catch {
    return null;
  }
}
function store(key: string, value: string): void {
  try {
    window.localStorage.setItem(`shrinker-lab:${key}`, value);
  } catch {
    // Storage refused: progress is simply not kept.
  }
}

function setup_hints(): void {
  for (const section of Array.from(document.querySelectorAll<HTMLElement>('section.hints'))) {
    const hints = Array.from(section.querySelectorAll<HTMLElement>('.hint'));
    const button = section.querySelector<HTMLButtonElement>('.reveal-hint');
    const count = section.querySelector<HTMLElement>('.hint-count');
    if (!button) continue;
    const key = `hints:${section.dataset.exercise ?? ''}`;
    let shown = Math.min(Number(stored(key)) || 0, hints.length);
    for (const h of hints.slice(0, shown)) h.hidden = false;
    const sync = (): void => {
      if (shown >= hints.length) {
        button.disabled = true;
        button.textContent = 'All hints shown';
      } else button.textContent = `Show hint ${shown + 1} of ${hints.length}`;
      if (count) count.textContent = `${shown} of ${hints.length} hints shown.`;
    };
    button.addEventListener('click', () => {
      const h = hints[shown];
      if (!h) return;
      h.hidden = false;
      shown++;
      store(key, String(shown));
      sync();
    });
    sync();
  }
}

const STATUS_TEXT: Record<string, string> = {
  passed: '✓ passed',
  failed: '✗ failing',
  compile_error: '✗ does not compile',
  crashed: '✗ crashed',
  timeout: '✗ timed out',
  not_started: 'not started',
};

interface progress_state {
  /** True in the build's own progress.json: no `npm start` behind this host. */
  static?: boolean;
  checked_at?: string;
  exercises?: Record<string, { status?: string; passed?: boolean }>;
}

async function setup_progress(): Promise<void> {
  const cells = Array.from(document.querySelectorAll<HTMLElement>('.status[data-exercise]'));
  if (cells.length === 0) return;
  let state: progress_state | null = null;
  let live = false;
  try {
    const r = await fetch('progress.json', { cache: 'no-store' });
    if (r.ok) state = (await r.json()) as progress_state;
  } catch {
    state = null;
  }
  if (state && !state.static) {
    live = true;
    store('progress', JSON.stringify(state));
  } else {
    try {
      state = JSON.parse(stored('progress') ?? 'null') as progress_state | null;
    } catch {
      state = null;
    }
  }
  const summary = document.getElementById('progress-summary');
  if (!state) {
    if (summary) summary.textContent = 'Run npm start to check your exercises; their status shows here and is kept in this browser.';
    return;
  }
  let done = 0;
  for (const c of cells) {
    const e = state.exercises?.[c.dataset.exercise ?? ''];
    const status = e?.passed ? 'passed' : (e?.status ?? 'not_started');
    if (status === 'passed') done++;
    c.textContent = STATUS_TEXT[status] ?? status;
    c.dataset.status = status;
  }
  if (summary) summary.textContent = `Your progress${live ? '' : ' (as this browser last saw it from npm start)'}: ${done} of ${cells.length} exercises passed.`;
}

/**
 * Glossary popovers: the build makes each term a button with popovertarget,
 * so the browser opens, closes (Escape, a click elsewhere) and announces
 * them. This only places an open popover under its button, inside the
 * viewport, and keeps it there while the page scrolls.
 */
function setup_glossary_popovers(): void {
  const place = (pop: HTMLElement): void => {
    const button = document.querySelector<HTMLElement>(`[popovertarget="${pop.id}"]`);
    if (!button) return;
    const r = button.getBoundingClientRect();
    const margin = 8;
    const width = pop.offsetWidth;
    const height = pop.offsetHeight;
    const left = Math.max(margin, Math.min(r.left, window.innerWidth - width - margin));
    const below = r.bottom + 4;
    const top = below + height + margin > window.innerHeight && r.top - height - 4 > margin ? r.top - height - 4 : below;
    pop.style.left = `${left}px`;
    pop.style.top = `${top}px`;
  };
  let open: HTMLElement | null = null;
  for (const pop of Array.from(document.querySelectorAll<HTMLElement>('.term-pop[popover]'))) {
    // Say "expanded"/"collapsed" in every browser, not only where popovertarget implies it.
    const button = document.querySelector<HTMLElement>(`[popovertarget="${pop.id}"]`);
    button?.setAttribute('aria-expanded', 'false');
    pop.addEventListener('toggle', (e) => {
      const state = (e as Event & { newState?: string }).newState;
      button?.setAttribute('aria-expanded', String(state === 'open'));
      if (state === 'open') {
        open = pop;
        place(pop);
      } else if (open === pop) open = null;
    });
  }
  const follow = (): void => {
    if (open) place(open);
  };
  window.addEventListener('scroll', follow, { passive: true });
  window.addEventListener('resize', follow);
}

/**
 * A control focused inside a box that scrolls sideways (a wide table at
 * 375 px) is scrolled wholly into view: Chrome leaves a half-shown control as
 * it is, cut at the box's edge (lesson 00's glossary button in its table).
 */
function setup_focus_in_scrolled_boxes(): void {
  document.addEventListener('focusin', (e) => {
    const t = e.target;
    if (t instanceof HTMLElement && t.closest('.table-scroll, .table-wrap')) t.scrollIntoView({ block: 'nearest', inline: 'nearest' });
  });
}

if (typeof document !== 'undefined') {
  setup_focus_in_scrolled_boxes();
  setup_glossary_popovers();
  setup_search();
  setup_hints();
  void setup_progress();
}
