// Models: kernel/hung_task.c (khungtaskd), v4.11, plus the model's own
// deadlock report.
//
// khungtaskd wakes every hung_task_timeout_secs and reports each task that is
// in exactly TASK_UNINTERRUPTIBLE (v4.11 compares the state for equality, so
// TASK_KILLABLE sleepers are not reported) and has not been scheduled since
// its previous look. Each report is the warning, sched_show_task() and then
// debug_show_all_locks(): the locks held by every sleeping task in the
// system, not only the hung one's (v4.10/v4.11 check_hung_task; a lockdep
// splat earlier in the boot turns that listing into "INFO: lockdep is turned
// off."). The model runs the check from a clock hook instead of a kernel
// thread, so that the detector adds no task to every interleaving.
//
// When no task can ever run again, the real kernel just sits there; the model
// lets virtual time pass until khungtaskd has spoken, then reports the
// deadlock with who waits for what, held by whom, and the wait-for cycle.
import { register_initcall } from './init/initcall';
import { footprint_opaque } from './footprint';
import { boot_params } from './init/params';
import { debug_show_all_locks } from './locking/lockdep';
import { report, print_tainted, UTS_RELEASE } from './panic';
import { for_each_process, model_task_ident, model_task_sched, register_sched_clock_hook, register_sched_idle_forever_hook } from './sched/core';
import { TASK_INTERRUPTIBLE, TASK_UNINTERRUPTIBLE, wait_target_text, type task_struct } from './sched/task';
import { model_clock_advance_to, HZ, model_ticks, NSEC_PER_JIFFY } from './time/timekeeping';
import { __run_timers } from './time/timer';

/** sysctl_hung_task_warnings: at most this many reports per boot. */
const HUNG_TASK_WARNINGS = 10;

let next_check = 0;
let warnings_left = HUNG_TASK_WARNINGS;

register_initcall('subsys', 'hung_task', () => {
  next_check = model_ticks() + timeout_jiffies();
  warnings_left = HUNG_TASK_WARNINGS;
  register_sched_clock_hook((now) => {
    while (now >= next_check) {
      footprint_opaque(); // reads every task's state
      check_hung_uninterruptible_tasks(next_check);
      next_check += timeout_jiffies();
    }
  });
  register_sched_idle_forever_hook(report_deadlock);
});

function timeout_jiffies(): number {
  return boot_params().hung_task_timeout_secs * HZ;
}

// What khungtaskd judges by comes from the scheduler's own record (kernel/sched/core.ts task_sched):
// the state a task went to sleep in, when and on what. The task's state, sleep_start and blocked_on are
// fields code handed the task can write: a hung holder's sleep_start put forward, or its state made
// TASK_KILLABLE, hid it from this report (grader red team 11 #12).
function state_char(t: task_struct): string {
  const state = model_task_sched(t).sleep_state;
  if (state & TASK_UNINTERRUPTIBLE) return 'D';
  if (state & TASK_INTERRUPTIBLE) return 'S';
  return state === 0 ? 'R' : 'X';
}

/** What @t sleeps on, as the model made it (null while awake). */
const blocked_on = (t: task_struct) => model_task_sched(t).blocked_on;

/** sched_show_task's first line: comm, state, free stack, pid, ppid, flags. */
function task_line(t: task_struct): string {
  return `${t.comm.slice(0, 15).padEnd(15)} ${state_char(t)}    0 ${String(t.pid).padStart(5)} ${String(2).padStart(6)} 0x${t.flags.toString(16).padStart(8, '0')}`;
}

/** check_hung_uninterruptible_tasks - khungtaskd's periodic look. */
function check_hung_uninterruptible_tasks(at: number): void {
  const timeout = boot_params().hung_task_timeout_secs;
  for (const t of for_each_process()) {
    if (t.exit_state !== 'running' || model_task_sched(t).sleep_state !== TASK_UNINTERRUPTIBLE) continue;
    // The scheduler's own counts (kernel/sched/core.ts task_sched): the task's fields are writable by code handed the task.
    const sched = model_task_sched(t);
    const switch_count = sched.nvcsw + sched.nivcsw;
    if (switch_count !== sched.last_switch_count) {
      sched.last_switch_count = switch_count;
      continue;
    }
    if (at - sched.sleep_start < timeout * HZ) continue;
    if (warnings_left <= 0) continue;
    warnings_left--;
    const lines = [
      `INFO: task ${t.comm}:${t.pid} blocked for more than ${timeout} seconds.`,
      `      ${print_tainted()} ${UTS_RELEASE} #1`,
      '"echo 0 > /proc/sys/kernel/hung_task_timeout_secs" disables this message.',
      task_line(t),
      ...(blocked_on(t) ? [`  (model) waiting for ${wait_target_text(blocked_on(t)!)}${holder_text(t)}`] : []),
      ...debug_show_all_locks(),
    ];
    report('hung_task', `task ${t.comm}:${t.pid} blocked for more than ${timeout} seconds`, lines, undefined, model_task_sched(t).sleep_trace);
  }
}

function holder_text(t: task_struct): string {
  const h = blocked_on(t)?.holder();
  return h ? `, held by ${h.comm}:${h.pid}` : '';
}

/** Follow "waits for ... held by" from @t; return the cycle if the chain comes back. */
export function wait_for_cycle(t: task_struct): task_struct[] | null {
  const path: task_struct[] = [];
  let cur: task_struct | null = t;
  while (cur && blocked_on(cur)) {
    const at = path.indexOf(cur);
    if (at >= 0) return path.slice(at);
    path.push(cur);
    cur = blocked_on(cur)!.holder();
  }
  return null;
}

/** Nothing can run and no timer is pending: let khungtaskd look twice, then say why. */
function report_deadlock(): void {
  const step = timeout_jiffies();
  for (let i = 0; i < 2; i++) {
    const at = next_check;
    model_clock_advance_to(at * NSEC_PER_JIFFY);
    __run_timers(at);
    check_hung_uninterruptible_tasks(at);
    next_check = at + step;
  }
  const stuck = for_each_process().filter((t) => t.exit_state === 'running' && !model_task_ident(t).daemon);
  const daemons = for_each_process().filter((t) => t.exit_state === 'running' && model_task_ident(t).daemon && blocked_on(t) && model_task_sched(t).sleep_state === TASK_UNINTERRUPTIBLE);
  const lines = ['shrinker-lab: deadlock: every task is asleep and nothing can wake any of them.'];
  for (const t of [...stuck, ...daemons]) {
    lines.push(`  ${t.comm}:${t.pid} (${state_char(t)}) waits for ${blocked_on(t) ? wait_target_text(blocked_on(t)!) : 'nothing it can name'}${holder_text(t)}`);
    for (const h of t.held_locks) lines.push(`      holding ${h.class_name}, taken at ${h.acquire_ip}`);
  }
  let cycle: task_struct[] | null = null;
  for (const t of stuck) {
    cycle = wait_for_cycle(t);
    if (cycle) break;
  }
  if (cycle) {
    const chain = cycle.map((t) => `${t.comm}:${t.pid} -> ${wait_target_text(blocked_on(t)!)}`).join(' -> ');
    lines.push(` wait-for cycle: ${chain} -> ${cycle[0]!.comm}:${cycle[0]!.pid}`);
  }
  // The Call Trace is where the first task of the cycle (else the first stuck task) went to sleep.
  const first = cycle?.[0] ?? stuck[0];
  report('deadlock', cycle ? `deadlock: ${cycle.map((t) => `${t.comm}:${t.pid}`).join(' -> ')}` : 'deadlock: every task is asleep', lines, undefined, first ? model_task_sched(first).sleep_trace : []);
}
