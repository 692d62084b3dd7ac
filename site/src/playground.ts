/// <reference lib="dom" />
// The replay playground page: a schedule-string form, one "default schedule"
// button per thread scenario, and the run's failures, dmesg and timeline.
// The kernel model runs right here (playground_core.ts).
import { paged_text } from './paged_text';
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
  // Paged, in normal (not live) regions: a trace can be 900,000 characters.
  out.append(paged_text('dmesg', 'dmesg', 'dmesg', r.dmesg), paged_text('timeline', 'Timeline (trace events, log lines, explorer notes)', 'timeline', r.timeline));
}

/** summary - the few words the live region announces after a run (never the trace itself). */
export function summary(r: playground_result): string {
  if (!r.ok) return 'The run did not start: see the error above.';
  const lines = (s: string): number => (s ? s.split('\n').length : 0);
  const verdict = r.failures.length ? `${r.failures.length} failure(s), first: ${r.failures[0]!}` : 'no failures';
  return `Run of ${r.scenario_id} finished: ${verdict}. dmesg has ${lines(r.dmesg)} lines, the timeline ${lines(r.timeline)}.`;
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
  const out = el('div', { id: 'result' });

  let busy = false;
  const go = async (text: string): Promise<void> => {
    if (busy) return;
    busy = true;
    status.textContent = 'Running the kernel model…';
    let said = '';
    try {
      const r = await run_schedule_string(text, scenarios);
      show(out, r);
      said = summary(r);
    } finally {
      busy = false;
      status.textContent = said;
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
