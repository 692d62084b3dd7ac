// Models: mm/oom_kill.c (register_oom_notifier, out_of_memory,
// select_bad_process, oom_badness, oom_kill_process, mark_oom_victim,
// dump_header, dump_tasks, the oom_reaper) and the blocking notifier chain
// of kernel/notifier.c, v4.11 (checked against the v4.11 source).
//
// When the allocator has retried MAX_RECLAIM_RETRIES times without progress
// it takes oom_lock and calls out_of_memory(), which, in this order:
//  1. calls the OOM notifiers (i915 registers one): if they freed anything
//     (freed > 0), that counts as progress and nobody is killed;
//  2. if the allocation may not use the filesystem (!__GFP_FS), returns
//     "progress" without killing: the allocator keeps retrying (v4.11's
//     small allocations do not fail);
//  3. picks the user process with the most memory (rss + swap entries) and
//     kills it: SIGKILL, TIF_MEMDIE (access to the reserves), the kernel's
//     messages; if there is none, panics.
//
// Model choices: the OOM reaper (v4.6+) frees the victim's anonymous memory
// at once, inside oom_kill_process, instead of from its own thread a moment
// later; since it is reaped, a victim never blocks the next kill
// (MMF_OOM_SKIP). No oom_score_adj (always 0), no init process to protect,
// no children to sacrifice, no memcg/cpuset/mempolicy constraints, no
// panic_on_oom. The panic stops the run with a report of kind 'oom'.
import { register_initcall } from '../init/initcall';
import { DEFINE_MUTEX } from '../locking/mutex';
import { KernelOops, print_tainted, report, UTS_RELEASE } from '../panic';
import { pr_info } from '../printk/printk';
import { current, for_each_process, register_sched_exit_hook, sched_request_stop, schedule_timeout_killable, signal_wake_up } from '../sched/core';
import { PF_KTHREAD, type task_struct } from '../sched/task';
import { trace } from '../trace/trace';
import { format_gfp, __GFP_FS, type gfp_t } from './gfp';
import { exit_mmap, get_mm_rss, task_mm } from './mmap';
import type { mm_struct } from './mm_types';
import { __ratelimit, ratelimit_state } from './ratelimit';
import { show_mem } from './show_mem';
import { get_total_swap_pages } from './swapfile';
import { count_vm_event } from './vmstat';
import { zone } from './zone';
import { model_task_set } from '../sched/task_fields';

/** oom_lock: serializes OOM killing (the allocator only trylocks it). */
export const oom_lock = DEFINE_MUTEX('oom_lock');

/** NOTIFY_* return values of a notifier callback (include/linux/notifier.h). */
export const NOTIFY_DONE = 0x0000;
export const NOTIFY_OK = 0x0001;
export const NOTIFY_STOP_MASK = 0x8000;

/**
 * struct notifier_block for the OOM chain: @notifier_call gets the event (0)
 * and a counter to add the pages it freed to. It may sleep (blocking chain).
 */
export interface notifier_block {
  notifier_call(nb: notifier_block, event: number, freed: { value: number }): number | Promise<number>;
  /** Higher runs first (default 0). */
  priority?: number;
}

/** struct oom_control. */
export interface oom_control {
  /** The failing allocation's mask (0 for a page fault OOM). */
  gfp_mask: gfp_t;
  order: number;
  memcg?: null;
  totalpages?: number;
  chosen?: task_struct | null;
  chosen_points?: number;
}

let oom_notify_list: notifier_block[] = [];
/** TIF_MEMDIE: tasks the OOM killer chose, until they exit. */
let oom_victims = new Set<task_struct>();
const oom_rs = new ratelimit_state();

register_initcall('core', 'mm_oom_kill', () => {
  oom_notify_list = [];
  oom_victims = new Set();
  oom_rs.begin = 0;
  oom_rs.printed = 0;
});

register_initcall('subsys', 'mm_oom_exit_hook', () => {
  // exit_oom_victim: a victim that exits no longer holds TIF_MEMDIE.
  register_sched_exit_hook((t) => {
    oom_victims.delete(t);
  });
});

/** register_oom_notifier - call @nb before the OOM killer picks a victim. */
export function register_oom_notifier(nb: notifier_block): number {
  // blocking_notifier_chain_register: sorted by priority, stable within one.
  let i = 0;
  while (i < oom_notify_list.length && (oom_notify_list[i]!.priority ?? 0) >= (nb.priority ?? 0)) i++;
  oom_notify_list.splice(i, 0, nb);
  return 0;
}

/** unregister_oom_notifier - remove @nb from the OOM chain. */
export function unregister_oom_notifier(nb: notifier_block): number {
  const i = oom_notify_list.indexOf(nb);
  if (i < 0) return -2; // -ENOENT
  oom_notify_list.splice(i, 1);
  return 0;
}

/** blocking_notifier_call_chain - call each notifier in turn; NOTIFY_STOP_MASK ends the walk. */
async function blocking_notifier_call_chain(chain: readonly notifier_block[], event: number, data: { value: number }): Promise<void> {
  for (const nb of [...chain]) {
    const r: unknown = nb.notifier_call(nb, event, data);
    // (model) Only a real Promise is awaited (a hand-made thenable's then() is the callee's code), and
    // the answers are C's: an int, and an unsigned long behind the pointer (what out_of_memory reads).
    const ret: unknown = typeof r === 'number' ? r : r instanceof Promise ? await r : r;
    if (typeof ret !== 'number' || !Number.isFinite(ret)) notifier_answer_oops(nb, 'returned', ret, 'a notifier_call returns an int (NOTIFY_DONE, NOTIFY_OK, NOTIFY_STOP...)');
    const freed: unknown = data.value;
    if (typeof freed !== 'number' || !Number.isFinite(freed)) notifier_answer_oops(nb, 'left *freed at', freed, 'the OOM notifiers add the pages they freed to an unsigned long (mm/oom_kill.c out_of_memory)');
    if (ret & NOTIFY_STOP_MASK) break;
  }
}

/** (model) A notifier's answer C cannot hold: an oops naming the callback, the value described by its type alone. */
function notifier_answer_oops(nb: notifier_block, did: string, v: unknown, why: string): never {
  const what = typeof v === 'number' ? String(v) : v === null ? 'null' : v === undefined ? 'undefined' : typeof v === 'object' ? 'an object' : typeof v === 'bigint' ? 'a BigInt' : `a ${typeof v}`;
  const who = nb.notifier_call.name || 'notifier_call';
  report('bug', `${who} ${did} ${what}`, [
    `BUG: OOM notifier ${who} ${did} ${what}: ${why}`,
    `CPU: ${current.cpu} PID: ${current.pid} Comm: ${current.comm} ${print_tainted()} ${UTS_RELEASE} #1`,
  ]);
  throw new KernelOops(`${who} ${did} ${what}`);
}

/**
 * mark_oom_victim - give @t TIF_MEMDIE (mm/oom_kill.c): what oom_kill_process()
 * does to its victim after the SIGKILL, and out_of_memory() to a current task
 * that has SIGKILL pending or is exiting (task_will_free_mem). For checks
 * that call a shrinker from an OOM victim's reclaim; @t keeps it until it exits.
 */
export function mark_oom_victim(t: task_struct): void {
  oom_victims.add(t);
}

/** (model) model_unmark_oom_victim - take TIF_MEMDIE back from @t (a check's undo of mark_oom_victim; the kernel's is exit_oom_victim at exit). */
export function model_unmark_oom_victim(t: task_struct): void {
  oom_victims.delete(t);
}

/** tsk_is_oom_victim / TIF_MEMDIE: was @t chosen by the OOM killer (and has not exited)? */
export function tsk_is_oom_victim(t: task_struct): boolean {
  return oom_victims.has(t);
}

const K = (pages: number): number => pages * 4;

/** oom_badness - rss plus swap entries (no page tables, no oom_score_adj); 0 if unkillable. */
export function oom_badness(t: task_struct): number {
  if (t.flags & PF_KTHREAD || t.exit_state !== 'running') return 0;
  const mm = task_mm(t);
  if (!mm || mm.oom_skip) return 0;
  const points = get_mm_rss(mm) + mm.swap_slots.length;
  return points > 0 ? points : 1;
}

/** select_bad_process - the killable task with the most points; the first one wins a tie. */
function select_bad_process(oc: oom_control): void {
  oc.chosen = null;
  oc.chosen_points = 0;
  for (const t of for_each_process()) {
    // oom_evaluate_task: a victim whose memory was reaped (MMF_OOM_SKIP) is passed over.
    if (oom_victims.has(t)) continue;
    const points = oom_badness(t);
    if (!points || points <= oc.chosen_points) continue;
    oc.chosen = t;
    oc.chosen_points = points;
  }
  oc.chosen_points = Math.floor((oc.chosen_points * 1000) / oc.totalpages!);
}

function cpu_line(): string {
  return `CPU: ${current.cpu} PID: ${current.pid} Comm: ${current.comm} ${print_tainted()} ${UTS_RELEASE} #1`;
}

/** dump_tasks - one line per killable process. */
function dump_tasks(): string[] {
  const lines = ['[ pid ]   uid  tgid total_vm      rss nr_ptes nr_pmds swapents oom_score_adj name'];
  for (const t of for_each_process()) {
    if (t.flags & PF_KTHREAD || t.exit_state !== 'running') continue;
    const mm = task_mm(t);
    if (!mm) continue;
    const rss = get_mm_rss(mm);
    const swap = mm.swap_slots.length;
    const c = (v: number, w: number): string => String(v).padStart(w, ' ');
    lines.push(`[${c(t.pid, 5)}] ${c(0, 5)} ${c(t.pid, 5)} ${c(rss + swap, 8)} ${c(rss, 8)} ${c(0, 7)} ${c(0, 7)} ${c(swap, 8)} ${c(0, 5)} ${t.comm}`);
  }
  return lines;
}

/** dump_header - who invoked the OOM killer, the stack, Mem-Info and the task list. */
function dump_header(oc: oom_control): string[] {
  return [
    // Two spaces before "order=": v4.11's dump_header prints the nodemask with
    // its own pr_cont() and then ",  order=%d, oom_score_adj=%hd" (4.11-era reports show it).
    `${current.comm} invoked oom-killer: gfp_mask=${gfp_hex(oc.gfp_mask)}(${gfp_names(oc.gfp_mask)}), nodemask=(null),  order=${oc.order}, oom_score_adj=0`,
    cpu_line(),
    ...show_mem(),
    ...dump_tasks(),
  ];
}

/** The kernel's "%#x(%pGg)" of a gfp mask: "0x14000c0(GFP_KERNEL)"; 0 prints as "0x0()". */
export function gfp_hex(gfp: gfp_t): string {
  return '0x' + gfp.toString(16);
}

/** %pGg: the flag names, empty for 0. */
export function gfp_names(gfp: gfp_t): string {
  return gfp ? format_gfp(gfp) : '';
}

function mm_line(mm: mm_struct | null): string {
  const rss = mm ? get_mm_rss(mm) : 0;
  return `anon-rss:${K(rss)}kB, file-rss:0kB, shmem-rss:0kB`;
}

/** oom_kill_process - kill oc.chosen, print why, and reap its memory. */
function oom_kill_process(oc: oom_control, message: string): void {
  const victim = oc.chosen!;
  const mm = task_mm(victim);
  const lines = __ratelimit(oom_rs) ? dump_header(oc) : [];
  lines.push(`${message}: Kill process ${victim.pid} (${victim.comm}) score ${oc.chosen_points} or sacrifice child`);
  const total_vm = mm ? get_mm_rss(mm) + mm.swap_slots.length : 0;
  // do_send_sig_info(SIGKILL) + mark_oom_victim.
  model_task_set(victim, 'sigkill_pending', true);
  signal_wake_up(victim);
  oom_victims.add(victim);
  count_vm_event('oom_kill');
  trace('mark_victim', { pid: victim.pid, comm: victim.comm });
  lines.push(`Killed process ${victim.pid} (${victim.comm}) total-vm:${K(total_vm)}kB, ${mm_line(mm)}`);
  report('oom', `Killed process ${victim.pid} (${victim.comm})`, lines);
  // The OOM reaper's work, done at once (model choice, see the file comment).
  if (mm) {
    mm.oom_skip = true;
    exit_mmap(victim);
    pr_info(`oom_reaper: reaped process ${victim.pid} (${victim.comm}), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB`);
  }
}

/** panic("Out of memory and no killable processes...") - the run ends here. */
function oom_panic(oc: oom_control): never {
  const msg = 'Out of memory and no killable processes...';
  report('oom', msg, [...dump_header(oc), `Kernel panic - not syncing: ${msg}`, `---[ end Kernel panic - not syncing: ${msg}`]);
  sched_request_stop('oom');
  throw new KernelOops(`Kernel panic - not syncing: ${msg}`);
}

/**
 * out_of_memory - the allocator found no memory after all retries. Returns
 * true if it made progress (a notifier freed pages, the allocation lacks
 * __GFP_FS, or a task was killed): the allocator then retries.
 * The caller holds oom_lock.
 */
export async function out_of_memory(oc: oom_control): Promise<boolean> {
  const freed = { value: 0 };
  await blocking_notifier_call_chain(oom_notify_list, 0, freed);
  if (freed.value > 0) return true; // "Got some memory back in the last second."
  // task_will_free_mem(current): a killed task on its way out needs no other
  // victim. (The kernel also requires its mm not yet reaped; the model's
  // reaper is instant, so it only asks whether current was killed.)
  if (current.sigkill_pending && current.exit_state === 'running') {
    oom_victims.add(current);
    return true;
  }
  if (oc.gfp_mask && !(oc.gfp_mask & __GFP_FS)) return true;
  oc.totalpages = zone.managed_pages + get_total_swap_pages();
  select_bad_process(oc);
  if (!oc.chosen) oom_panic(oc);
  oom_kill_process(oc, 'Out of memory');
  // Give the victim a moment to exit while we still hold oom_lock.
  await schedule_timeout_killable(1);
  return true;
}
