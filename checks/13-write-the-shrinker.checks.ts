// The graded checks of exercise 13 (capstone: write the shrinker).
// Your count, scan and OOM notifier are plugged into the i915 model (v4.12:
// no RCU waits of its own) and run on every scenario the course has: the
// thread's "holder allocates" case, generated workloads on every path into
// the shrinker (direct reclaim, GFP_NOFS, kswapd, drop_caches, the OOM
// notifier) with struct_mutex free, held by the reclaiming task or by
// another task (owner words with WAITERS and HANDOFF), objects of every
// kind, swap on and off, lockdep on and off, task names that collide; the
// free worker idle, queued, blocked on struct_mutex or about to be queued by
// RCU callbacks, with kworker creation failing (fault injection); and
// Andrea's hang explored under every schedule within the bound. On the OOM
// path also: the GPU busy for 0.5 to 5 s, a balloon notifier after i915's,
// i915 holding no pages, and a struct_mutex holder that is itself
// allocating (the notifier runs under oom_lock). The task that calls may be a
// user task, a kernel thread (kswapd is one) or a kworker, on the direct
// calls and on the OOM path. Two reclaimers interleave
// on one machine, and count and scan are called by a task holding the lock
// under every shrinker_policy. The scenarios of exercises 06, 11 and 04 run
// with your shrinker in place of the reference's (scenarios/capstone_course.ts):
// the execbuffer ioctl relocating its pinned batch under pressure, a storm
// of GFP_NOFS reclaims and then GFP_KERNEL ones through v4.11's
// do_shrink_slab, and a waiter queued on struct_mutex while its holder
// allocates, under every schedule with one preemption.
//
// Every call of your three functions is judged as it happens
// (scenarios/whole_shrinker.ts): what it returned against what was
// releasable, what it really released, whether it slept, and whether it
// left struct_mutex and PF_MEMALLOC as it found them. These checks run your
// code with the kernel's policy (recursion, a nested scan reports what it
// released); the last one runs all four policies and compares what each
// costs with the reference.
import { define_checks, fail, pass, type check_context, type check_outcome, type check_suite, type exercise_impl } from '../course/checks';
import { refuse_kernel_object_state } from '../course/kernel_object_state';
import { with_learner_export_writes } from '../course/learner_exports';
import { dmesg_tail, first_report } from '../course/check_helpers';
import { declare_scenarios, explore_declared } from '../course/scenario_registry';
import { for_each_workload, like_reference } from '../course/workload';
import type { scenario } from '../explorer/scenario';
import type { report_kind } from '../kernel/panic';
import { arb_unlock_workload, describe_unlock_workload, run_unlock_workload, type unlock_workload } from '../scenarios/reclaim_meets_free_path';
import { i915_gem_shrinker_unlock, model_arm_lock_slots } from '../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import { start_kernel } from '../kernel/init/main';
import {
  arb_struct_mutex_workload,
  decisive_workload,
  describe_struct_mutex_workload,
  run_struct_mutex_workload,
  type struct_mutex_workload,
} from '../scenarios/struct_mutex_reclaim';
import { holder_allocates_under_pressure, rcu_hang } from '../scenarios/thread';
import {
  arb_oom_workload,
  describe_oom_workload,
  describe_pin_race,
  pin_race_scenario,
  run_oom_workload,
  type notifier_call,
  type oom_workload,
  type pin_race_workload,
} from '../scenarios/oom_notifier';
import { arb_gem_objects, boot_order_machine, GEM_OBJECT_KINDS, MORE_GEM_OBJECT_KINDS, PAGES_PINNED_GEM_OBJECT_KINDS, RETIRABLE_GEM_OBJECT_KINDS } from '../scenarios/gem_workloads';
import { fc } from '../course/workload';
import { arb_caller_task } from '../scenarios/reclaim_context';
import { format_gfp, GFP_HIGHUSER_MOVABLE, GFP_KERNEL, GFP_NOFS, GFP_NOIO, GFP_TRANSHUGE, __GFP_DMA, __GFP_DMA32, __GFP_NOFAIL, __GFP_NORETRY, __GFP_NOWARN } from '../kernel/mm/gfp';
import { i915_gem_object_bind } from '../kernel/drivers/gpu/drm/i915/i915_gem_object';
import { SHRINK_STOP } from '../kernel/mm/vmscan';
import {
  arb_direct_calls,
  oom_when_holder_allocates,
  interleaved_reclaimers,
  describe_direct_call_workload,
  first_violation,
  judged_shrinker,
  run_direct_calls,
  KERNEL_POLICY,
  POLICIES,
  policy_text,
  tradeoff_workload,
  type shrinker_call,
  type direct_call_workload,
  type shrinker_policy,
  type whole_shrinker,
} from '../scenarios/whole_shrinker';
import { DECISIVE_RELOCATION, arb_relocation_workload, describe_relocation_workload, run_relocation, type relocation_workload } from '../scenarios/pin_before_alloc';
import {
  arb_deferral_workload,
  describe_deferral_workload,
  pinned_relocation,
  run_deferral_history,
  handoff_pending_with,
  waiter_while_holder_allocates_with,
  type deferral_workload,
} from '../scenarios/capstone_course';
import type { gem_object_spec } from '../scenarios/gem_workloads';
import { MID_SCAN_NR_TO_SCAN, MID_SCAN_RACE_AT_OPS, scan_with_lock_taken_at } from '../scenarios/mid_scan_race';
import { run_in_gem_world } from '../course/check_helpers';
import { describe_objects, make_gem_objects } from '../scenarios/gem_workloads';
import { WORLD_PARAMS } from '../scenarios/i915_world';
import { __mutex_owner, mutex_lock, mutex_unlock } from '../kernel/locking/mutex';
import { current } from '../kernel/sched/core';
import { memalloc_noreclaim_restore, memalloc_noreclaim_save } from '../kernel/sched/mm';
import { LATE_UPTIMES_SECS } from '../scenarios/uptime';
import { DESKTOP_FIRST_PIDS, describe_first_pid } from '../scenarios/desktop_pids';
import { queue_struct_mutex_waiters } from '../scenarios/lock_holder';
import { CONVOY_MAX, TOP_FIRST_PID, UPTIME_MAX_SECS } from '../scenarios/machine_ranges';
import golden from './13-write-the-shrinker.golden';

/** Reports no workload may leave behind (an OOM kill included: i915's buffers were there to take). */
const BAD_REPORTS: readonly report_kind[] = ['deadlock', 'hung_task', 'lockdep', 'bug', 'warn', 'kasan', 'oom', 'forgotten_await', 'step_limit'];

/** Re-runs shrinking may spend: enough to show a smaller workload, and a wrong answer's verdict stays quick. */
const SHRINK_BUDGET = 8;

const shrinker_of = (impl: exercise_impl): whole_shrinker => ({
  count: impl.i915_gem_shrinker_count as whole_shrinker['count'],
  scan: impl.i915_gem_shrinker_scan as whole_shrinker['scan'],
  oom: impl.i915_gem_shrinker_oom as whole_shrinker['oom'],
});

/** The learner's policy object, if it exports one. */
const policy_of = (impl: exercise_impl): shrinker_policy | null =>
  impl.shrinker_policy !== null && typeof impl.shrinker_policy === 'object' ? (impl.shrinker_policy as shrinker_policy) : null;

/** with_policy - run @body with the learner's shrinker_policy set to @p, then put back what it shipped. */
async function with_policy<T>(impl: exercise_impl, p: shrinker_policy, body: () => Promise<T>): Promise<T> {
  const policy = policy_of(impl);
  const shipped = policy ? { ...policy } : null;
  if (policy) with_learner_export_writes(() => Object.assign(policy, p));
  try {
    return await body();
  } finally {
    if (policy && shipped) with_learner_export_writes(() => Object.assign(policy, shipped));
  }
}

const violation_text = (v: string, calls: readonly shrinker_call[]): string => `${v}\n  (${calls.length} call(s) of your shrinker in this run)`;

/**
 * judged_struct_mutex_run - one generated struct_mutex workload with the
 * learner's shrinker, judged: the rules of @fns on every call, no report,
 * struct_mutex free at the end and kept by the outer frame, nothing
 * released under another holder, the books balanced, and (with @compare)
 * the same pages released and got as the reference.
 */
async function judged_struct_mutex_run(
  impl: exercise_impl,
  ctx: check_context,
  wl: struct_mutex_workload,
  fns: readonly shrinker_call['fn'][],
  compare: boolean,
): Promise<check_outcome> {
  const { ops, calls } = judged_shrinker(shrinker_of(impl));
  const { result, value } = await with_policy(impl, KERNEL_POLICY, () => run_struct_mutex_workload(wl, ops));
  const broken = first_violation(calls, fns);
  if (broken) return fail(violation_text(broken, calls));
  const bad = first_report(result, BAD_REPORTS);
  if (bad) return fail(`${bad}${dmesg_tail(result)}`);
  if (!value) return fail(`the workload never finished: ${result.stop}${dmesg_tail(result)}`);
  if (value.owner_at_end) return fail(`when every task was done, struct_mutex was still held by ${value.owner_at_end}: a lock the shrinker took was never released.`);
  if (value.reclaimer_kept_lock === false) return fail(`"${wl.reclaimer}" held struct_mutex when it went into reclaim, and came back without it: the shrinker released its outer frame's lock.`);
  if (value.released_under_other_holder > 0) {
    return fail(`while "${wl.holder_comm}" held struct_mutex, ${value.released_under_other_holder} pages of i915 objects were released: the shrinker walked lists another task was changing.`);
  }
  if (value.books) return fail(value.books);
  if (!compare) return pass();
  const differs = like_reference(ctx, wl, { released: value.gem_pages_released, got: value.pages_got });
  return differs ? fail(`the run differs from the reference shrinker's (pages i915 released, pages the allocation got): ${differs}`) : pass();
}

const describe = describe_struct_mutex_workload;

/** Hand-picked direct calls: needed buffers listed before purgeable ones, a small target, every lock state. */
const NEEDED_FIRST: direct_call_workload['objects'] = [
  { kind: 'needed', pages: 3 },
  { kind: 'dirty-needed', pages: 2 },
  { kind: 'purgeable', pages: 4 },
  { kind: 'bound-idle', pages: 3 },
  { kind: 'purgeable', pages: 2 },
];
/** A purgeable buffer, then bound buffers userspace still needs (the commonest on a desktop) and one unbound. */
const BOUND_AFTER_THE_PURGE: direct_call_workload['objects'] = [
  { kind: 'purgeable', pages: 2 },
  { kind: 'bound-needed', pages: 4 },
  { kind: 'needed', pages: 1 },
  { kind: 'bound-needed', pages: 3 },
];
/** Buffers the GPU finished with, among idle and running ones: two completed batches nobody retired yet. */
const COMPLETED_NOT_RETIRED: direct_call_workload['objects'] = [
  { kind: 'bound-completed', pages: 4 },
  { kind: 'bound-idle', pages: 2 },
  { kind: 'bound-active', pages: 3 },
  { kind: 'needed', pages: 1 },
  { kind: 'bound-completed', pages: 5 },
];
/**
 * Purgeable buffers whose pages are pinned beyond their bindings (a CPU mapping, a dma-buf export,
 * execbuf's relocation pin: scenarios/gem_workloads.ts PAGES_PINNED_GEM_OBJECT_KINDS) among ones
 * that are releasable: DONTNEED does not make them releasable (v4.11 can_release_pages():
 * pages_pin_count > bind_count), so count must not report them and scan cannot release them.
 */
const PAGES_PINNED_AMONG_PURGEABLE: direct_call_workload['objects'] = [
  { kind: 'purgeable-pinned', pages: 4 },
  { kind: 'purgeable', pages: 2 },
  { kind: 'bound-pages-pinned', pages: 3 },
  { kind: 'bound-idle', pages: 2 },
  { kind: 'purgeable-pinned', pages: 1 },
];
const DIRECT_EXAMPLES: direct_call_workload[] = [
  { objects: NEEDED_FIRST, lock: 'other', in_reclaim: false, nr_to_scan: 4, swap: true, lockdep: false, comm: 'Xorg', holder_comm: 'gpu_wait' },
  { objects: NEEDED_FIRST, lock: 'free', in_reclaim: true, nr_to_scan: 4, swap: true, lockdep: true, comm: 'glxgears', holder_comm: 'gpu_wait', gfp: GFP_HIGHUSER_MOVABLE },
  { objects: NEEDED_FIRST, lock: 'mine', in_reclaim: true, nr_to_scan: 5, swap: true, lockdep: false, comm: 'i915_ioctl', holder_comm: 'i915_ioctl' },
  { objects: NEEDED_FIRST, lock: 'other', in_reclaim: true, nr_to_scan: 32, swap: false, lockdep: true, comm: 'kswapd0', holder_comm: 'kswapd0' },
  // After the purge, what is left to release is bound to the GTT and still needed: only a second
  // pass over the bound list (I915_SHRINK_BOUND without PURGEABLE) writes it to swap. Also under GFP_NOIO (a block
  // driver's memalloc_noio scope): i915 starts no I/O (the pages go to the page cache), so both passes are owed to it.
  { objects: BOUND_AFTER_THE_PURGE, lock: 'free', in_reclaim: true, nr_to_scan: 6, swap: true, lockdep: false, comm: 'Xorg', holder_comm: 'Xorg' },
  { objects: BOUND_AFTER_THE_PURGE, lock: 'free', in_reclaim: true, nr_to_scan: 6, swap: true, lockdep: true, comm: 'kworker/u4:1', holder_comm: 'Xorg', gfp: GFP_NOIO },
  { objects: [{ kind: 'bound-needed', pages: 3 }, { kind: 'pinned', pages: 2 }, { kind: 'bound-needed', pages: 2 }], lock: 'mine', in_reclaim: true, nr_to_scan: 4, swap: true, lockdep: true, comm: 'i915_ioctl', holder_comm: 'kswapd0' },
  // kswapd itself counts and scans while a GEM ioctl holds struct_mutex (taken between count and
  // scan in the kernel): background reclaim must not stop behind the GPU lock either.
  { objects: NEEDED_FIRST, lock: 'other', in_reclaim: true, kswapd: true, nr_to_scan: 8, swap: true, lockdep: false, comm: 'kswapd0', holder_comm: 'i915_ioctl' },
  // Machines the generator cannot make (scenarios/gem_workloads.ts boot_order_machine): a desktop's
  // lists in boot order, hundreds of objects with the scanout and pinned boot buffers at their heads
  // (a count that samples the first 40 or 128 objects sees nothing releasable), and dirty bound
  // buffers the GPU wrote and finished with (releasable: purged whatever dirty says, or swapped).
  { objects: boot_order_machine(44, 44), lock: 'mine', in_reclaim: true, nr_to_scan: 32, swap: false, lockdep: true, comm: 'i915_ioctl', holder_comm: 'i915_ioctl' },
  { objects: boot_order_machine(8, 130), lock: 'free', in_reclaim: true, nr_to_scan: 32, swap: true, lockdep: false, comm: 'Xorg', holder_comm: 'gpu_wait' },
  // Bound buffers whose batch the GPU has completed, not yet retired (the retire worker runs once a
  // second): still active until somebody calls i915_gem_retire_requests(), as v4.11's count and
  // i915_gem_shrink() do before their walks. A count that skips the retire hides them.
  { objects: COMPLETED_NOT_RETIRED, lock: 'free', in_reclaim: true, kswapd: true, nr_to_scan: 6, swap: false, lockdep: false, comm: 'kswapd0', holder_comm: 'Xorg' },
  { objects: COMPLETED_NOT_RETIRED, lock: 'mine', in_reclaim: false, nr_to_scan: 12, swap: true, lockdep: true, comm: 'i915_ioctl', holder_comm: 'i915_ioctl' },
  // A kworker (writeback, another driver's work item) and a kernel thread in direct reclaim, and i915's own worker
  // holding struct_mutex when its allocation recurses into reclaim: count and scan owe each what they owe a user task.
  { objects: NEEDED_FIRST, lock: 'free', in_reclaim: true, nr_to_scan: 6, swap: true, lockdep: true, comm: 'kworker/u4:2', holder_comm: 'Xorg', task: 'kworker', gfp: GFP_KERNEL | __GFP_NORETRY | __GFP_NOWARN },
  { objects: NEEDED_FIRST, lock: 'free', in_reclaim: true, nr_to_scan: 5, swap: false, lockdep: false, comm: 'jbd2/sda1-8', holder_comm: 'Xorg', task: 'kthread', gfp: GFP_NOFS | __GFP_NORETRY },
  { objects: COMPLETED_NOT_RETIRED, lock: 'mine', in_reclaim: true, nr_to_scan: 8, swap: false, lockdep: false, comm: 'kworker/0:1', holder_comm: 'kworker/0:1', task: 'kworker' },
  // Purgeable buffers with pinned pages: a count that trusts DONTNEED alone reports pages no scan can release.
  { objects: PAGES_PINNED_AMONG_PURGEABLE, lock: 'free', in_reclaim: true, nr_to_scan: 8, swap: false, lockdep: false, comm: 'glxgears', holder_comm: 'Xorg', gfp: GFP_TRANSHUGE },
  // Needed buffers (one the GPU wrote) reachable by scan's second pass, with swap, from kswapd and from a GFP_NOFS direct
  // reclaimer (session 12: a scan that marked needed buffers DONTNEED from kswapd only, 'nobody waits on background
  // reclaim: purge instead of swap I/O', passed all, kswapd's calls never reaching a needed buffer with swap on).
  // Userspace's buffers keep their contents on every path: they go to swap.
  { objects: NEEDED_FIRST, lock: 'free', in_reclaim: true, kswapd: true, nr_to_scan: 12, swap: true, lockdep: true, comm: 'kswapd0', holder_comm: 'Xorg', task: 'kthread' },
  { objects: NEEDED_FIRST, lock: 'free', in_reclaim: true, nr_to_scan: 12, swap: true, lockdep: false, comm: 'kworker/u8:3', holder_comm: 'Xorg', task: 'kworker', gfp: GFP_NOFS },
  // A 32-bit DMA device's allocation in direct reclaim (red team 14's dma32-purge-only: a scan that skipped its swap pass for
  // __GFP_DMA32 passed all): both passes are owed to it, as to any caller (v4.11's scan never reads the mask).
  { objects: BOUND_AFTER_THE_PURGE, lock: 'free', in_reclaim: true, nr_to_scan: 6, swap: true, lockdep: true, comm: 'Xorg', holder_comm: 'Xorg', gfp: GFP_KERNEL | __GFP_DMA32 },
];
/**
 * Every kind of object, bound buffers still needed, buffers whose batch completed but is not
 * retired, and purgeable buffers whose pages are pinned included (scenarios/gem_workloads.ts MORE_,
 * RETIRABLE_ and PAGES_PINNED_GEM_OBJECT_KINDS), and a
 * reclaiming caller that may be kswapd: the lock can be taken between count and scan, and kswapd
 * may no more wait for it than a direct reclaimer.
 */
const arb_direct_calls_every_kind = fc
  .tuple(arb_direct_calls([...GEM_OBJECT_KINDS, ...MORE_GEM_OBJECT_KINDS, ...RETIRABLE_GEM_OBJECT_KINDS, ...PAGES_PINNED_GEM_OBJECT_KINDS]), fc.boolean())
  .map(([{ gfp: _allocation_mask, ...wl }, kswapd]): direct_call_workload => (wl.in_reclaim && kswapd && wl.lock !== 'mine' ? { ...wl, kswapd: true, comm: 'kswapd0', task: 'kthread' } : { ...wl, ...(_allocation_mask === undefined ? {} : { gfp: _allocation_mask }) }));

/**
 * Another task holds struct_mutex and is itself in direct reclaim, is kswapd
 * in i915's scan, or is i915's free worker (scenarios/lock_holder.ts): its
 * lists all the same. Count says 0 and scan SHRINK_STOP, whoever the caller.
 */
const OTHER_HOLDER_EXAMPLES: direct_call_workload[] = [
  { objects: NEEDED_FIRST, lock: 'other', holder_context: 'ioctl-in-reclaim', in_reclaim: true, kswapd: true, nr_to_scan: 4, swap: true, lockdep: false, comm: 'kswapd0', holder_comm: 'i915_ioctl' },
  { objects: NEEDED_FIRST, lock: 'other', holder_context: 'kswapd', in_reclaim: true, nr_to_scan: 4, swap: false, lockdep: true, comm: 'glxgears', holder_comm: 'kswapd0' },
  { objects: NEEDED_FIRST, lock: 'other', holder_context: 'i915-worker', in_reclaim: false, nr_to_scan: 4, swap: true, lockdep: false, comm: 'Xorg', holder_comm: 'kworker/0:1' },
];

/**
 * direct_calls - count and then scan called directly in every lock state
 * (scenarios/whole_shrinker.ts run_direct_calls), each call judged by the
 * rules of @fns; with @compare, the pages scan released and its answer are
 * compared with the reference's.
 */
function direct_calls(impl: exercise_impl, ctx: check_context, fns: readonly shrinker_call['fn'][], seed: number, compare: boolean): Promise<check_outcome> {
  return for_each_workload(
    // Examples count toward the runs: every hand-picked workload, then five generated ones.
    {
      arbitrary: arb_direct_calls_every_kind,
      seed,
      runs: DIRECT_EXAMPLES.length + OTHER_HOLDER_EXAMPLES.length + 5,
      shrink_budget: SHRINK_BUDGET,
      examples: [...DIRECT_EXAMPLES, ...OTHER_HOLDER_EXAMPLES],
      describe: describe_direct_call_workload,
    },
    async (wl) => {
      const { result, value } = await with_policy(impl, KERNEL_POLICY, () => run_direct_calls(wl, shrinker_of(impl)));
      if (value) {
        const broken = first_violation(value, fns);
        if (broken) return fail(broken);
      }
      const bad = first_report(result, BAD_REPORTS);
      if (bad) return fail(`${bad}${dmesg_tail(result)}`);
      if (!value) return fail(`the calls never returned: ${result.stop}${dmesg_tail(result)}`);
      if (!compare) return pass();
      const scan = value.find((c) => c.fn === 'scan');
      const differs = like_reference(ctx, wl, { ret: scan?.ret ?? null, released: scan?.released ?? null, needed: scan?.released_needed ?? null });
      return differs ? fail(`scan did not do what the reference scan does here (its answer, pages released, of which needed): ${differs}`) : pass();
    },
  );
}

/**
 * interleaved_runs - two reclaimers on one machine (A counts, B counts 0 in
 * between, A scans): A's scan must do what the reference's does, whatever B
 * was told. Task names collide in one of them.
 */
async function interleaved_runs(impl: exercise_impl, ctx: check_context): Promise<check_outcome> {
  for (const [comm, b_comm, lock_held_for_b] of [['Xorg', 'kswapd0', false], ['i915_ioctl', 'i915_ioctl', true]] as const) {
    const { result, value } = await with_policy(impl, KERNEL_POLICY, () => interleaved_reclaimers(shrinker_of(impl), comm, b_comm, lock_held_for_b));
    const what = `"${comm}" counts with i915's buffers idle; "${b_comm}" counts while ${lock_held_for_b ? '"gpu_wait" holds struct_mutex' : 'a 3 ms batch uses them'}; then "${comm}" scans for 8 pages`;
    const bad = first_report(result, BAD_REPORTS);
    if (bad) return fail(`${bad}\n  (${what})${dmesg_tail(result)}`);
    if (!value) return fail(`the calls never returned: ${result.stop}\n  (${what})`);
    const differs = like_reference(ctx, { interleaved: [comm, b_comm, lock_held_for_b] }, value);
    if (differs) {
      return fail(`two reclaimers interleaved (${what}): ${differs}. Each call answers for the machine as it is now: ` +
        'reclaimers run concurrently, so an answer remembered from an earlier call (any task\'s) says nothing about this one.');
    }
  }
  return pass();
}

/**
 * nested_calls_under_each_policy - count and scan called directly by a task
 * that holds struct_mutex (an outer frame), under each shrinker_policy: with
 * 'trylock' both must fail the trylock (count 0, scan SHRINK_STOP, nothing
 * released), whatever count said; compared with the reference.
 */
async function nested_calls_under_each_policy(impl: exercise_impl, ctx: check_context): Promise<check_outcome> {
  for (const p of POLICIES) {
    for (const wl of [DIRECT_EXAMPLES[2]!, { ...DIRECT_EXAMPLES[2]!, in_reclaim: false, lockdep: true, nr_to_scan: 12, comm: 'Xorg' }]) {
      const { result, value } = await with_policy(impl, p, () => run_direct_calls(wl, shrinker_of(impl)));
      const bad = first_report(result, BAD_REPORTS);
      if (bad) return fail(`${bad}\n  (policy ${policy_text(p)}; ${describe_direct_call_workload(wl)})${dmesg_tail(result)}`);
      if (!value) return fail(`the calls never returned: ${result.stop}`);
      const [count, scan] = [value.find((c) => c.fn === 'count'), value.find((c) => c.fn === 'scan')];
      const seen = { count: count?.ret ?? null, scan: scan?.ret ?? null, released: scan?.released ?? null };
      const differs = like_reference(ctx, { policy: p, wl }, seen);
      if (differs) {
        return fail(`with policy (${policy_text(p)}), called directly by a task holding struct_mutex (${describe_direct_call_workload(wl)}): count, scan and the pages scan released differ from the reference's: ${differs}. ` +
          'Every one of the three callbacks takes the lock the policy says: with \'trylock\' a task\'s own outer frame is just another holder.');
      }
    }
  }
  return pass();
}

/**
 * lock_taken_mid_scan - exercise 02's mid-scan race with this shrinker
 * (scenarios/mid_scan_race.ts): scan called for 24 pages with struct_mutex
 * free, and Xorg, on another CPU, taking the lock just before the call's
 * atomic op #nth on the owner word, for each of the first few ops. A scan
 * that holds the lock from its trylock to its unlock meets the race only
 * before the trylock; one that probes the lock and lets it go, leaving the
 * locking to i915_gem_shrink(), meets it between the two and must still say
 * SHRINK_STOP when it released nothing.
 */
async function lock_taken_mid_scan(impl: exercise_impl): Promise<check_outcome> {
  for (const nth of MID_SCAN_RACE_AT_OPS) {
    const s = shrinker_of(impl);
    const calls: shrinker_call[] = [];
    const { result, value } = await with_policy(impl, KERNEL_POLICY, () =>
      scan_with_lock_taken_at(s.scan, nth, { shrinker_ops: { ...s } }, (raced, i915, sc) => {
        const judged = judged_shrinker({ ...s, scan: raced });
        return judged.ops.scan!(i915, sc).finally(() => calls.push(...judged.calls));
      }));
    const where = `(struct_mutex free when scan was called for ${MID_SCAN_NR_TO_SCAN} pages; Xorg, on another CPU, takes it just before the call's atomic op #${nth} on the owner word)`;
    const bad = first_report(result, BAD_REPORTS);
    if (bad) return fail(`${bad}\n  ${where}${dmesg_tail(result)}`);
    if (!value) return fail(`the scan never returned: ${result.stop}\n  ${where}${dmesg_tail(result)}`);
    if (value.setup) return fail(value.setup);
    const c = calls.find((x) => x.fn === 'scan');
    if (!c) return fail(`scan was not called ${where}`);
    // Without the race, or when Xorg took the lock before the call looked, every rule of scan holds as it is.
    if (!value.took || c.lock === 'other') {
      const broken = first_violation([c], ['scan']);
      if (broken) return fail(`${broken}\n  ${where}`);
      continue;
    }
    if (c.ret !== SHRINK_STOP && c.released === 0) {
      return fail(`scan called by ${c.by} returned ${c.ret} and released nothing: ${value.held_before ? 'it took struct_mutex and let it go again, and ' : ''}` +
        `Xorg, on another CPU, took the lock just before the call's atomic op #${nth} on the owner word${value.held_before ? ', in the middle of the scan, before its walk' : ', before the scan got it'}. ` +
        'do_shrink_slab() counts every answer but SHRINK_STOP as nr_to_scan objects scanned, so the pressure on i915 is dropped instead of kept in nr_deferred. ' +
        'Hold struct_mutex from your trylock to your unlock, around both i915_gem_shrink() passes (they find it recursive, yours); if you cannot take it, say SHRINK_STOP.' +
        `\n  ${where}`);
    }
    if (c.ret !== SHRINK_STOP && c.ret !== c.released) {
      return fail(`scan returned ${c.ret} to ${c.by}, but the objects that lost their pages during the call hold ${c.released} pages: report what was released.\n  ${where}`);
    }
    if (c.lock_after === 'mine') return fail(`scan called by ${c.by} returned still holding struct_mutex: a lock taken must be released before returning.\n  ${where}`);
  }
  return pass();
}

/**
 * One call of count and then scan, directly, on a machine a workload names
 * by its size and uptime (boot params): lock 'free' or the caller's own
 * ('mine', an outer frame), the caller in direct reclaim; each call judged
 * by the rules of judged_shrinker. What the generated workloads cannot
 * reach: thousands of objects, and a machine up for minutes or weeks.
 */
interface machine_call_workload {
  objects: gem_object_spec[];
  lock: 'free' | 'mine';
  nr_to_scan: number;
  totalram_pages: number;
  uptime_secs: number;
  comm: string;
  /** Boot param first_pid: the tasks' pids start there (scenarios/desktop_pids.ts). Unset: from 1. */
  first_pid?: number;
  /** With lock 'mine': this many GEM clients queued on struct_mutex behind the caller (a convoy). Unset: none. */
  waiters?: number;
  /** The reclaiming allocation's gfp_mask (sc->gfp_mask). Unset: GFP_KERNEL. */
  gfp?: number;
  /** These objects (positions; bound kinds) are bound a second time, as in the GGTT and a context's ppgtt. Unset: none. */
  bound_twice?: number[];
}
const describe_machine_call = (wl: machine_call_workload): string =>
  `${describe_objects(wl.objects)}; count, then scan for ${wl.nr_to_scan} pages, called by "${wl.comm}" in direct reclaim with ` +
  `${wl.lock === 'mine' ? `struct_mutex held by the caller itself (an outer frame)${wl.waiters ? ` with ${wl.waiters} GEM clients queued on it (MUTEX_FLAG_WAITERS)` : ''}` : 'struct_mutex free'}; ${wl.totalram_pages} pages of RAM; ` +
  `the machine up for ${wl.uptime_secs} s${describe_first_pid(wl.first_pid)}${wl.gfp === undefined ? '' : `; sc->gfp_mask ${format_gfp(wl.gfp)}`}` +
  `${wl.bound_twice?.length ? `; object(s) [${wl.bound_twice.join(', ')}] bound twice (the GGTT and a context's ppgtt)` : ''}`;

/**
 * calls_on_machine - @wl's two calls, judged by the rules of @fns; with
 * @waits_only, only a call that slept or took time is judged (the check is
 * about waits: a wrong answer the check does not name fails elsewhere).
 */
async function calls_on_machine(impl: exercise_impl, wl: machine_call_workload, fns: readonly shrinker_call['fn'][], waits_only: boolean): Promise<check_outcome> {
  const s = shrinker_of(impl);
  const { ops, calls } = judged_shrinker(s);
  const { result, value } = await with_policy(impl, KERNEL_POLICY, () =>
    run_in_gem_world(
      { release: '4.12', shrinker_ops: { ...s } },
      async (w) => {
        const objs = await make_gem_objects(w.i915, wl.objects);
        for (const i of wl.bound_twice ?? []) await i915_gem_object_bind(objs[i]!);
        if (wl.lock === 'mine') await mutex_lock(w.i915.struct_mutex);
        if (wl.lock === 'mine' && wl.waiters) await queue_struct_mutex_waiters(w.i915, wl.waiters);
        const noreclaim = memalloc_noreclaim_save();
        const sc = { gfp_mask: wl.gfp ?? GFP_KERNEL, nr_to_scan: 0, nid: 0, memcg: null };
        await ops.count!(w.i915, sc);
        await ops.scan!(w.i915, { ...sc, nr_to_scan: wl.nr_to_scan });
        memalloc_noreclaim_restore(noreclaim);
        if (wl.lock === 'mine' && __mutex_owner(w.i915.struct_mutex) === current) mutex_unlock(w.i915.struct_mutex);
        return true;
      },
      undefined,
      { ...WORLD_PARAMS, totalram_pages: wl.totalram_pages, swap_pages: 64, uptime_secs: wl.uptime_secs, first_pid: wl.first_pid ?? 1 },
      wl.comm,
    ),
  );
  const broken = first_violation(waits_only ? calls.filter((c) => c.slept > 0 || c.stalled_jiffies > 0) : calls, fns);
  if (broken) return fail(`${violation_text(broken, calls)}\n  on the workload: ${describe_machine_call(wl)}.`);
  const bad = first_report(result, BAD_REPORTS);
  if (bad) return fail(`${bad}\n  on the workload: ${describe_machine_call(wl)}.${dmesg_tail(result)}`);
  if (!value) return fail(`the calls never returned: ${result.stop}\n  on the workload: ${describe_machine_call(wl)}.${dmesg_tail(result)}`);
  return pass();
}

/**
 * Gigabytes of buffers (red team 13's cap_count_early_return: a count that stopped at 2^20 pages, 4 GiB, and answered
 * from before its unlock passed every check, 13's biggest buffer holding 1300 pages): on a 64 GiB workstation, an 8 GiB
 * purgeable buffer (one object past 2^20 pages) and two 2 GiB ones (12 GiB releasable: past 2^32 bytes, past any cap
 * of 4 GiB), the lock free, then the caller's own. Count answers every releasable page and gives back the lock it
 * took; scan releases whole objects and reports them. (c5b78d4: a huge object's pages are held as blocks.)
 */
const HUGE_BUFFERS: gem_object_spec[] = [
  { kind: 'purgeable', pages: 2 ** 21 },
  { kind: 'needed', pages: 2 },
  { kind: 'bound-idle', pages: 2 ** 19 },
  { kind: 'purgeable', pages: 2 ** 19 },
];
const HUGE_BUFFER_CALLS: machine_call_workload[] = [
  { objects: HUGE_BUFFERS, lock: 'free', nr_to_scan: 128, totalram_pages: 2 ** 24, uptime_secs: 0, comm: 'glxgears' },
  { objects: HUGE_BUFFERS, lock: 'mine', nr_to_scan: 128, totalram_pages: 2 ** 24, uptime_secs: 0, comm: 'i915_ioctl' },
];

/**
 * A desktop's lists at scale (red team 10: a count that looks at the first
 * 1024 objects of each list passed every check; the largest machine had 130
 * objects): 1030 scanout and 1030 pinned boot buffers head the lists, the
 * releasable buffers come after them. Count must see them, scan release them.
 */
const LARGE_MACHINE_CALLS: machine_call_workload[] = [
  { objects: boot_order_machine(1030, 1030), lock: 'free', nr_to_scan: 32, totalram_pages: 4096, uptime_secs: 0, comm: 'Xorg' },
  // And the largest desktop 09's shrink_all meets (10000 scanout and 10000 pinned boot buffers, 20,042 objects; 09's
  // at_scale_ram): a count that looks at the first N objects of a list, for any N the 1030-buffer machine is past
  // (4096, say: red team 11's walk cap in 09), hides the releasable tail from reclaim.
  { objects: boot_order_machine(10_000, 10_000), lock: 'free', nr_to_scan: 32, totalram_pages: 26_077, uptime_secs: 0, comm: 'Xorg' },
  { objects: boot_order_machine(1030, 1030), lock: 'mine', nr_to_scan: 32, totalram_pages: 4096, uptime_secs: 0, comm: 'i915_ioctl' },
  // Big buffers (red team 10: a count that counts at most 1024 pages of any one object passed all; 13's biggest had 48): a 1080p
  // RGBA framebuffer is about 2025 pages, a 4K texture 8100. Here 1100 and 1300 pages, purgeable and idle.
  { objects: [{ kind: 'purgeable', pages: 1100 }, { kind: 'needed', pages: 2 }, { kind: 'bound-idle', pages: 1300 }], lock: 'free', nr_to_scan: 128, totalram_pages: 4096, uptime_secs: 0, comm: 'glxgears' },
  ...HUGE_BUFFER_CALLS,
];
/**
 * A machine up for ten minutes and one up for 49.7 days (jiffies past 2^32,
 * where a 64-bit v4.11 kernel's jiffies start anyway; red team 10: a wait kept
 * for "once the machine has been up a while" passed every check, which all
 * booted fresh), and one up 104 days, the longest the model's clock keeps
 * (scenarios/machine_ranges.ts UPTIME_MAX_SECS; an answer keyed to "up past
 * 50 days" met no machine): the rules of count and scan do not change with
 * the uptime.
 */
const LATE_UPTIME_CALLS: machine_call_workload[] = [...LATE_UPTIMES_SECS, UPTIME_MAX_SECS].flatMap((uptime_secs) =>
  (['free', 'mine'] as const).map((lock) => ({ objects: NEEDED_FIRST, lock, nr_to_scan: 6, totalram_pages: WORLD_PARAMS.totalram_pages, uptime_secs, comm: lock === 'mine' ? 'i915_ioctl' : 'glxgears' })),
);

/**
 * A desktop's pids (red team 11: a nested count that answers 0 for pids >= 300,
 * the starter's bug for every real GEM client, passed all: the model numbered
 * every task from 1): count and scan, lock free and the caller's own, with the
 * tasks numbered from a desktop's pid, a big server's, and the top of the
 * pid space (TOP_FIRST_PID: the last 256 pids below PID_MAX_LIMIT, 4194304;
 * an answer keyed to pids past 4000001 met none). The rules do not change
 * with the pid.
 */
const DESKTOP_PID_CALLS: machine_call_workload[] = [...DESKTOP_FIRST_PIDS, TOP_FIRST_PID].flatMap((first_pid) =>
  (['mine', 'free'] as const).map((lock) => ({ objects: NEEDED_FIRST, lock, nr_to_scan: 6, totalram_pages: WORLD_PARAMS.totalram_pages, uptime_secs: 0, comm: lock === 'mine' ? 'Xorg' : 'firefox', first_pid })),
);

/**
 * A convoy (red team 11: a lock that backed off when nested with two or more
 * tasks queued, so count said 0 and scan SHRINK_STOP to the lock holder's own
 * reclaim, passed all; every workload queued at most one waiter): the caller
 * holds struct_mutex and two, three or 64 GEM clients wait for it (64:
 * scenarios/machine_ranges.ts CONVOY_MAX; a back-off keyed to four or more
 * waiters met no convoy). The lists are the caller's under the lock it holds,
 * however many wait.
 */
const CONVOY_CALLS: machine_call_workload[] = [2, 3, CONVOY_MAX].map((waiters) => ({
  objects: NEEDED_FIRST, lock: 'mine' as const, nr_to_scan: 6, totalram_pages: WORLD_PARAMS.totalram_pages, uptime_secs: 0, comm: 'i915_ioctl', waiters,
}));

/**
 * Reclaim for masks no generated workload carries and buffers bound twice (red team 14: a count that answered 0 to
 * __GFP_NOFAIL, a scan that skipped its swap pass for __GFP_DMA32 and a count that skipped objects with bind_count > 1
 * all passed every check). v4.11's count and scan never read the gfp_mask, and unbind drops every binding of an idle
 * object (with full ppgtt most buffers are bound twice, in the GGTT and a context's address space).
 *
 * Reclaim for an allocation that must not fail (red team 14's nofail-hidden: a count that answered 0 to __GFP_NOFAIL
 * passed all, no workload's mask having it): jbd2's journal allocations are GFP_NOFS | __GFP_NOFAIL, a driver's
 * GFP_KERNEL | __GFP_NOFAIL; such a task loops in the allocator until reclaim finds pages. Also GFP_NOIO | __GFP_NOFAIL
 * (a block driver's). Count answers what is releasable whatever the mask: v4.11's count never reads it.
 */
const MASK_AND_BINDING_CALLS: machine_call_workload[] = [
  { objects: BOUND_AFTER_THE_PURGE, lock: 'free', nr_to_scan: 6, totalram_pages: WORLD_PARAMS.totalram_pages, uptime_secs: 0, comm: 'jbd2/sda1-8', gfp: GFP_NOFS | __GFP_NOFAIL },
  { objects: NEEDED_FIRST, lock: 'mine', nr_to_scan: 5, totalram_pages: WORLD_PARAMS.totalram_pages, uptime_secs: 0, comm: 'i915_ioctl', gfp: GFP_KERNEL | __GFP_NOFAIL },
  { objects: NEEDED_FIRST, lock: 'free', nr_to_scan: 5, totalram_pages: WORLD_PARAMS.totalram_pages, uptime_secs: 0, comm: 'kworker/u8:1', gfp: GFP_NOIO | __GFP_NOFAIL },
  // A 32-bit DMA device's allocation (GFP_DMA32: a driver's bounce buffer) and an ISA-DMA one (GFP_DMA): scan owes them both passes.
  { objects: BOUND_AFTER_THE_PURGE, lock: 'free', nr_to_scan: 6, totalram_pages: WORLD_PARAMS.totalram_pages, uptime_secs: 0, comm: 'Xorg', gfp: GFP_KERNEL | __GFP_DMA32 },
  { objects: NEEDED_FIRST, lock: 'mine', nr_to_scan: 8, totalram_pages: WORLD_PARAMS.totalram_pages, uptime_secs: 0, comm: 'i915_ioctl', gfp: GFP_KERNEL | __GFP_DMA },
  // Idle buffers bound twice, for count and for scan.
  { objects: [{ kind: 'bound-idle', pages: 4 }, { kind: 'purgeable', pages: 2 }, { kind: 'bound-needed', pages: 3 }, { kind: 'bound-idle', pages: 5 }], bound_twice: [0, 2, 3], lock: 'free', nr_to_scan: 12, totalram_pages: WORLD_PARAMS.totalram_pages, uptime_secs: 0, comm: 'glxgears' },
];

async function every_call_on(impl: exercise_impl, wls: readonly machine_call_workload[], fns: readonly shrinker_call['fn'][], waits_only: boolean): Promise<check_outcome> {
  for (const wl of wls) {
    const out = await calls_on_machine(impl, wl, fns, waits_only);
    if (!out.ok) return out;
  }
  return pass();
}

/** v4.11 i915_gem_shrinker_oom: i915_gem_shrinker_lock_uninterruptible(dev_priv, &slu, 5000), one budget for the GPU and the lock together. */
const OOM_WAIT_BUDGET_MS = 5000;
/**
 * The GPU busy for 4 s, then struct_mutex still held by another task until
 * 6 s (red team 10's notifier-two-deadlines: 5 s for the GPU, then a fresh 5 s
 * for the lock, passed every check): the notifier's one budget runs out at
 * 5 s, under oom_lock, whatever it was waiting for.
 */
const OOM_BUDGET_WORKLOAD: oom_workload = {
  objects: [{ kind: 'purgeable', pages: 4 }, { kind: 'bound-idle', pages: 3 }],
  busy_ms: 4000,
  swap: false,
  lockdep: true,
  comm: 'glxgears',
  other: 'Xorg',
  holder: 'other-long',
  gfp: 'GFP_KERNEL',
  beyond: 2,
  balloon: null,
  release: '4.12',
};

/**
 * The notifier on machines up ten minutes, 49.7 days and 104 days (red team 10: a notifier whose wait drops to 0
 * once the machine has been up ten minutes passed all; 104 days: UPTIME_MAX_SECS, past any "up more than 50 days"):
 * the GPU busy for a second, then i915's buffers are purged and nobody is OOM-killed, as on a fresh boot.
 */
const OOM_LATE_UPTIME: oom_workload[] = [...LATE_UPTIMES_SECS, UPTIME_MAX_SECS].map((uptime_secs) => ({
  objects: [{ kind: 'purgeable', pages: 6 }, { kind: 'bound-idle', pages: 4 }],
  busy_ms: 1000,
  swap: false,
  lockdep: uptime_secs === 601,
  comm: 'glxgears',
  other: 'Xorg',
  holder: 'none',
  gfp: 'GFP_KERNEL',
  beyond: 4,
  balloon: null,
  release: '4.12',
  uptime_secs,
}));

async function oom_at_late_uptime(impl: exercise_impl): Promise<check_outcome> {
  for (const wl of OOM_LATE_UPTIME) {
    const s = shrinker_of(impl);
    const { ops, calls } = judged_shrinker(s);
    const { result, value } = await with_policy(impl, KERNEL_POLICY, () => run_oom_workload(ops.oom!, wl, undefined, { count: s.count, scan: s.scan }));
    const broken = first_violation(calls, ['oom']);
    if (broken) return fail(`${violation_text(broken, calls)}\n  on the workload: ${describe_oom_workload(wl)}; the machine up for ${wl.uptime_secs} s.`);
    const bad = first_report(result, BAD_REPORTS);
    if (bad) {
      return fail(`${bad}\n  on the workload: ${describe_oom_workload(wl)}; the machine up for ${wl.uptime_secs} s. i915's buffers were busy for a second only: ` +
        'the notifier waits (bounded, 5 s) for the GPU, purges, and reports it, so the OOM killer stands down, at any uptime.' + dmesg_tail(result));
    }
    if (!value) return fail(`the allocation never ended: ${result.stop}\n  on the workload: ${describe_oom_workload(wl)}; the machine up for ${wl.uptime_secs} s.${dmesg_tail(result)}`);
  }
  return pass();
}

/**
 * The budget at CONFIG_HZ=250 (distributions' usual) and 100 too (red team 12: a deadline of jiffies + 5000 + 1, milliseconds
 * used as jiffies, passed every check, the model's HZ being 1000): 5 s is msecs_to_jiffies(5000) ticks at any HZ.
 */
const OOM_BUDGET_HZ = [1000, 250, 100] as const;

/**
 * A 32-bit kernel 297 s after boot, at HZ 1000 and 250 (red team 12's jiffies_compare_without_time_after): jiffies
 * starts at INITIAL_JIFFIES and wraps to 0 at 300 s, inside the notifier's 5 s wait. A deadline compared with a raw
 * `jiffies() > timeout` is then wrong (set before the wrap, never reached after it); time_after() compares the signed
 * difference and is right across it (include/linux/jiffies.h).
 */
const OOM_BUDGET_ACROSS_WRAP: readonly oom_workload[] = [
  { ...OOM_BUDGET_WORKLOAD, bits_per_long: 32, uptime_secs: 297 },
  { ...OOM_BUDGET_WORKLOAD, bits_per_long: 32, uptime_secs: 297, hz: 250 },
];

async function oom_wait_within_budget(impl: exercise_impl): Promise<check_outcome> {
  for (const hz of OOM_BUDGET_HZ) {
    const out = await oom_wait_within_budget_at(impl, hz === 1000 ? OOM_BUDGET_WORKLOAD : { ...OOM_BUDGET_WORKLOAD, hz });
    if (!out.ok) return out;
  }
  for (const wl of OOM_BUDGET_ACROSS_WRAP) {
    const out = await oom_wait_within_budget_at(impl, wl);
    if (!out.ok) return out;
  }
  return pass();
}

async function oom_wait_within_budget_at(impl: exercise_impl, wl: oom_workload): Promise<check_outcome> {
  const s = shrinker_of(impl);
  const { ops, calls } = judged_shrinker(s);
  const { result, value } = await with_policy(impl, KERNEL_POLICY, () => run_oom_workload(ops.oom!, wl, undefined, { count: s.count, scan: s.scan }));
  const broken = first_violation(calls, ['oom']);
  if (broken) return fail(`${violation_text(broken, calls)}\n  on the workload: ${describe_oom_workload(wl)}.`);
  const bad = first_report(result, BAD_ON_THE_OOM_PATH);
  if (bad) return fail(`${bad}\n  on the workload: ${describe_oom_workload(wl)}.${dmesg_tail(result)}`);
  if (!value) return fail(`the allocation never ended: ${result.stop}\n  on the workload: ${describe_oom_workload(wl)}.${dmesg_tail(result)}`);
  const stall = calls.filter((c) => c.fn === 'oom').reduce((n, c) => Math.max(n, c.stalled_jiffies), 0);
  // A tick of slack per wait: the reference leaves at the first tick past its deadline. The budget in this boot's jiffies.
  const hz = wl.hz ?? 1000;
  const budget = Math.ceil((OOM_WAIT_BUDGET_MS * hz) / 1000);
  if (stall > budget + 2) {
    return fail(`the OOM notifier waited ${stall} jiffies (${Math.round((stall * 1000) / hz)} ms at HZ=${hz}) inside out_of_memory(), holding oom_lock: v4.11 gives it one budget of ${OOM_WAIT_BUDGET_MS} ms ` +
      `(${budget} jiffies at HZ=${hz}: msecs_to_jiffies_timeout(5000); a deadline that adds milliseconds to jiffies lasts HZ/1000 times too long or short) ` +
      '(i915_gem_shrinker_lock_uninterruptible(dev_priv, &slu, 5000)) for the GPU to idle and struct_mutex to come free together, and gives up when it runs out ' +
      '("Unable to lock GPU to purge memory."). A second deadline for the lock after the first for the GPU doubles the time every other allocation in trouble ' +
      'waits behind oom_lock; and idle and locked must hold in the same iteration, or the GPU may be busy again when the lock comes.' +
      (wl.bits_per_long === 32
        ? ' On this 32-bit kernel jiffies wrapped to 0 during the wait: compare a deadline with time_after(jiffies, timeout), never with > ' +
          '(a deadline set just before the wrap is never reached by a raw compare after it; time_after() takes the signed difference).'
        : '') +
      `\n  on the workload: ${describe_oom_workload(wl)}.`);
  }
  return pass();
}

/** The thread's case, lockdep on and off: the ioctl holding struct_mutex allocates while the GPU scans out. */
async function holder_allocates(impl: exercise_impl): Promise<check_outcome> {
  for (const lockdep of [true, false]) {
    const out = await explore_declared(scenarios, `ex13-holder-allocates${lockdep ? '' : '-nolockdep'}`, impl);
    if (!out.ok) return fail(`${out.message}\n  (lockdep ${lockdep ? 'on' : 'off'})`);
  }
  return pass('no OOM kill, no report, every call by the rules, lockdep on and off');
}

/** The thread's case with this shrinker, every call judged, lockdep on or off. */
function holder_case(impl: exercise_impl, lockdep: boolean): scenario {
  const { ops, calls } = judged_shrinker(shrinker_of(impl));
  const sc = holder_allocates_under_pressure(`ex13-holder-allocates${lockdep ? '' : '-nolockdep'}`, ops);
  return { ...sc, params: { ...sc.params, lockdep }, check: () => first_violation(calls) };
}

/** Andrea's hang with this shrinker, every call judged, lockdep on or off. */
function hang_case(impl: exercise_impl, lockdep: boolean): scenario {
  const { ops, calls } = judged_shrinker(shrinker_of(impl));
  const sc = rcu_hang('4.12', true, { ops, lockdep });
  return { ...sc, check: () => first_violation(calls) };
}

/** Every run with the kernel's lock policy in the learner's module (restored after). */
const kernel_policy = (impl: exercise_impl) => <T>(body: () => Promise<T>): Promise<T> => with_policy(impl, KERNEL_POLICY, body);

/**
 * A client's pread (v4.11 i915_gem_pread_ioctl: i915_gem_object_pin_pages
 * under obj->mm.lock, never struct_mutex) starts or ends on the other CPU
 * while the notifier purges (scenarios/oom_notifier.ts pin_race_scenario):
 * what comes back is what i915_gem_shrink_all() returns, not what was
 * releasable when the notifier took the lock.
 */
const PIN_RACES: ReadonlyArray<{ id: string; wl: pin_race_workload }> = [
  { id: 'ex13-pread-ends', wl: { objects: [{ kind: 'purgeable', pages: 4 }, { kind: 'needed', pages: 6 }, { kind: 'bound-idle', pages: 3 }], read: 2, when: 'ends', holder: 'none', swap: true, lockdep: false, release: '4.12', comm: 'Xorg', other: 'glxgears' } },
  { id: 'ex13-pread-starts-nested', wl: { objects: [{ kind: 'needed', pages: 5 }, { kind: 'bound-needed', pages: 3 }, { kind: 'purgeable', pages: 4 }], read: 2, when: 'starts', holder: 'caller', swap: true, lockdep: true, release: '4.12', comm: 'i915_ioctl', other: 'i915_ioctl' } },
];
/**
 * On a v4.11 device the pread ends while i915_gem_shrink_all() waits for a
 * grace period after the purge (synchronize_rcu, 3d3d18f086cd), so the
 * notifier's walk of the lists finds that buffer releasable again: "still
 * pinned" counts only what cannot be released, and the pr_err after it says
 * on which list the releasable pages are ("B and U pages still available in
 * the bound and unbound GPU page lists."). One race reads a bound buffer and
 * one an unbound buffer, so each list's number is shown apart. Each runs once
 * as the kernel schedules it, with the notifier as written (v4.11's
 * shrink_all sleeps, which the v4.12 rules of judged_shrinker would refuse).
 */
const PIN_RACES_V4_11: readonly pin_race_workload[] = [
  {
    objects: [{ kind: 'purgeable', pages: 3 }, { kind: 'bound-idle', pages: 4 }, { kind: 'needed', pages: 2 }],
    read: 1,
    when: 'ends',
    holder: 'none',
    swap: false,
    lockdep: true,
    release: '4.11',
    comm: 'glxgears',
    other: 'Xorg',
  },
  {
    objects: [{ kind: 'bound-idle', pages: 2 }, { kind: 'purgeable', pages: 5 }, { kind: 'needed', pages: 3 }, { kind: 'scanout', pages: 1 }],
    read: 1,
    when: 'ends',
    holder: 'caller',
    swap: true,
    lockdep: false,
    release: '4.11',
    comm: 'Xorg',
    other: 'Xorg',
  },
];

/** pin_race_case - a pin race with this shrinker (its notifier, count and scan, every call judged): *freed grows by exactly the pages released. */
function pin_race_case(impl: exercise_impl, id: string, wl: pin_race_workload): scenario {
  const s = shrinker_of(impl);
  const { ops, calls } = judged_shrinker(s);
  const judge = (oom_calls: notifier_call[]): string | null => {
    for (const c of oom_calls) {
      const added = c.freed_after - c.freed_before;
      if (added !== c.released) {
        return `${c.who} released ${c.released} pages but added ${added} to *freed: a pread pinned or unpinned a buffer (obj->mm.lock, no struct_mutex) while the purge ran, ` +
          'so what was releasable when the notifier took the lock is not what came back. Add what i915_gem_shrink_all() returned.';
      }
    }
    return first_violation(calls, ['oom']);
  };
  return pin_race_scenario(id, ops.oom!, wl, judge, { count: s.count, scan: s.scan });
}

/** The pin races, each under every schedule with at most one preemption; then the v4.11 one, once as the kernel schedules it, its notifier lines against the reference's. */
async function pin_races(impl: exercise_impl, ctx: check_context): Promise<check_outcome> {
  for (const { id, wl } of PIN_RACES) {
    const out = await explore_declared(scenarios, id, impl);
    if (!out.ok) return fail(`${out.message}\n  on the workload: ${describe_pin_race(wl)}.`);
  }
  const s = shrinker_of(impl);
  for (const wl of PIN_RACES_V4_11) {
    const sc = pin_race_scenario('ex13-pread-ends-v4.11', s.oom, wl, (oom_calls) => {
      const c = oom_calls.find((x) => x.freed_after - x.freed_before !== x.released);
      return c ? `${c.who} released ${c.released} pages but added ${c.freed_after - c.freed_before} to *freed. Add what i915_gem_shrink_all() returned.` : null;
    }, { count: s.count, scan: s.scan });
    const result = await with_policy(impl, KERNEL_POLICY, () => start_kernel(sc.params ?? {}, () => sc.setup()));
    const wrong = sc.check?.(result) ?? first_report(result, BAD_ON_THE_OOM_PATH);
    if (wrong) return fail(`${wrong}\n  on the workload: ${describe_pin_race(wl)}.${dmesg_tail(result)}`);
    const report = like_reference(ctx, { pin_race_report: wl }, notifier_lines(result.dmesg), (ref, got) =>
      ref.length === got.length && ref.every((l, i) => l === got[i])
        ? null
        : `the notifier's lines in the kernel log differ from i915's on the workload: ${describe_pin_race(wl)}. The kernel prints:\n${ref.map((l) => `      ${l}`).join('\n') || '      (nothing)'}\n` +
          `    this code printed:\n${got.map((l) => `      ${l}`).join('\n') || '      (nothing)'}\n  "Pages still pinned" are the listed buffers with pages that cannot be released when the notifier looks, ` +
          'after the purge: a buffer whose pread ended meanwhile is releasable, not pinned; the pages still available are the releasable ones, counted on the list each buffer is on (bound first, then unbound).',
    );
    if (report) return fail(report);
  }
  return pass();
}

/** The scenarios this suite explores, declared once by id: the checks, `shrinker-lab replay` and the site's playground build them from here (course/scenario_registry.ts). */
export const scenarios = declare_scenarios('13-write-the-shrinker', [
  ...PIN_RACES.map(({ id, wl }) => ({
    id,
    title: `a pread races the purge with your notifier: ${describe_pin_race(wl)}`,
    build: (impl: exercise_impl) => ({ scenario: pin_race_case(impl, id, wl), options: { preemption_bound: 1 }, around: kernel_policy(impl) }),
  })),
  {
    id: 'ex13-holder-allocates',
    title: 'the thread\'s case with your shrinker: the ioctl holding struct_mutex allocates while the GPU scans out (lockdep on, default schedule)',
    build: (impl) => ({ scenario: holder_case(impl, true), options: { preemption_bound: 0 }, around: kernel_policy(impl) }),
  },
  {
    id: 'ex13-holder-allocates-nolockdep',
    title: 'the same with lockdep off',
    build: (impl) => ({ scenario: holder_case(impl, false), options: { preemption_bound: 0 }, around: kernel_policy(impl) }),
  },
  {
    id: 'rcu-hang-v4.12-ex13',
    title: 'Andrea\'s hang with your shrinker: the free worker waits for struct_mutex, no kworker can be created (lockdep on)',
    build: (impl) => ({ scenario: hang_case(impl, true), options: { preemption_bound: 1 }, around: kernel_policy(impl) }),
  },
  {
    id: 'rcu-hang-v4.12-ex13-nolockdep',
    title: 'the same with lockdep off',
    build: (impl) => ({ scenario: hang_case(impl, false), options: { preemption_bound: 1 }, around: kernel_policy(impl) }),
  },
  {
    id: 'ex13-waiter-queued',
    title: 'exercise 04\'s schedules with your shrinker: "Xorg" queues on struct_mutex (MUTEX_FLAG_WAITERS) while the ioctl holding it allocates under pressure, every schedule with at most one preemption',
    build: (impl) => ({ scenario: waiter_while_holder_allocates_with('ex13-waiter-queued', shrinker_of(impl), true), options: { preemption_bound: 1 }, around: kernel_policy(impl) }),
  },
  {
    id: 'ex13-handoff-pending',
    title: 'the same with MUTEX_FLAG_HANDOFF already pending: the ioctl dropped and retook struct_mutex with "Xorg" queued (v4.11\'s relocation slow path), so its reclaim sees "ioctl | WAITERS | HANDOFF"; every schedule with at most one preemption',
    build: (impl) => ({ scenario: handoff_pending_with('ex13-handoff-pending', shrinker_of(impl), true), options: { preemption_bound: 1 }, around: kernel_policy(impl) }),
  },
]);

/** Andrea's hang (scenarios/thread.ts rcu_hang) with this shrinker, under every schedule within the bound. */
async function andreas_hang(impl: exercise_impl): Promise<check_outcome> {
  for (const lockdep of [true, false]) {
    const out = await explore_declared(scenarios, `rcu-hang-v4.12-ex13${lockdep ? '' : '-nolockdep'}`, impl);
    if (!out.ok) return fail(`${out.message}\n  (Andrea's hang: the ioctl holds struct_mutex, the free worker waits for it, no kworker can be created; lockdep ${lockdep ? 'on' : 'off'})`);
  }
  return pass();
}

/** Reports an OOM-path run may not leave (an OOM kill is judged against the reference: with nothing releasable it is right). */
const BAD_ON_THE_OOM_PATH: readonly report_kind[] = BAD_REPORTS.filter((k) => k !== 'oom');

/**
 * Hand-picked OOM workloads (scenarios/oom_notifier.ts): the GPU busy for
 * 0.5 to 5 s (the notifier's budget is 5 s, for the GPU as for the lock), a
 * balloon notifier after i915's on the chain, and i915 holding no pages at
 * all (the early return).
 */
const OOM_EXAMPLES: oom_workload[] = [
  { objects: [{ kind: 'purgeable', pages: 6 }, { kind: 'bound-idle', pages: 4 }], busy_ms: 1000, swap: false, lockdep: false, comm: 'glxgears', other: 'Xorg', holder: 'none', gfp: 'GFP_KERNEL', beyond: 4, balloon: { pages: 3, first: false }, release: '4.12' },
  { objects: [], busy_ms: 0, swap: false, lockdep: true, comm: 'i915_ioctl', other: 'Xorg', holder: 'none', gfp: 'GFP_KERNEL', beyond: 2, balloon: null, release: '4.12' },
  { objects: [{ kind: 'needed', pages: 4 }, { kind: 'purgeable', pages: 3 }], busy_ms: 3200, swap: true, lockdep: true, comm: 'i915_ioctl', other: 'i915_ioctl', holder: 'caller-waiters', gfp: 'GFP_KERNEL', beyond: 3, balloon: { pages: 2, first: false }, release: '4.12' },
  // A fatal signal while the notifier waits (for a 3 s batch; for a lock another task holds for 6 s):
  // its wait is killable, so the victim leaves within a tick and can exit and free its memory.
  { objects: [{ kind: 'purgeable', pages: 6 }, { kind: 'bound-idle', pages: 4 }], busy_ms: 3000, swap: false, lockdep: true, comm: 'glxgears', other: 'Xorg', holder: 'none', gfp: 'GFP_KERNEL', beyond: 3, balloon: null, release: '4.12', sigkill_ms: 20 },
  { objects: [{ kind: 'purgeable', pages: 5 }], busy_ms: 0, swap: true, lockdep: false, comm: 'Xorg', other: 'Xorg', holder: 'other-long', gfp: 'GFP_NOFS', beyond: 2, balloon: { pages: 2, first: false }, release: '4.12', sigkill_ms: 35 },
  // Only one to three pages to give back: out_of_memory() stands down on any progress (the
  // allocation retries), so they are reported like any other; no threshold of "enough".
  { objects: [{ kind: 'purgeable', pages: 1 }, { kind: 'pinned', pages: 3 }], busy_ms: 600, swap: false, lockdep: false, comm: 'glxgears', other: 'Xorg', holder: 'none', gfp: 'GFP_KERNEL', beyond: 1, balloon: null, release: '4.12' },
  { objects: [{ kind: 'bound-idle', pages: 2 }, { kind: 'needed', pages: 1 }, { kind: 'scanout', pages: 2 }], busy_ms: 900, swap: true, lockdep: true, comm: 'i915_ioctl', other: 'kswapd0', holder: 'caller', gfp: 'GFP_KERNEL', beyond: 1, balloon: null, release: '4.12' },
  // A balloon notifier before i915's already reported pages: i915 still purges, and adds its own to the chain's sum.
  { objects: [{ kind: 'purgeable', pages: 4 }, { kind: 'needed', pages: 2 }], busy_ms: 700, swap: false, lockdep: true, comm: 'Xorg', other: 'glxgears', holder: 'none', gfp: 'GFP_KERNEL', beyond: 2, balloon: { pages: 3, first: true }, release: '4.12' },
  // A kernel thread and a kworker run out of memory (the OOM killer never picks a kernel thread: the kill would land on
  // firefox): the notifier owes them the same wait and purge; one kworker is i915's own, holding struct_mutex.
  { objects: [{ kind: 'purgeable', pages: 6 }, { kind: 'bound-idle', pages: 4 }], busy_ms: 800, swap: false, lockdep: true, comm: 'jbd2/sda1-8', other: 'Xorg', holder: 'none', gfp: 'GFP_KERNEL', beyond: 3, balloon: null, release: '4.12', caller: 'kthread' },
  { objects: [{ kind: 'bound-idle', pages: 5 }, { kind: 'purgeable', pages: 3 }], busy_ms: 600, swap: true, lockdep: false, comm: 'kworker/0:1', other: 'Xorg', holder: 'caller', gfp: 'GFP_KERNEL', beyond: 2, balloon: null, release: '4.12', caller: 'kworker' },
  // Another task holds struct_mutex for 6 s: the notifier gives up after its 5 s and says so.
  { objects: [{ kind: 'purgeable', pages: 4 }, { kind: 'pinned', pages: 2 }], busy_ms: 0, swap: false, lockdep: true, comm: 'glxgears', other: 'Xorg', holder: 'other-long', gfp: 'GFP_KERNEL', beyond: 2, balloon: null, release: '4.12' },
];

/**
 * The lines of i915's OOM notifier this exercise compares (i915_gem_shrinker_oom,
 * v4.11 and v4.12 alike): pr_info "Purging GPU memory, %lu pages freed, %lu
 * pages still pinned." when the purge freed pages or left releasable ones;
 * then pr_err "%lu and %lu pages still available in the bound and unbound GPU
 * page lists." (bound first) when it left releasable ones; and pr_err "Unable
 * to lock GPU to purge memory." when its 5 s ran out. Whoever reads an OOM
 * report reads these numbers.
 */
const notifier_lines = (dmesg: readonly string[]): string[] =>
  dmesg.map((l) => l.replace(/^\[[^\]]*\]\s*/, '')).filter((l) => /GPU memory|lock GPU|still available in the bound and unbound/.test(l));

/**
 * Generated OOM workloads with a long GPU batch (0.5-5 s) and the v4.12 machine, the allocating task a user task, a
 * kernel thread or a kworker (scenarios/reclaim_context.ts); the rest as exercise 05 draws it.
 */
const arb_long_batch_oom_workload = fc.tuple(arb_oom_workload(arb_gem_objects(0, 5, 6), ['none', 'caller', 'caller-handoff', 'other-briefly']), arb_caller_task).chain(([wl, caller]) =>
  fc.integer({ min: 500, max: 4900 }).map((busy_ms) => ({ ...wl, busy_ms, gfp: 'GFP_KERNEL' as const, release: '4.12' as const, ...(caller === 'user' ? {} : { caller }) })),
);

/**
 * oom_path_runs - the learner's notifier as out_of_memory() calls it, on
 * the OOM workloads: every call judged by the notifier's rules (pages
 * released under a running batch judged at the moment of release, the
 * return value, PF_MEMALLOC), and the OOM kills, the pages the task got and
 * how often the balloon after i915 ran compared with the reference.
 */
function oom_path_runs(impl: exercise_impl, ctx: check_context): Promise<check_outcome> {
  return for_each_workload(
    // Examples count toward the runs: every hand-picked workload, then two generated ones.
    { arbitrary: arb_long_batch_oom_workload, seed: 0x13c5, runs: OOM_EXAMPLES.length + 2, shrink_budget: 4, examples: OOM_EXAMPLES, describe: describe_oom_workload },
    async (wl) => {
      const s = shrinker_of(impl);
      const { ops, calls } = judged_shrinker(s);
      // The learner's count and scan on the device too: it must not carry the model's.
      const { result, value } = await with_policy(impl, KERNEL_POLICY, () => run_oom_workload(ops.oom!, wl, undefined, { count: s.count, scan: s.scan }));
      const broken = first_violation(calls, ['oom']);
      if (broken) return fail(violation_text(broken, calls));
      const bad = first_report(result, BAD_ON_THE_OOM_PATH);
      if (bad) return fail(`${bad}${dmesg_tail(result)}`);
      if (!value) return fail(`the allocation never ended: ${result.stop}${dmesg_tail(result)}`);
      if (!value.kept_lock) return fail('the task that held struct_mutex when it ran out of memory came back without it: the notifier released its outer frame\'s lock.');
      if (value.books) return fail(value.books);
      if (wl.sigkill_ms !== undefined && value.killed_at !== null) {
        // The killable wait, by rule: a fatal signal ends a killable sleep at once, so the notifier is back in the jiffy
        // the signal came, unless it was waiting for the GPU (v4.11's wait for idle is uninterruptible): then once the GPU is.
        const back_by = Math.max(value.killed_at, value.gpu_idle_at);
        const late_call = value.calls.find((c) => c.returned_at > back_by && c.returned_at - c.stalled_jiffies <= value.killed_at!);
        if (late_call) {
          return fail(`"${wl.comm}" got SIGKILL at jiffy ${value.killed_at}, ${wl.sigkill_ms} ms into the notifier's wait, ` +
            `${value.gpu_idle_at > value.killed_at ? `the GPU idle from jiffy ${value.gpu_idle_at}, ` : 'the GPU already idle, '}and the notifier returned at jiffy ${late_call.returned_at}: ` +
            'it slept on through the signal (a TASK_UNINTERRUPTIBLE tick, schedule_timeout_uninterruptible() or msleep(), where v4.11 sleeps with schedule_timeout_killable(1)). ' +
            'A killable sleep ends the moment SIGKILL arrives and fatal_signal_pending(current) sends the notifier home, so the chosen victim can exit and give its memory back; ' +
            'every tick slept through holds oom_lock while the system is out of memory.');
        }
      }
      if (wl.sigkill_ms !== undefined) {
        // The killable wait: with SIGKILL pending the notifier returns within a tick, as the reference's does.
        const stall = calls.filter((c) => c.fn === 'oom').reduce((n, c) => Math.max(n, c.stalled_jiffies), 0);
        const late = like_reference(ctx, { sigkill_stall: wl }, stall, (ref, got) =>
          got > ref + 2
            ? `"${wl.comm}" got SIGKILL ${wl.sigkill_ms} ms into the notifier's wait, and the notifier went on for ${got} jiffies where the reference's left after ${ref}: ` +
              'its wait is killable (schedule_timeout_killable, then fatal_signal_pending(current): give up), so the chosen victim can exit and give its memory back; ' +
              'a wait that ignores the signal holds oom_lock for seconds while the system is out of memory.'
            : null,
        );
        if (late) return fail(late);
      }
      const differs = like_reference(ctx, wl, { kills: value.kills.length, got: value.got, balloon_calls: value.balloon_calls, released: calls.reduce((n, c) => n + c.released, 0) });
      if (differs) {
        return fail(`on the OOM path the run differs from the reference notifier's (OOM kills, pages the task got, calls of the balloon notifier after i915's, pages i915 released): ${differs}`);
      }
      const report = like_reference(ctx, { oom_report: wl }, notifier_lines(result.dmesg), (ref, got) =>
        ref.length === got.length && ref.every((l, i) => l === got[i])
          ? null
          : 'the notifier\'s lines in the kernel log differ from i915\'s (i915_gem_shrinker_oom: "Purging GPU memory, N pages freed, M pages still pinned." when it freed anything, ' +
            '"B and U pages still available in the bound and unbound GPU page lists." when releasable pages are left, ' +
            `"Unable to lock GPU to purge memory." when its 5 s ran out). The kernel prints:\n${ref.map((l) => `      ${l}`).join('\n') || '      (nothing)'}\n` +
            `    this code printed:\n${got.map((l) => `      ${l}`).join('\n') || '      (nothing)'}\n  Whoever reads the OOM report reads these numbers: the pages freed, and the pages still pinned (with pages, not releasable).`,
      );
      return report ? fail(report) : pass();
    },
  );
}

/**
 * holder_allocates_on_the_oom_path - the notifier runs (under oom_lock)
 * while another task holds struct_mutex and is itself allocating: it must
 * not sleep on the lock (the holder waits for oom_lock); lockdep on and off.
 */
async function holder_allocates_on_the_oom_path(impl: exercise_impl, ctx: check_context): Promise<check_outcome> {
  for (const lockdep of [true, false]) {
    const { result, value, calls } = await with_policy(impl, KERNEL_POLICY, () => oom_when_holder_allocates(shrinker_of(impl), 'glxgears', lockdep));
    const where = `\n  ("Xorg" holds struct_mutex and allocates; "glxgears" runs out of memory first and calls the notifier under oom_lock; lockdep ${lockdep ? 'on' : 'off'})`;
    const broken = first_violation(calls, ['oom']);
    if (broken) return fail(`${violation_text(broken, calls)}${where}`);
    const bad = first_report(result, BAD_ON_THE_OOM_PATH);
    if (bad) {
      return fail(`${bad}${where}\n  The notifier slept on a struct_mutex whose holder is itself waiting for oom_lock, which the notifier's caller holds: an OOM deadlock. ` +
        `Wait for another holder only by polling, bounded (and killable).${dmesg_tail(result)}`);
    }
    if (!value) return fail(`the allocations never ended: ${result.stop}${where}${dmesg_tail(result)}`);
    const kills = result.reports.filter((r) => r.kind === 'oom').length;
    const differs = like_reference(ctx, { holder_allocates_oom: lockdep }, { ...value, kills });
    if (differs) return fail(`the run differs from the reference notifier's (pages Xorg and glxgears got, OOM kills): ${differs}${where}`);
  }
  return pass();
}

/** The free-path workloads: every path, the free worker in every state, kworker creation failing. */
const FREE_PATHS = ['direct', 'direct-recursive', 'kswapd', 'drop-caches', 'oom-notifier'] as const;

async function judged_free_path_run(impl: exercise_impl, ctx: check_context, wl: unlock_workload): Promise<check_outcome> {
  const { ops, calls } = judged_shrinker(shrinker_of(impl));
  const { result, value } = await with_policy(impl, KERNEL_POLICY, () => run_unlock_workload(wl, i915_gem_shrinker_unlock, {}, ops));
  const broken = first_violation(calls);
  if (broken) return fail(violation_text(broken, calls));
  const bad = first_report(result, BAD_REPORTS);
  if (bad) {
    const hint = bad.includes('is flushing !WQ_MEM_RECLAIM') ? '\n  The shrinker runs inside reclaim: it must not flush a !WQ_MEM_RECLAIM workqueue, nor wait for one any other way.' : '';
    return fail(`${bad}${hint}${dmesg_tail(result)}`);
  }
  if (!value) return fail(`"${wl.comm}" never got back from ${wl.path}: ${result.stop}. Something in the shrinker waits for work that needs a kworker or struct_mutex.${dmesg_tail(result)}`);
  if (value.never_freed > 0) return fail(`${value.never_freed} objects released before reclaim were never freed, even after a drain in process context.`);
  if (value.owner_at_end !== 'nobody') return fail(`when the path was done, struct_mutex was still held by ${value.owner_at_end}.`);
  if (value.books) return fail(value.books);
  const differs = like_reference(ctx, wl, { calls: calls.length });
  return differs ? fail(`reclaim called your shrinker a different number of times than the reference's (${differs}): one of your answers changed what reclaim did next.`) : pass();
}

/** The trade-off table: what each policy cost, on Chris's case. */
type tradeoff_row = { policy: string } & Exclude<Awaited<ReturnType<typeof tradeoff_workload>>, string>;

/**
 * Red team 4 #17: the device a check hands this code carries the model's own
 * shrinker lock and unlock (i915.shrinker_ops.lock/unlock: the kernel's
 * i915_gem_shrink() takes struct_mutex itself). Taking the lock is part of
 * this exercise (exercises/course.json forbids i915_gem_shrinker_lock and
 * _unlock by name), so a call of them that does not come from the model's own
 * shrinker code fails the check (kernel/.../i915_gem_shrinker.ts
 * model_arm_lock_slots).
 */
function refuse_the_model_lock(suite: check_suite): check_suite {
  return {
    ...suite,
    checks: suite.checks.map((c) => ({
      ...c,
      async run(impl: exercise_impl, ctx: check_context): Promise<check_outcome> {
        const disarm = model_arm_lock_slots();
        let outcome: check_outcome;
        let refused: string | null;
        try {
          outcome = await c.run(impl, ctx);
        } finally {
          refused = disarm();
        }
        return refused ? fail(refused) : outcome;
      },
    })),
  };
}

// ---------------------------------------------------------------------------
// The scenarios of exercises 06, 11 and 04 with this shrinker (scenarios/capstone_course.ts)

/**
 * 06's relocations: the execbuffer ioctl pins its batch before kmalloc (06's answer), memory at a
 * watermark, reclaim in the ioctl's own task calling this scan (RECURSIVE). The batch in every
 * state, another CPU allocating and the batch's other user unpinning inside the kmalloc, and the
 * buffer cache idle or still in use by the GPU: then scan must skip it (v4.11 i915_gem_shrink
 * without I915_SHRINK_ACTIVE) and only the OOM notifier, after waiting for the GPU, may take it.
 */
const arb_relocation = arb_relocation_workload(false);
const RELOCATION_EXAMPLES: relocation_workload[] = [
  DECISIVE_RELOCATION,
  { ...DECISIVE_RELOCATION, target: { state: 'unpinned', pages: 12 }, objects: [{ kind: 'needed', pages: 3 }, { kind: 'pinned', pages: 2 }], level: { mark: 'atomic-floor', delta: 0 }, cache_objects: 8, lockdep: false, comm: 'Xorg' },
  { ...DECISIVE_RELOCATION, target: { state: 'bound', pages: 4 }, level: { mark: 'atomic-floor', delta: 0 }, cache_objects: 7 },
  { ...DECISIVE_RELOCATION, target: { state: 'pinned-by-user', pages: 8 }, user_unpins_in_kmalloc: true, racing_allocator: true },
  { ...DECISIVE_RELOCATION, target: { state: 'no-pages', pages: 10 }, level: { mark: 'min', delta: 1 }, cache_objects: 4, comm: 'kswapd0' },
  // 06's busy cache: nothing scan may take, so the ioctl's own allocation reaches the OOM notifier, which waits for the GPU.
  { ...DECISIVE_RELOCATION, cache_objects: 3, cache_busy_jiffies: 20, lockdep: false, comm: 'glxgears' },
];

/** relocation_with_this_shrinker - one relocation workload of exercise 06 with this shrinker as i915's, judged and compared with the reference. */
async function relocation_with_this_shrinker(impl: exercise_impl, ctx: check_context, wl: relocation_workload): Promise<check_outcome> {
  const { ops, calls } = judged_shrinker(shrinker_of(impl));
  const { result, value } = await with_policy(impl, KERNEL_POLICY, () => run_relocation(wl, pinned_relocation, ops));
  const broken = first_violation(calls);
  if (broken) return fail(violation_text(broken, calls));
  const kasan = first_report(result, ['kasan']);
  if (kasan) {
    return fail(`${kasan}\n  The execbuffer ioctl pinned its batch (i915_gem_object_pin_pages) before its kmalloc, and reclaim, in the ioctl's own task, ` +
      'released the batch\'s pages all the same: the relocation then wrote through freed pages. A pin is how a driver path says "I am using these pages": ' +
      `scan may release only what can_release_pages() allows (pages_pin_count no higher than bind_count, no pinned binding), nested or not.${dmesg_tail(result)}`);
  }
  const bad = first_report(result, BAD_ON_THE_OOM_PATH);
  if (bad) return fail(`${bad}${dmesg_tail(result)}`);
  if (!value) return fail(`the execbuffer ioctl never finished its relocation: ${result.stop}${dmesg_tail(result)}`);
  // A batch with no pages gets them in the pin: its sg_table is new by design.
  if (value.ret === 0 && wl.target.state !== 'no-pages' && !value.same_pages) {
    return fail(`the batch's pages were replaced while the execbuffer ioctl held a pin on them (its sg_table changed across the kmalloc): scan released pages pinned beyond their bindings.`);
  }
  if (value.locks) return fail(value.locks);
  if (value.books) return fail(value.books);
  const released = calls.filter((c) => c.fn !== 'count').reduce((n, c) => n + c.released, 0);
  const kills = result.reports.filter((r) => r.kind === 'oom').length;
  const differs = like_reference(ctx, { relocation: wl }, { ret: value.ret, written: value.written, same_pages: value.same_pages, released, kills });
  return differs
    ? fail(`the relocation under pressure went otherwise than with the reference shrinker (what the relocation returned, entries written, the batch's pages kept, pages i915 released, OOM kills): ${differs}`)
    : pass();
}

/**
 * 11's history: a storm of GFP_NOFS reclaims, then GFP_KERNEL ones, through v4.11's do_shrink_slab; i915 beside a
 * filesystem's caches. A hand-picked storm with struct_mutex held by another GEM client during part of it.
 */
const DEFERRAL_EXAMPLES: deferral_workload[] = [
  { objects: [...Array<gem_object_spec>(20).fill({ kind: 'purgeable', pages: 24 }), { kind: 'needed', pages: 4 }], storm: 20, held_during: [], kernel_calls: 2, nr_scanned: 32, nr_eligible: 1024, fs_objects: 300, swap: false, task: 'user', comm: 'Xorg' },
  { objects: [...Array<gem_object_spec>(16).fill({ kind: 'purgeable', pages: 16 }), { kind: 'bound-idle', pages: 6 }], storm: 12, held_during: [2, 3, 4, 9], kernel_calls: 3, nr_scanned: 128, nr_eligible: 512, fs_objects: 120, swap: true, task: 'kworker', comm: 'kworker/u4:2' },
  { objects: [...Array<gem_object_spec>(12).fill({ kind: 'purgeable', pages: 32 }), { kind: 'pinned', pages: 8 }], storm: 6, held_during: [1], kernel_calls: 1, nr_scanned: 512, nr_eligible: 1024, fs_objects: 200, swap: false, task: 'kthread', comm: 'jbd2/sda1-8' },
];

async function deferral_with_this_shrinker(impl: exercise_impl, ctx: check_context, wl: deferral_workload): Promise<check_outcome> {
  const { result, value, calls } = await with_policy(impl, KERNEL_POLICY, () => run_deferral_history(wl, shrinker_of(impl)));
  const broken = first_violation(calls, ['count', 'scan']);
  if (broken) return fail(violation_text(broken, calls));
  const bad = first_report(result, BAD_REPORTS);
  if (bad) return fail(`${bad}${dmesg_tail(result)}`);
  if (!value) return fail(`the reclaim history did not finish: ${result.stop}${dmesg_tail(result)}`);
  const differs = like_reference(ctx, { deferral: wl }, value, (ref, got) => {
    const n = wl.storm + wl.kernel_calls;
    for (let i = 0; i < n; i++) {
      const what = i < wl.storm ? `GFP_NOFS reclaim #${i + 1}` : `GFP_KERNEL reclaim #${i - wl.storm + 1} (after the storm)`;
      if (ref.i915_released[i] !== got.i915_released[i] || ref.i915_deferred[i] !== got.i915_deferred[i]) {
        return `${what}: i915 released ${got.i915_released[i]} pages and its nr_deferred is now ${got.i915_deferred[i]}; with the reference shrinker, on the same pressure, ` +
          `${ref.i915_released[i]} pages and ${ref.i915_deferred[i]} deferred. do_shrink_slab() asks for work in proportion to the pressure and keeps in nr_deferred ` +
          'what scan could not do (SHRINK_STOP): an answer that says stop where it could work winds up the deferred work, which a later caller then evicts at once; ' +
          'one that says "done" without releasing drops it.';
      }
    }
    return JSON.stringify(ref) === JSON.stringify(got) ? null : `the filesystem's evictions or i915's scan calls differ: the reference gives ${JSON.stringify(ref)}, this code gives ${JSON.stringify(got)}`;
  });
  return differs ? fail(differs) : pass();
}

export default define_checks(refuse_the_model_lock(refuse_kernel_object_state({
  exercise: '13-write-the-shrinker',
  golden,
  exports: {
    i915_gem_shrinker_count: 'async function i915_gem_shrinker_count(i915, sc): Promise<number>',
    i915_gem_shrinker_scan: 'async function i915_gem_shrinker_scan(i915, sc): Promise<number>',
    i915_gem_shrinker_oom: 'async function i915_gem_shrinker_oom(i915, freed): Promise<number>',
  },
  checks: [
    {
      id: 'no-oom-when-holder-allocates',
      name: 'no bystander is OOM-killed when the GEM ioctl holding struct_mutex allocates under pressure (the thread\'s case, lockdep on and off)',
      run: (impl) => holder_allocates(impl),
    },
    {
      id: 'counts-what-reclaim-can-take',
      name: 'count reports exactly the releasable pages on every reclaim path, also to the task holding struct_mutex, never SHRINK_STOP, never a wait',
      run: async (impl, ctx) => {
        const direct = await direct_calls(impl, ctx, ['count'], 0x13a0, false);
        if (!direct.ok) return direct;
        return for_each_workload(
          {
            arbitrary: arb_struct_mutex_workload(['direct', 'direct-nofs', 'kswapd', 'drop-caches']),
            seed: 0x13a1,
            runs: 8,
            shrink_budget: SHRINK_BUDGET,
            examples: [
              decisive_workload('direct', 'reclaimer', 'waiters', true),
              decisive_workload('direct-nofs', 'reclaimer', 'handoff', false),
              decisive_workload('kswapd', 'other', 'none', false, 'kswapd0', 'kswapd0'),
              decisive_workload('drop-caches', 'nobody', 'none', true),
            ],
            describe,
          },
          (wl) => judged_struct_mutex_run(impl, ctx, wl, ['count'], false),
        ).then(async (generated) => {
          if (!generated.ok) return generated;
          // Then a desktop's lists at scale (after the workloads: a wrong answer they show keeps its message).
          const large = await every_call_on(impl, [...LARGE_MACHINE_CALLS, ...DESKTOP_PID_CALLS, ...CONVOY_CALLS, ...MASK_AND_BINDING_CALLS], ['count'], false);
          return large.ok ? generated : large;
        });
      },
    },
    {
      id: 'scans-without-waiting',
      name: 'scan releases about what reclaim asks, purgeable buffers first, says SHRINK_STOP when another task holds struct_mutex, and never sleeps, on every path',
      run: async (impl, ctx) => {
        const direct = await direct_calls(impl, ctx, ['count', 'scan'], 0x13b0, true);
        if (!direct.ok) return direct;
        const interleaved = await interleaved_runs(impl, ctx);
        if (!interleaved.ok) return interleaved;
        const generated = await for_each_workload(
          {
            arbitrary: arb_struct_mutex_workload(['direct', 'direct-nofs', 'kswapd', 'drop-caches']),
            seed: 0x13b2,
            runs: 10,
            shrink_budget: SHRINK_BUDGET,
            examples: [
              decisive_workload('direct', 'reclaimer', 'none', false),
              decisive_workload('kswapd', 'other', 'handoff', true, 'kswapd0', 'kswapd0'),
              decisive_workload('drop-caches', 'other', 'waiters', false, 'i915_ioctl', 'i915_ioctl'),
              decisive_workload('direct-nofs', 'nobody', 'none', true),
              { ...decisive_workload('drop-caches', 'nobody', 'none', false), swap: false },
            ],
            describe,
          },
          (wl) => judged_struct_mutex_run(impl, ctx, wl, ['count', 'scan'], true),
        );
        if (!generated.ok) return generated;
        // Then struct_mutex taken by another CPU in the middle of the scan (after the workloads: a wrong answer they show keeps its message).
        const raced = await lock_taken_mid_scan(impl);
        if (!raced.ok) return raced;
        // And with a desktop's pids, with a convoy queued on the caller's lock, and with gigabytes of buffers.
        const pids = await every_call_on(impl, [...DESKTOP_PID_CALLS, ...CONVOY_CALLS, ...HUGE_BUFFER_CALLS, ...MASK_AND_BINDING_CALLS], ['scan'], false);
        return pids.ok ? generated : pids;
      },
    },
    {
      id: 'notifier-purges-before-the-killer',
      name: 'the OOM notifier releases everything it can and reports it, waiting (bounded) only for a lock another task holds, so the OOM killer stands down',
      run: (impl, ctx) =>
        for_each_workload(
          {
            arbitrary: arb_struct_mutex_workload(['oom-notifier']),
            seed: 0x13c3,
            runs: 6,
            shrink_budget: SHRINK_BUDGET,
            examples: [
              decisive_workload('oom-notifier', 'reclaimer', 'handoff', false),
              decisive_workload('oom-notifier', 'other', 'waiters', true),
              decisive_workload('oom-notifier', 'nobody', 'none', false),
            ],
            describe,
          },
          (wl) => judged_struct_mutex_run(impl, ctx, wl, ['count', 'scan', 'oom'], true),
        ).then(async (first) => {
          if (!first.ok) return first;
          const busy = await oom_path_runs(impl, ctx);
          if (!busy.ok) return busy;
          const holder = await holder_allocates_on_the_oom_path(impl, ctx);
          if (!holder.ok) return holder;
          const races = await pin_races(impl, ctx);
          if (!races.ok) return races;
          // Then the one 5 s budget for the GPU and the lock together (after the workloads: a wrong answer they show keeps its message).
          const budget = await oom_wait_within_budget(impl);
          if (!budget.ok) return budget;
          const late = await oom_at_late_uptime(impl);
          return late.ok ? races : late;
        }),
    },
    {
      id: 'never-waits-on-the-free-path',
      name: 'never flushes, waits for RCU or hangs while objects are on their way to being freed, even when no kworker can be created (every path, every schedule of Andrea\'s hang)',
      async run(impl, ctx) {
        const hang = await andreas_hang(impl);
        if (!hang.ok) return hang;
        return for_each_workload(
          {
            arbitrary: arb_unlock_workload(FREE_PATHS),
            seed: 0x13d4,
            runs: 8,
            shrink_budget: SHRINK_BUDGET,
            examples: [
              { path: 'direct', free: 'worker-blocked', freed: 6, no_new_kworkers: true, handoff: true, below: 4, swap: false, lockdep: false, comm: 'Xorg' },
              { path: 'direct-recursive', free: 'callbacks-pending', freed: 12, no_new_kworkers: true, handoff: false, below: 3, swap: true, lockdep: true, comm: 'i915_ioctl' },
              { path: 'oom-notifier', free: 'queued-behind-busy', freed: 4, no_new_kworkers: false, handoff: false, below: 2, swap: false, lockdep: false, comm: 'kworker/0:1' },
              // A large backlog (80 objects in flight, the free work queued behind a busy item): no count of the backlog makes a flush from reclaim safe.
              { path: 'kswapd', free: 'queued-behind-busy', freed: 80, no_new_kworkers: false, handoff: false, below: 3, swap: false, lockdep: false, comm: 'kswapd0' },
            ],
            describe: describe_unlock_workload,
          },
          (wl) => judged_free_path_run(impl, ctx, wl),
        ).then(async (generated) => {
          if (!generated.ok) return generated;
          // Then count and scan on machines up for minutes and weeks (after the workloads: a wrong answer they show keeps its message).
          const late = await every_call_on(impl, LATE_UPTIME_CALLS, ['count', 'scan'], true);
          return late.ok ? generated : late;
        });
      },
    },
    {
      id: 'leaves-pinned-pages-alone',
      name: 'exercise 06\'s relocation under pressure with your shrinker: the execbuffer ioctl\'s pinned batch keeps its pages while its kmalloc reclaims in the same task, and the run goes as with the reference',
      run: (impl, ctx) =>
        for_each_workload(
          {
            arbitrary: arb_relocation,
            seed: 0x13e6,
            runs: RELOCATION_EXAMPLES.length + 4,
            shrink_budget: SHRINK_BUDGET,
            examples: RELOCATION_EXAMPLES,
            describe: describe_relocation_workload,
          },
          (wl) => relocation_with_this_shrinker(impl, ctx, wl),
        ),
    },
    {
      id: 'deferral-as-the-reference',
      name: 'exercise 11\'s GFP_NOFS storm, then GFP_KERNEL reclaim, through v4.11\'s do_shrink_slab: i915 releases and defers on each call what the reference does against the same pressure',
      run: (impl, ctx) =>
        for_each_workload(
          {
            arbitrary: arb_deferral_workload,
            seed: 0x13f1,
            runs: DEFERRAL_EXAMPLES.length + 4,
            shrink_budget: SHRINK_BUDGET,
            examples: DEFERRAL_EXAMPLES,
            describe: describe_deferral_workload,
          },
          (wl) => deferral_with_this_shrinker(impl, ctx, wl),
        ),
    },
    {
      id: 'sees-its-own-lock-behind-waiters',
      name: 'exercise 04\'s schedules with your shrinker: while another task queues on struct_mutex (MUTEX_FLAG_WAITERS, and MUTEX_FLAG_HANDOFF once it was woken and found the lock taken), count and scan in the holder\'s reclaim still find the lock their own; no OOM kill, no deadlock, in every schedule with at most one preemption',
      async run(impl) {
        for (const [id, flags] of [['ex13-waiter-queued', 'MUTEX_FLAG_WAITERS'], ['ex13-handoff-pending', 'MUTEX_FLAG_WAITERS | MUTEX_FLAG_HANDOFF']] as const) {
          const out = await explore_declared(scenarios, id, impl);
          if (out.ok) continue;
          const how = id === 'ex13-handoff-pending'
            ? '"Xorg" queued behind it; the ioctl dropped struct_mutex and took it back before Xorg ran (v4.11\'s relocation slow path), so Xorg woke to find it taken and asked for a handoff'
            : '"Xorg" wants the lock and queues behind it';
          return fail(`${out.message}\n  ("i915_ioctl" holds struct_mutex and allocates 40 pages under pressure; ${how}: the owner word is the ioctl\'s address | ${flags}. ` +
            'Only the owner\'s address, with the flag bits masked off (__mutex_owner(), ~MUTEX_FLAGS), says who holds the lock: ' +
            'a test that reads the raw owner word, or masks off only some flags, takes the ioctl for another holder, count says 0, and a bystander is OOM-killed.)');
        }
        return pass();
      },
    },
    {
      id: 'measures-the-tradeoffs',
      name: 'honours both policies of the thread (trylock or recursion; "freed" or SHRINK_STOP from a nested scan): each costs what it costs the reference on Chris\'s case',
      async run(impl, ctx) {
        if (!policy_of(impl)) {
          return fail('i915_gem_shrinker.ts must export shrinker_policy, an object { lock, nested_scan_returns } that your lock and scan read: ' +
            'the measuring harness (npx tsx scripts/measure_tradeoffs.ts) sets it to each policy in turn.');
        }
        const rows: tradeoff_row[] = [];
        for (const p of POLICIES) {
          const m = await with_policy(impl, p, () => tradeoff_workload(shrinker_of(impl)));
          if (typeof m === 'string') return fail(`with policy (${policy_text(p)}) the workload went wrong: ${m}`);
          rows.push({ policy: policy_text(p), ...m });
        }
        const differs = like_reference(ctx, 'tradeoff-table', rows, (ref, got) => {
          for (let i = 0; i < ref.length; i++) {
            const a = ref[i]!;
            const b = got[i];
            if (!b) return `no measurement for (${a.policy})`;
            for (const k of Object.keys(a) as (keyof tradeoff_row)[]) {
              if (a[k] !== b[k]) return `with (${a.policy}), ${k} is ${String(b[k])}; with the reference it is ${String(a[k])}`;
            }
          }
          return null;
        });
        if (!differs) {
          const nested = await nested_calls_under_each_policy(impl, ctx);
          if (!nested.ok) return nested;
        }
        if (differs) return fail(`${differs}. Each policy must do exactly what it says: 'trylock' takes struct_mutex with a plain mutex_trylock() everywhere (count, scan, the notifier), and 'SHRINK_STOP' changes only what a nested scan returns.`);
        return pass(rows.map((r) => `${r.policy}: ${r.oom_kills} OOM kill(s), ${r.stall_jiffies} jiffies stalled`).join('; '));
      },
    },
  ],
})));
