// Models: kernel/watchdog.c (the soft-lockup detector: watchdog_timer_fn,
// is_softlockup), v4.11.
//
// In the kernel a per-CPU hrtimer looks every 2 * watchdog_thresh / 5 = 4 s
// whether the CPU's watchdog thread has run since the last look. If it has
// not for more than 2 * watchdog_thresh = 20 s, something kept the CPU
// without ever scheduling, and the timer prints (pr_fmt "NMI watchdog: "):
//   NMI watchdog: BUG: soft lockup - CPU#0 stuck for 22s! [comm:pid]
// softlockup_panic is 0 by default: the kernel prints and the CPU spins on.
//
// The model: a task's code between two schedule points runs atomically and
// virtual time moves only between steps, so a task that keeps calling the
// model without ever reaching a schedule point (CONFIG_PREEMPT_NONE: a loop
// of flush_work() or rcu_barrier() with nothing to wait for never sleeps)
// would hold its CPU, and the whole simulation, forever. The scheduler counts
// the model calls a task makes in one run (kernel/sched/core.ts
// model_task_context); past SOFTLOCKUP_CALLS the CPU is declared stuck, the
// watchdog's report is printed as the first look after the 20 s threshold
// would print it, and the spinning task is killed (the model cannot spin on).
import { print_ip_sym } from './lib/dump_stack';
import { KernelOops, report } from './panic';
import { KERN_EMERG } from './printk/printk';
import type { task_struct } from './sched/task';

/** watchdog_thresh (seconds); the soft-lockup threshold is twice it. */
export const WATCHDOG_THRESH = 10;
/**
 * What "stuck for" says: the watchdog's first 4 s look after the 20 s
 * threshold (model choice: the sample phase relative to the last schedule is
 * fixed, so every report says the same).
 */
export const SOFTLOCKUP_REPORTED_SECS = 2 * WATCHDOG_THRESH + 2;
/**
 * Model calls one task may make without reaching a schedule point. Kernel
 * code between two schedule points does bounded work; the course's busiest
 * legitimate run (a shrinker walking hundreds of objects) makes a few
 * thousand calls, so this is far above any correct answer and reached in
 * well under a second of host time by a loop that never sleeps.
 */
export const SOFTLOCKUP_CALLS = 200_000;

/** The watchdog's first line, shared with the spinlock model (kernel/locking/spinlock.ts). */
export function softlockup_line(cpu: number, comm: string, pid: number): string {
  return `NMI watchdog: BUG: soft lockup - CPU#${cpu} stuck for ${SOFTLOCKUP_REPORTED_SECS}s! [${comm}:${pid}]`;
}

/** The report's title, as the checks and the CLI show it. */
export function softlockup_title(cpu: number): string {
  return `soft lockup - CPU#${cpu} stuck for ${SOFTLOCKUP_REPORTED_SECS}s!`;
}

/**
 * watchdog_softlockup - @t made SOFTLOCKUP_CALLS model calls, the last one
 * @call, without sleeping or yielding: print the watchdog's report with the
 * locks the task holds and what it kept calling, then kill it.
 */
export function watchdog_softlockup(t: task_struct, call: string): never {
  const lines = [
    softlockup_line(t.cpu, t.comm, t.pid),
    `  (model) ${t.comm}:${t.pid} made ${SOFTLOCKUP_CALLS} calls into the kernel, the last one ${call}(),`,
    '  without reaching a schedule point: a loop that never sleeps. With CONFIG_PREEMPT_NONE nothing',
    '  else runs on this CPU (not the work it may be waiting for, not RCU\'s quiescent state) until it stops.',
  ];
  if (t.held_locks.length) {
    lines.push(`${t.held_locks.length} lock${t.held_locks.length > 1 ? 's' : ''} held by ${t.comm}/${t.pid}:`);
    t.held_locks.forEach((h, i) => lines.push(` #${i}:  (${h.class_name}), at: ${print_ip_sym(h.acquire_ip)}`));
  }
  report('bug', softlockup_title(t.cpu), lines, KERN_EMERG);
  throw new KernelOops(`${t.comm}:${t.pid} never reached a schedule point`);
}
