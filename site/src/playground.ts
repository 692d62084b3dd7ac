/// <reference lib="dom" />
// The replay playground page: a schedule-string form, one "default schedule"
// button per thread scenario, and the run's failures, dmesg and timeline.
// The kernel model runs right here (playground_core.ts).
import { default_schedule_string, playground_scenarios, run_schedule_string, type playground_result } from './playground_core';

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

function show(out: HTMLElement, r: playground_result): void {
  out.replaceChildren();
  if (!r.ok) {
    const p = el('p', { class: 'error', role: 'alert' });
    p.append(el('strong', {}, 'Error: '), document.createTextNode(r.error));
    out.append(p);
    return;
  }
  out.append(el('h2', { id: 'result-h' }, `Run of ${r.scenario_id}`));
  out.append(el('p', {}, 'Schedule: '), el('pre', { class: 'schedule', tabindex: '0' }, r.schedule_string));
  out.append(
    r.failures.length
      ? el('p', { class: 'status-bad' }, `✗ ${r.failures.length} failure(s): ${r.failures.join('; ')}`)
      : el('p', { class: 'status-ok' }, '✓ no failures in this run'),
  );
  const dm = el('section', { 'aria-labelledby': 'dmesg-h' });
  dm.append(el('h3', { id: 'dmesg-h' }, 'dmesg'), el('pre', { class: 'dmesg', tabindex: '0' }, r.dmesg || '(empty)'));
  const tl = el('section', { 'aria-labelledby': 'timeline-h' });
  tl.append(el('h3', { id: 'timeline-h' }, 'Timeline (trace events, log lines, explorer notes)'), el('pre', { class: 'timeline', tabindex: '0' }, r.timeline));
  out.append(dm, tl);
}

function setup(root: HTMLElement): void {
  const scenarios = playground_scenarios();
  root.replaceChildren();
  const form = el('form', { class: 'replay-form' });
  const label = el('label', { for: 'schedule-input' }, 'Schedule string');
  const input = el('textarea', { id: 'schedule-input', rows: '2', spellcheck: 'false', placeholder: 'sl1:rcu-hang-v4.10:m1:-:xxxx' });
  const run = el('button', { type: 'submit' }, 'Replay');
  form.append(label, input, run);

  const defaults = el('section', { 'aria-labelledby': 'defaults-h' });
  defaults.append(el('h2', { id: 'defaults-h' }, "Run the kernel's default schedule"));
  const ul = el('ul', { class: 'scenario-list' });
  const status = el('p', { class: 'muted', 'aria-live': 'polite' });
  const out = el('div', { id: 'result', 'aria-live': 'polite' });

  let busy = false;
  const go = async (text: string): Promise<void> => {
    if (busy) return;
    busy = true;
    status.textContent = 'Running the kernel model…';
    try {
      show(out, await run_schedule_string(text, scenarios));
    } finally {
      busy = false;
      status.textContent = '';
    }
  };
  for (const sc of scenarios) {
    const li = el('li');
    const b = el('button', { type: 'button' }, `Run ${sc.id}`);
    b.addEventListener('click', () => {
      input.value = default_schedule_string(sc);
      void go(input.value);
    });
    li.append(b);
    ul.append(li);
  }
  defaults.append(ul);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void go(input.value);
  });
  root.append(form, defaults, status, out);
}

const root = document.getElementById('playground-root');
if (root) setup(root);
