/// <reference lib="dom" />
// The playground's views of the machine at a decision point, each as plain
// text in lists and tables a screen reader reads in order: one lane per task
// (where it is, why it is blocked, the wait-for cycle marked), the locks and
// their holders and waiters, the zone's free pages against the min/low/high
// watermarks, the workqueue pools and what their workers run, and RCU's
// grace-period state. Plus the end of a run and the "make the starter fail"
// challenge, scored against the fewest departures the explorer needs.
import { explore } from '../../explorer/explore';
import type { lane, machine_view, run_lanes, step_result, timeline_mark } from '../../explorer/stepper';
import { prove, resolve, type variant } from './playground_core';

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

function section(id: string, title: string): HTMLElement {
  const s = el('section', { 'aria-labelledby': `${id}-h`, class: `pg-view pg-${id}` });
  s.append(el('h2', { id: `${id}-h` }, title));
  return s;
}

/**
 * Where a task is: the model call it is parked in, then its whole call chain
 * as a numbered list, innermost first (a screen reader reads it in order and
 * says how many frames), each frame "function (file:line)"; the exercise
 * code's frames are marked, in words as well as in colour.
 */
function where_cell(l: lane): HTMLElement {
  const td = el('td', { class: 'pg-where' });
  if (l.frames.length === 0) {
    td.textContent = l.where;
    return td;
  }
  td.append(el('span', { class: 'pg-parked' }, l.where.split(' ← ')[0]!));
  const ol = el('ol', { class: 'pg-chain', 'aria-label': `Call chain of ${l.comm}:${l.pid}, innermost first` });
  for (const f of l.frames) {
    const li = el('li', { 'data-file': f.file, 'data-line': String(f.line) });
    const text = `${f.fn} (${f.file}:${f.line})`;
    if (f.exercise_code) {
      li.className = 'exercise-code';
      li.append(el('mark', {}, text), el('span', { class: 'pg-yours' }, ' — the exercise\'s code'));
    } else li.textContent = text;
    ol.append(li);
  }
  td.append(ol);
  if (l.frames_left_out > 0) td.append(el('p', { class: 'muted' }, `and ${l.frames_left_out} outer frame(s) more`));
  return td;
}

/** The lanes: one row per task. */
function lanes(v: machine_view): HTMLElement {
  const s = section('lanes', 'Tasks');
  const cycle = new Set(v.cycle ?? []);
  if (v.cycle) {
    const names = v.cycle.map((pid) => v.lanes.find((l) => l.pid === pid)).map((l) => (l ? `${l.comm}:${l.pid}` : '?'));
    s.append(el('p', { class: 'status-bad pg-cycle' }, `Wait-for cycle: ${[...names, names[0]].join(' waits for ')}. None of them can ever run again.`));
  }
  const wrap = el('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': 'Tasks (scrolls sideways)' });
  const t = el('table', { class: 'pg-lanes' });
  const head = el('tr');
  for (const h of ['Task', 'CPU', 'State', 'Where it is', 'Blocked on', 'Holds']) head.append(el('th', { scope: 'col' }, h));
  t.append(el('thead'), el('tbody'));
  t.tHead!.append(head);
  for (const l of v.lanes) {
    const tr = el('tr', { class: `${l.state}${cycle.has(l.pid) ? ' in-cycle' : ''}${v.runnable.some((r) => r.pid === l.pid) ? ' runnable-now' : ''}` });
    tr.append(
      el('th', { scope: 'row' }, `${l.comm}:${l.pid}${l.pid === v.default_pid ? ' (kernel\'s choice)' : ''}`),
      el('td', {}, String(l.cpu)),
      el('td', {}, `${l.state}${l.in_reclaim ? ', in reclaim' : ''}${cycle.has(l.pid) ? ', in the cycle' : ''}`),
      where_cell(l),
      el('td', {}, l.blocked ?? '—'),
      el('td', {}, l.holds.join(', ') || '—'),
    );
    t.tBodies[0]!.append(tr);
  }
  wrap.append(t);
  s.append(wrap);
  return s;
}

function locks(v: machine_view): HTMLElement {
  const s = section('locks', 'Locks (a mutex\'s owner word: its owner\'s task_struct address with the flag bits in the low three bits)');
  if (v.locks.length === 0) {
    s.append(el('p', {}, 'No lock is held or waited for.'));
    return s;
  }
  const ul = el('ul');
  for (const l of v.locks) {
    const word = l.owner_word ? `; owner word ${l.owner_word} (${l.holder ? `task_struct of ${l.holder}` : 'no owner'}${l.flags.length ? ` | ${l.flags.map((f) => `MUTEX_FLAG_${f}`).join(' | ')}` : ', no flag bits'})` : '';
    ul.append(el('li', {}, `${l.name}: ${l.holder ? `held by ${l.holder}` : 'free'}${word}${l.waiters.length ? `; waiting: ${l.waiters.join(', ')}` : ''}`));
  }
  s.append(ul);
  return s;
}

function zone(v: machine_view): HTMLElement {
  const s = section('zone', 'Zone Normal: free pages against the watermarks');
  const z = v.zone;
  const where = z.free < z.min ? 'below min: only PF_MEMALLOC allocations may dip in' : z.free < z.low ? 'below low: kswapd is woken' : z.free < z.high ? 'below high: kswapd keeps going' : 'above high';
  s.append(el('p', {}, `free ${z.free} pages (${where}); min ${z.min}, low ${z.low}, high ${z.high}; ${z.managed} managed.`));
  const m = el('meter', { min: '0', max: String(Math.max(z.high * 2, z.free, 1)), low: String(z.low), high: String(z.high), optimum: String(z.high * 2), value: String(z.free), 'aria-label': 'free pages' });
  s.append(m);
  return s;
}

function pools(v: machine_view): HTMLElement {
  const s = section('pools', 'Workqueue pools');
  if (v.pools.length === 0) {
    s.append(el('p', {}, 'No worker pool has workers yet.'));
    return s;
  }
  const ul = el('ul');
  for (const p of v.pools) ul.append(el('li', {}, `${p.name}: ${p.workers.map((w) => `${w.comm} ${w.running ? `runs ${w.running}` : 'idle'}`).join('; ')}`));
  s.append(ul);
  return s;
}

function rcu(v: machine_view): HTMLElement {
  const s = section('rcu', 'RCU');
  const r = v.rcu;
  const owing = (cpus: readonly string[]): string => (cpus.length ? `; not yet through a quiescent state: ${cpus.join(', ')}` : '; every CPU has passed a quiescent state');
  const ul = el('ul');
  ul.append(
    el('li', {}, `Normal grace periods (rcu_sched: synchronize_rcu, call_rcu): started ${r.started}, completed ${r.completed}; ${r.in_progress ? `one is in progress${owing(r.cpus_owing.map((c) => `CPU ${c}`))}` : 'none in progress'}; ${r.pending_callbacks} callback(s) queued.`),
  );
  const x = r.expedited;
  const exp_state = x.in_progress
    ? `one is in progress, run by its work item on system_wq${owing(x.cpus_owing.map((c) => `CPU ${c.cpu}${c.readers.length ? ` (inside rcu_read_lock(): ${c.readers.join(', ')})` : ''}`))}`
    : x.requested
      ? 'one is asked for and not started: its work item waits on system_wq for an "events" kworker'
      : 'none in progress';
  ul.append(el('li', {}, `Expedited grace periods (synchronize_rcu_expedited): completed ${x.completed}; ${exp_state}.`));
  s.append(ul);
  return s;
}

const MARK_GLYPH: Record<timeline_mark, string> = { ran: '▶', ready: '·', asleep: 'z', gone: '✗' };
const MARK_WORDS: Record<timeline_mark, string> = { ran: 'ran', ready: 'was runnable, not picked', asleep: 'was asleep', gone: 'had exited' };

/** "#3" or "#3–#7": decisions @from to @to. */
function span_words(from: number, to: number): string {
  return from === to ? `#${from}` : `#${from}–#${to}`;
}

/** One task's marks as words: runs of one mark, in order ("ran at #0–#2; was asleep at #3–#9"). */
function marks_in_words(marks: readonly (timeline_mark | null)[]): string {
  const out: string[] = [];
  for (let i = 0; i < marks.length; ) {
    const m = marks[i];
    let j = i;
    while (j + 1 < marks.length && marks[j + 1] === m) j++;
    if (m) out.push(`${MARK_WORDS[m]} at ${span_words(i, j)}`);
    i = j + 1;
  }
  return out.join('; ');
}

/**
 * render_lanes - the run as timeline lanes: one row per task, a column per
 * decision (▶ picked, · runnable, z asleep, ✗ gone), each lock it held drawn
 * as a bar under it, the decision shown now marked, the tasks of a deadlock's
 * cycle highlighted. The drawing is for the eye; the list under it says the
 * same in words for a screen reader.
 */
export function render_lanes(l: run_lanes, now: number | null, cycle: readonly number[] | null): HTMLElement {
  const s = section('timeline-lanes', 'Timeline lanes: each task at each decision, locks held as bars');
  const in_cycle = new Set(cycle ?? []);
  const n = l.decisions;
  if (n === 0) {
    s.append(el('p', {}, 'The run made no decision: one task could run at every step.'));
    return s;
  }
  s.append(el('p', { class: 'muted' }, `▶ ran, · runnable but not picked, z asleep, ✗ exited, at each decision and at the end; a bar is a lock in the task's lockdep record (held, or being taken) at those decisions.${now !== null ? ` You are at decision #${now}.` : ''}${l.truncated ? ` The first ${n} decisions are drawn; the run made more (its trace has them all).` : ''}`));
  const wrap = el('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': 'Timeline lanes, drawn (the list after it says the same in words)' });
  const grid = el('div', { class: 'tl-grid', 'aria-hidden': 'true' });
  grid.style.gridTemplateColumns = `max-content repeat(${n}, 1.3em) 2.4em`;
  const row = (label: string, cls: string): void => void grid.append(el('div', { class: `tl-label ${cls}` }, label));
  row('decision', 'tl-head');
  for (let i = 0; i < n; i++) grid.append(el('div', { class: `tl-cell tl-head${i === now ? ' tl-now' : ''}` }, i % 5 === 0 ? String(i) : ''));
  grid.append(el('div', { class: 'tl-cell tl-head' }, 'end'));
  for (const lane of l.lanes) {
    const hot = in_cycle.has(lane.pid) ? ' in-cycle' : '';
    row(`${lane.comm}:${lane.pid}`, `tl-task${hot}`);
    lane.marks.forEach((m, i) => grid.append(el('div', { class: `tl-cell tl-${m ?? 'none'}${i === now ? ' tl-now' : ''}${hot}` }, m ? MARK_GLYPH[m] : '')));
    grid.append(el('div', { class: `tl-cell tl-${lane.at_end}${hot}` }, MARK_GLYPH[lane.at_end]));
    for (const h of lane.holds) {
      row(`  ${h.lock}`, 'tl-lock-label');
      const bar = el('div', { class: 'tl-bar' }, h.lock);
      // Column 1 is the labels, decision #i is column i + 2, the end is column n + 2.
      bar.style.gridColumn = `${h.from + 2} / ${(h.to ?? n) + 3}`;
      grid.append(bar);
    }
  }
  wrap.append(grid);
  s.append(wrap);
  const ul = el('ul', { class: 'tl-words' });
  for (const lane of l.lanes) {
    const holds = lane.holds.map((h) =>
      h.to !== null ? `${h.lock} at ${span_words(h.from, h.to)}` : h.from >= n ? `${h.lock} at the end of the run (taken after the last decision drawn)` : `${h.lock} from #${h.from} to the end of the run`,
    );
    const did = [marks_in_words(lane.marks), `${lane.at_end === 'gone' ? 'had exited' : 'was asleep'} at the end`].filter(Boolean).join('; ');
    ul.append(el('li', {}, `${lane.comm}:${lane.pid}${in_cycle.has(lane.pid) ? ' (in the deadlock cycle the run ends in)' : ''}: ${did}.${holds.length ? ` It held (or was taking, as lockdep records it): ${holds.join('; ')}.` : ' It held no lock.'}`));
  }
  s.append(ul);
  return s;
}

/** render_view - every view of the machine at a decision. */
export function render_view(v: machine_view): HTMLElement {
  const d = el('div', { class: 'pg-views' });
  d.append(lanes(v), locks(v), zone(v), pools(v), rcu(v));
  return d;
}

/** render_end - how the run ended. */
export function render_end(r: step_result): HTMLElement {
  const s = section('end', `The run ended: ${r.stop}`);
  s.append(
    r.failures.length
      ? el('p', { class: 'status-bad' }, `✗ ${r.failures.length} failure(s): ${r.failures.map((f) => `${f.kind}: ${f.title}`).join('; ')}`)
      : el('p', { class: 'status-ok' }, '✓ no failures in this run'),
  );
  s.append(el('p', {}, `${r.decisions} decision point(s); ${r.departures.length} departure(s) from the kernel's choices.`));
  return s;
}

/**
 * challenge - "make the starter fail": when a starter run failed, score the
 * departures it took against the fewest the explorer needs (its bounded
 * search goes level by level, so its first failure has the fewest), and
 * offer the same schedule on the solution, which survives it.
 */
export function challenge(id: string, v: variant, r: step_result, has_yours: boolean, replay_with: (v: variant) => void, goal?: string): HTMLElement {
  const s = section('challenge', 'Challenge: make the starter fail');
  // A workload challenge (the starter fails under every schedule): its goal says what to step through and what wins.
  if (goal) s.append(el('p', { class: 'pg-goal' }, goal));
  const again = (label: string, with_v: variant): HTMLButtonElement => {
    const b = el('button', { type: 'button' }, label);
    b.addEventListener('click', () => replay_with(with_v));
    return b;
  };
  if (v === 'starter') {
    if (r.failures.length === 0) {
      s.append(el('p', {}, goal
        ? 'The starter survived this run: its failure is in the workload, not in the schedule. Start again and step through it.'
        : 'The starter survived this schedule. Undo and choose other tasks at the decisions where a lock is taken or memory runs short.'));
      return s;
    }
    const score = el('p', { 'aria-live': 'polite', class: 'pg-score' }, `You made the starter fail with ${r.departures.length} departure(s).${goal ? ' You won: ' + r.failures.map((f) => `${f.kind}: ${f.title}`)[0]!.slice(0, 300) : ''}`);
    const b = el('button', { type: 'button' }, 'Score it against the explorer');
    b.addEventListener('click', () => {
      b.disabled = true;
      score.textContent = 'The explorer is searching…';
      void (async () => {
        try {
          // The check's own search (its bound, 2 unless the suite says otherwise), stopped at the first failure: it tries
          // schedules with fewer departures first, so that one has the fewest (explorer/explore.ts).
          const res = await resolve(id, 'starter');
          const options = { preemption_bound: 2, ...res.built.options, mode: 'exhaustive' as const, reduction: 'none' as const, stop_on: 'first' as const };
          const run = () => explore(res.built.scenario, options);
          const x = await (res.built.around ? res.built.around(run) : run());
          const best = x.failures.reduce<(typeof x.failures)[number] | undefined>((a, f) => (!a || f.preemptions < a.preemptions ? f : a), undefined);
          const yours = r.departures.length;
          score.textContent = best
            ? `You: ${yours} departure(s). The explorer's fewest: ${best.preemptions} (${best.schedule_string}). ${yours <= best.preemptions ? 'You matched it.' : 'There is a shorter way.'}`
            : `The explorer found no failure within ${options.preemption_bound} departure(s): yours (${yours}) goes further than its search.`;
        } catch (e) {
          score.textContent = `The explorer could not run: ${e instanceof Error ? e.message : String(e)}`;
        }
      })();
    });
    s.append(score, b);
    // No goal and no departure: the kernel's own schedule breaks it, so the challenge is to see where, not to find a race.
    if (!goal && r.departures.length === 0) {
      s.append(el('p', { class: 'pg-shows' },
        'The starter fails under the kernel\'s own choices: no race is needed, the bug is in what the code does. ' +
        'Undo (u) back through the run and find the decision where it goes wrong: the lanes say where each task is and what it waits for.'));
    }
    // A workload challenge is won by one run: say what that run shows, and what it does not.
    if (goal) {
      s.append(el('p', { class: 'pg-shows' },
        `What this run shows: the starter fails this workload with ${r.departures.length} departure(s) from the kernel's choices. ` +
        `The bug is in what the code does with the workload, not in an interleaving: the check runs this workload under the kernel's own schedule and fails the starter with this verdict. ` +
        'One run says nothing about other schedules; "What the check proves" runs them.'));
    }
    s.append(again('Same schedule on the solution', 'solution'));
    if (has_yours) s.append(again('Same schedule on your code', 'yours'));
  } else {
    const whose = v === 'solution' ? 'The reference solution' : 'Your code';
    s.append(el('p', {}, r.failures.length
      ? `${whose} failed this schedule.`
      : `${whose} survives this schedule: this one run, no more. "What the check proves" runs every schedule the check runs.`));
    s.append(again('Same schedule on the starter', 'starter'));
    if (v === 'yours') s.append(again('Same schedule on the solution', 'solution'));
    else if (has_yours) s.append(again('Same schedule on your code', 'yours'));
  }
  s.append(...proof_of(id, v));
  return s;
}

/**
 * The check's own search of scenario @id with @v's code, on demand: its
 * claim said exactly (every interleaving, or every schedule within bound k,
 * or the failure it found) and the explorer's line on what it ran.
 */
function proof_of(id: string, v: variant): HTMLElement[] {
  const whose = v === 'starter' ? 'the starter' : v === 'solution' ? 'the reference solution' : 'your code';
  const out = el('p', { 'aria-live': 'polite', class: 'pg-proof' });
  const b = el('button', { type: 'button' }, 'What the check proves');
  b.addEventListener('click', () => {
    b.disabled = true;
    out.textContent = `The explorer is running every schedule the check runs, with ${whose}…`;
    void (async () => {
      try {
        const p = await prove(id, v);
        out.textContent = `With ${whose}: ${p.claim} (${p.coverage}.)`;
      } catch (e) {
        out.textContent = `The explorer could not run: ${e instanceof Error ? e.message : String(e)}`;
      }
    })();
  });
  return [b, out];
}
