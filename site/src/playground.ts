/// <reference lib="dom" />
// The playground page: "you are the scheduler". Choose a scenario (every one
// the checks explore, and the thread's own) and whose code runs in it (the
// starter, the reference solution, or, when `npm start` serves the page, the
// learner's current files: "your code", read again at each Start or Replay);
// then at each decision point choose
// which runnable task goes next (mouse or keyboard), undo, or run on with the
// kernel's default policy. Each task's lane says where it is and why it is
// blocked; locks, the zone's watermarks, workqueue pools, RCU and dmesg are
// shown as text. The schedule made is an `sl1:` string for the CLI, and the
// URL (?scenario=&variant=&schedule=) replays it on load.
// The kernel model runs right here (playground_core.ts, explorer/stepper.ts).
import { paged_text } from './paged_text';
import { catalogue, forget_your_code, run_schedule_string, set_scenario_index, step, VARIANTS, your_code_offered, type catalogue_entry, type variant } from './playground_core';
import scenario_index from 'virtual:shrinker-lab/scenario-index';
import { challenge, render_end, render_lanes, render_view } from './playground_views';
import { render_timeline } from '../../explorer/render';
import { format_schedule, parse_schedule, type deviation } from '../../explorer/schedule';
import type { step_result } from '../../explorer/stepper';

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

/** What the learner has made so far: a scenario, whose code, the departures taken and the decision shown. */
interface session {
  id: string;
  variant: variant;
  departures: deviation[];
  at: number;
}

function url_state(entries: readonly catalogue_entry[]): { id: string | null; variant: variant; schedule: string | null } {
  const q = new URLSearchParams(location.search);
  const v = q.get('variant');
  // ?exercise=NN-slug (an exercise page's "break it" link): that exercise's challenge, its first declared scenario.
  const ex = q.get('exercise');
  const id = q.get('scenario') ?? (ex ? (entries.find((e) => e.exercise === ex)?.id ?? null) : null);
  return { id, variant: v === 'solution' || v === 'yours' ? v : 'starter', schedule: q.get('schedule') };
}

function write_url(s: session): void {
  const q = new URLSearchParams({ scenario: s.id, variant: s.variant, schedule: format_schedule(s.id, s.departures) });
  // A query-only URL: location.pathname would be read as a host when the page was reached as //playground.html.
  history.replaceState(null, '', `?${q.toString()}`);
}

async function setup(root: HTMLElement): Promise<void> {
  const entries: catalogue_entry[] = await catalogue();
  // Asked of progress.json, which every host serves: only `npm start`'s names exercises whose current code it serves.
  const yours = await your_code_offered();
  root.replaceChildren();

  const controls = el('form', { class: 'pg-controls', 'aria-label': 'Scenario' });
  const scen_label = el('label', { for: 'pg-scenario' }, 'Scenario');
  const scen = el('select', { id: 'pg-scenario' });
  for (const group of [...new Set(entries.map((e) => e.exercise ?? 'the thread'))]) {
    const og = el('optgroup', { label: group === 'the thread' ? 'The thread (2017 kernel)' : `Exercise ${group}` });
    for (const e of entries.filter((x) => (x.exercise ?? 'the thread') === group)) og.append(el('option', { value: e.id }, e.id));
    scen.append(og);
  }
  const var_label = el('label', { for: 'pg-variant' }, 'Code');
  const vsel = el('select', { id: 'pg-variant' });
  for (const v of VARIANTS) vsel.append(el('option', { value: v }, v === 'starter' ? 'the starter' : 'the reference solution'));
  if (yours) vsel.append(el('option', { value: 'yours' }, 'your code (your files, as saved)'));
  const start = el('button', { type: 'submit' }, 'Start at decision #0');
  controls.append(scen_label, scen, var_label, vsel, start);

  const replay_form = el('form', { class: 'replay-form', 'aria-label': 'Replay from the CLI' });
  const input = el('textarea', { id: 'schedule-input', rows: '2', spellcheck: 'false', placeholder: 'sl1:ex03-recursion:m1:-:1647' });
  replay_form.append(el('label', { for: 'schedule-input' }, 'Schedule string (from `shrinker-lab run` or `replay`)'), input, el('button', { type: 'submit' }, 'Replay'));

  const title = el('p', { class: 'muted', id: 'pg-title' });
  // A workload challenge's goal, shown from the start: what to step through and what wins.
  const goal = el('p', { class: 'note', id: 'pg-goal', hidden: '' });
  const status = el('p', { class: 'muted', 'aria-live': 'polite', id: 'pg-status' });
  const stage = el('div', { id: 'pg-stage' });
  const out = el('div', { id: 'result' });
  root.append(replay_form, controls, title, goal, status, stage, out);

  let s: session | null = null;
  let busy = false;

  const show_title = (id: string): void => {
    const e = entries.find((x) => x.id === id);
    title.textContent = e ? `${e.id}${e.exercise ? ` (exercise ${e.exercise})` : ''}: ${e.title}` : '';
    goal.textContent = e?.goal ? `Challenge: ${e.goal}` : '';
    goal.hidden = !e?.goal;
  };

  /** Run the session to decision s.at and show it; the live region says a few words, never the trace. */
  const go = async (): Promise<boolean> => {
    if (!s || busy) return false;
    busy = true;
    status.textContent = `Running ${s.id} to decision #${s.at}…`;
    let said = '';
    let ran = false;
    try {
      const r: step_result = await step(s.id, s.variant, s.departures, s.at);
      s.departures = r.departures;
      write_url(s);
      input.value = r.schedule_string;
      show(r);
      said = r.view
        ? `Decision #${r.view.at}: runnable ${r.view.runnable.map((t) => `${t.comm}:${t.pid}`).join(', ')}; the kernel would run pid ${r.view.default_pid}.`
        : `The run ended (${r.stop}): ${r.failures.length ? `${r.failures.length} failure(s), first: ${r.failures[0]!.kind}` : 'no failures'}.`;
      ran = true;
    } catch (e) {
      said = `Could not run: ${e instanceof Error ? e.message : String(e)}`;
      out.replaceChildren(el('p', { class: 'error', role: 'alert' }, said));
    } finally {
      busy = false;
      status.textContent = said;
    }
    return ran;
  };

  const choose = (pid: number | null): void => {
    if (!s || busy) return;
    if (pid !== null) s.departures = [...s.departures.filter((d) => d.at < s!.at), { at: s.at, pid }];
    else s.departures = s.departures.filter((d) => d.at < s!.at);
    s.at++;
    void go();
  };
  /** The decisions the run shown made, when it is shown at its end (no decision left): undo then steps back to its last one. */
  let ended_after: number | null = null;
  const undo = (): void => {
    if (!s || busy) return;
    const at = ended_after !== null ? Math.max(0, ended_after - 1) : s.at - 1;
    if (at < 0 || ended_after === 0) return;
    s.at = at;
    s.departures = s.departures.filter((d) => d.at < s!.at);
    void go();
  };
  const run_on = (): void => {
    if (!s || busy) return;
    s.at = Number.MAX_SAFE_INTEGER;
    void go();
  };

  function show(r: step_result): void {
    ended_after = r.view ? null : r.decisions;
    stage.replaceChildren();
    out.replaceChildren();
    const sched = el('p', {}, 'Schedule so far: ');
    sched.append(el('code', { class: 'schedule', id: 'pg-schedule' }, r.schedule_string));
    stage.append(sched);
    if (r.view) {
      const v = r.view;
      const picker = el('fieldset', { class: 'pg-picker' });
      picker.append(el('legend', {}, `Decision #${v.at} (step ${v.step}): which task runs next?`));
      v.runnable.forEach((t, i) => {
        const label = `${i + 1}. Run ${t.comm}:${t.pid}${t.pid === v.default_pid ? ' (the kernel\'s choice)' : ''}`;
        const b = el('button', { type: 'button', 'data-pid': String(t.pid), 'aria-keyshortcuts': String(i + 1) }, label);
        b.addEventListener('click', () => choose(t.pid === v.default_pid ? null : t.pid));
        picker.append(b);
      });
      const undo_b = el('button', { type: 'button', 'aria-keyshortcuts': 'u' }, 'Undo (u)');
      undo_b.disabled = v.at === 0;
      undo_b.addEventListener('click', undo);
      const on_b = el('button', { type: 'button', 'aria-keyshortcuts': 'r' }, 'Run on with the kernel\'s choices (r)');
      on_b.addEventListener('click', run_on);
      const step_b = el('button', { type: 'button', 'aria-keyshortcuts': 'n', id: 'pg-step' }, 'Step: the kernel\'s choice (n)');
      step_b.addEventListener('click', () => choose(null));
      picker.append(step_b, undo_b, on_b);
      stage.append(picker, render_view(v), render_lanes(r.lanes, v.at, r.end_view.cycle));
    } else {
      const undo_b = el('button', { type: 'button', 'aria-keyshortcuts': 'u' }, 'Undo (u)');
      undo_b.disabled = r.decisions === 0;
      undo_b.addEventListener('click', undo);
      stage.append(render_end(r), render_view(r.end_view), render_lanes(r.lanes, null, r.end_view.cycle), undo_b);
    }
    if (s && !r.view) stage.append(challenge(s.id, s.variant, r, yours !== null, (v) => {
      if (!s) return;
      vsel.value = v;
      void replay_text(r.schedule_string, v);
    }, entries.find((x) => x.id === s!.id)?.goal));
    out.append(paged_text('dmesg', 'dmesg', 'dmesg', r.log), paged_text('timeline', 'Timeline (trace events, log lines, explorer notes)', 'timeline', render_timeline(r.timeline)));
  }

  controls.addEventListener('submit', (e) => {
    e.preventDefault();
    forget_your_code();
    s = { id: scen.value, variant: vsel.value as variant, departures: [], at: 0 };
    show_title(s.id);
    void go();
  });
  replay_form.addEventListener('submit', (e) => {
    e.preventDefault();
    void replay_text(input.value, vsel.value as variant);
  });

  const refuse = (error: string): void => {
    stage.replaceChildren();
    out.replaceChildren(el('p', { class: 'error', role: 'alert' }, `Error: ${error}`));
    status.textContent = 'The run did not start: see the error below.';
  };

  /**
   * Replay a pasted string with one run of the model: the step to its end
   * (go) is the run shown, dmesg as `replay --log-only` prints it. Only when
   * that run did not take every departure the string names (a pid not
   * runnable, a decision never reached) is the string replayed strictly,
   * as the CLI does, for the CLI's own error message.
   */
  async function replay_text(text: string, v: variant): Promise<void> {
    forget_your_code();
    let wanted: string;
    try {
      const p = parse_schedule(text.trim());
      if (!entries.some((e) => e.id === p.scenario_id)) throw new Error(`The playground does not know scenario "${p.scenario_id}".`);
      wanted = format_schedule(p.scenario_id, p.schedule);
      s = { id: p.scenario_id, variant: v, departures: [...p.schedule], at: Number.MAX_SAFE_INTEGER };
    } catch {
      const r = await run_schedule_string(text, v);
      refuse(r.ok ? 'the schedule string did not replay.' : r.error);
      return;
    }
    scen.value = s.id;
    vsel.value = v;
    show_title(s.id);
    // Show the end of the run; undo steps back into it.
    if (!(await go())) {
      const r = await run_schedule_string(text, v);
      if (!r.ok) refuse(r.error);
      return;
    }
    if (input.value !== wanted) {
      // This code's run never reached a decision the string names (the reference solution often ends sooner): the run
      // shown is the one it made, and the CLI's strict replay says which departure did not fit.
      const r = await run_schedule_string(text, v);
      const why = r.ok ? '' : ` ${r.error}`;
      out.prepend(el('p', { class: 'note', id: 'pg-unfit' }, `Not every departure of ${wanted} was taken with this code:${why} The run shown is the one this code made under the departures it reached.`));
    }
  }

  // Keyboard: digits pick the Nth runnable task, n steps, u undoes, r runs on (not while typing in a field).
  document.addEventListener('keydown', (e) => {
    const t = e.target as HTMLElement | null;
    if (t && (t.tagName === 'TEXTAREA' || t.tagName === 'INPUT' || t.tagName === 'SELECT') || e.ctrlKey || e.metaKey || e.altKey) return;
    const picker = stage.querySelector('.pg-picker');
    if (e.key === 'u') undo();
    else if (e.key === 'r' && picker) run_on();
    else if (e.key === 'n' && picker) choose(null);
    else if (/^[1-9]$/.test(e.key) && picker) {
      const b = picker.querySelectorAll<HTMLButtonElement>('button[data-pid]')[Number(e.key) - 1];
      b?.click();
    } else return;
    e.preventDefault();
  });

  const u = url_state(entries);
  if (u.schedule) {
    input.value = u.schedule;
    await replay_text(u.schedule, u.variant);
  } else if (u.id && entries.some((e) => e.id === u.id)) {
    scen.value = u.id;
    vsel.value = u.variant === 'yours' && !yours ? 'starter' : u.variant;
    s = { id: u.id, variant: u.variant, departures: [], at: 0 };
    show_title(s.id);
    await go();
  }
}

// The build's index of every suite's scenarios: the page lists them all and loads a suite only to run one of its scenarios.
set_scenario_index(scenario_index);
const root = document.getElementById('playground-root');
if (root) void setup(root);
