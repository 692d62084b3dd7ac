/// <reference lib="dom" />
// The playground's views of the machine at a decision point, each as plain
// text in lists and tables a screen reader reads in order: one lane per task
// (where it is, why it is blocked, the wait-for cycle marked), the locks and
// their holders and waiters, the zone's free pages against the min/low/high
// watermarks, the workqueue pools and what their workers run, and RCU's
// grace-period state. Plus the end of a run and the "make the starter fail"
// challenge, scored against the fewest departures the explorer needs.
import { explore } from '../../explorer/explore';
import type { machine_view, step_result } from '../../explorer/stepper';
import { resolve, type variant } from './playground_core';

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
      el('td', {}, l.where),
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
  s.append(el('p', {}, `Grace periods started ${r.started}, completed ${r.completed}; ${r.in_progress ? 'one is in progress' : 'none in progress'}; ${r.pending_callbacks} callback(s) queued.`));
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
export function challenge(id: string, v: variant, r: step_result, has_yours: boolean, replay_with: (v: variant) => void): HTMLElement {
  const s = section('challenge', 'Challenge: make the starter fail');
  const again = (label: string, with_v: variant): HTMLButtonElement => {
    const b = el('button', { type: 'button' }, label);
    b.addEventListener('click', () => replay_with(with_v));
    return b;
  };
  if (v === 'starter') {
    if (r.failures.length === 0) {
      s.append(el('p', {}, 'The starter survived this schedule. Undo and choose other tasks at the decisions where a lock is taken or memory runs short.'));
      return s;
    }
    const score = el('p', { 'aria-live': 'polite' }, `You made the starter fail with ${r.departures.length} departure(s).`);
    const b = el('button', { type: 'button' }, 'Score it against the explorer');
    b.addEventListener('click', () => {
      b.disabled = true;
      score.textContent = 'The explorer is searching…';
      void (async () => {
        const res = await resolve(id, 'starter');
        const run = () => explore(res.built.scenario, { preemption_bound: 2, stop_on: 'first', ...res.built.options });
        const x = await (res.built.around ? res.built.around(run) : run());
        const best = x.failures[0];
        score.textContent = best
          ? `You: ${r.departures.length} departure(s). The explorer's fewest: ${best.preemptions}. ${r.departures.length <= best.preemptions ? 'You matched it.' : 'There is a shorter way.'}`
          : 'The explorer found no failure within two departures: yours goes further than its search.';
      })();
    });
    s.append(score, b, again('Same schedule on the solution', 'solution'));
    if (has_yours) s.append(again('Same schedule on your code', 'yours'));
  } else {
    const whose = v === 'solution' ? 'The reference solution' : 'Your code';
    s.append(el('p', {}, r.failures.length ? `${whose} failed this schedule.` : `${whose} survives this schedule.`));
    s.append(again('Same schedule on the starter', 'starter'));
    if (v === 'yours') s.append(again('Same schedule on the solution', 'solution'));
    else if (has_yours) s.append(again('Same schedule on your code', 'yours'));
  }
  return s;
}
