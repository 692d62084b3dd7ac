// The graded checks of exercise 12 (why lockdep missed the hang).
// Each check plugs your i915_synchronize_rcu_expedited() into the i915
// shrinker of one release (v4.10: waits after "unlock if we locked"; v4.11,
// c053b5a: waits only after a real unlock; v4.12: never waits) and takes a
// generated path into it: a GEM ioctl under struct_mutex, direct reclaim
// (GFP_KERNEL and GFP_NOFS; by a task holding nothing, kswapd not woken),
// kswapd, drop_caches, the OOM notifier, a caller holding an unrelated lock or
// one nested under struct_mutex; the free worker runs before the wait, after it, or
// during it, blocked on the ioctl's struct_mutex. Lockdep
// must report the hang's dependency in runs where nothing hangs, stay
// silent where nothing can, and the wait must still be the same wait. Every
// call is judged as it happens: the maps it takes and gives back, and no
// lock taken while it still holds the free worker's map (a false dependency).
import { define_checks, fail, pass, type exercise_impl } from '../course/checks';
import { refuse_kernel_object_state } from '../course/kernel_object_state';
import { dmesg_tail, first_report, once_scenario, run_in_gem_world } from '../course/check_helpers';
import { declare_scenarios } from '../course/scenario_registry';
import { ALL_FAILURE_KINDS } from '../explorer/scenario';
import { measure_call } from '../course/invariants';
import { fc, for_each_workload, like_reference } from '../course/workload';
import type { drm_i915_private } from '../kernel/drivers/gpu/drm/i915/i915_drv';
import { i915_gem_object_put } from '../kernel/drivers/gpu/drm/i915/i915_gem';
import { i915_gem_object_create, PAGE_SIZE } from '../kernel/drivers/gpu/drm/i915/i915_gem_object';
import type { run_result } from '../kernel/init/main';
import { model_lockdep_held_classes, model_observe_lock_acquire, type lockdep_map } from '../kernel/locking/lockdep';
import { mutex_lock, mutex_unlock } from '../kernel/locking/mutex';
import type { kernel_report } from '../kernel/panic';
import { rcu_barrier, rcu_exp_batches_completed, rcu_read_lock, rcu_read_unlock } from '../kernel/rcu/update';
import { cond_resched, current, model_schedule_point, msleep, sched_steps } from '../kernel/sched/core';
import { schedule_work } from '../kernel/workqueue';
import { user_task } from '../kernel/fork';
import { arb_comm } from '../scenarios/gem_workloads';
import {
  annotated_wait_parts,
  arb_wait_workload,
  describe_wait_workload,
  run_annotated_thread_hang,
  run_annotated_wait,
  with_wait_task,
  type annotated_wait,
  type annotated_wait_workload,
  type shrinker_shape,
  type wait_path,
} from '../scenarios/annotated_wait';
import { warm_up_workqueues, WORLD_PARAMS } from '../scenarios/i915_world';
import { DESKTOP_FIRST_PIDS } from '../scenarios/desktop_pids';
import { TOP_FIRST_PID } from '../scenarios/machine_ranges';
import type { caller_task } from '../scenarios/reclaim_context';
import golden from './12-why-lockdep-missed-the-hang.golden';

const STRUCT_MUTEX = '&dev->struct_mutex';
const FREE_WORK = '(&i915->mm.free_work)';

/** The lockdep reports that describe a deadlock between locks (or lock-like waits), as opposed to misuse. */
const DEPENDENCY_REPORTS = [
  'possible circular locking dependency detected',
  'possible irq lock inversion dependency detected',
  'RECLAIM_FS-safe -> RECLAIM_FS-unsafe lock order detected',
  'RECLAIM_FS-READ-safe -> RECLAIM_FS-READ-unsafe lock order detected',
];

/**
 * judged - the learner's wait, wrapped so that every call is checked: the
 * calling task's lockdep held-lock list must be the same after the call as
 * before it (an annotation takes and gives back; it leaves nothing held and
 * releases nothing it did not take). The first problem is kept.
 */
function judged(impl: exercise_impl): { wait: annotated_wait; problem: () => string | null } {
  const learner = impl.i915_synchronize_rcu_expedited as annotated_wait;
  let problem: string | null = null;
  const wait: annotated_wait = async (i915: drm_i915_private) => {
    const caller = current;
    const before = model_lockdep_held_classes(caller);
    const free_work_before = before.filter((n) => n === FREE_WORK).length;
    // Which maps the caller itself takes during the call (lockdep on or off; other tasks' are theirs).
    model_observe_lock_acquire((map, ip) => {
      if (problem || current !== caller) return;
      problem = acquisition_problem(i915, map, ip) ?? held_across_problem(map, free_work_before);
    });
    try {
      await learner(i915);
    } finally {
      model_observe_lock_acquire(null);
    }
    const after = model_lockdep_held_classes(caller);
    if (!problem && before.join('\u0000') !== after.join('\u0000')) {
      problem = `${current.comm} held [${before.join(', ')}] before i915_synchronize_rcu_expedited() and [${after.join(', ')}] after it: ` +
        'an annotation must give back every map it takes (lock_map_acquire is always paired with lock_map_release), and release only what it took.';
    }
  };
  return { wait, problem: () => problem };
}

/**
 * held_across_problem - what a reviewer says when the caller takes @map while
 * still holding the free worker's map it took inside this call (lockdep's
 * held-lock list; with lockdep off nothing is recorded, so nothing is wrong),
 * or null. v4.11 flush_work() (kernel/workqueue.c) takes and releases
 * work->lockdep_map before it sleeps; only process_one_work() holds it, for
 * as long as the work function runs. Held across the wait, every lock the
 * wait takes in this task (exp_funnel_lock()'s rsp->exp_mutex) is recorded as
 * taken inside the free worker: "(&i915->mm.free_work) -> &rsp->exp_mutex", a
 * dependency that does not exist, from which lockdep reports loops that
 * cannot happen, and after whose first report it stops checking anything.
 */
function held_across_problem(map: lockdep_map, free_work_before: number): string | null {
  if (map.name === FREE_WORK) return null;
  const held = model_lockdep_held_classes(current).filter((n) => n === FREE_WORK).length;
  if (held <= free_work_before) return null;
  return `${current.comm} took ${map.name} inside i915_synchronize_rcu_expedited() while still holding ${FREE_WORK}, which it had acquired in the same call: ` +
    `lockdep records "${FREE_WORK} -> ${map.name}", as if the free worker took ${map.name}, a dependency that does not exist and from which lockdep ` +
    'reports loops that cannot happen (and after its first report it checks nothing more). flush_work() takes and releases the work\'s map before it waits ' +
    '(lock_map_acquire(&work->lockdep_map); lock_map_release(&work->lockdep_map)); only process_one_work() holds it, while the work function runs.';
}

/**
 * acquisition_problem - what a reviewer says of the caller taking @map at @ip
 * inside the wait, or null. Two rules, each a kernel fact:
 * - a map named like the free worker's must BE the free worker's: lockdep
 *   tells classes apart by lock_class_key (the static key of the map's init
 *   site, INIT_WORK's for work->lockdep_map), not by name. A map of one's own
 *   is another class, and process_one_work() never holds it, so nothing ever
 *   records "(that map) -> struct_mutex" and no loop closes;
 * - no flush inside the wait: flush_work() really waits for the free worker
 *   (which waits for struct_mutex), and from reclaim check_flush_dependency()
 *   forbids flushing a !WQ_MEM_RECLAIM workqueue. An annotation only takes
 *   and releases the map.
 */
function acquisition_problem(i915: drm_i915_private, map: lockdep_map, ip: string): string | null {
  if (ip.startsWith('flush_')) {
    return `${current.comm} called ${ip}() inside i915_synchronize_rcu_expedited(): a flush really waits for the work (the free worker waits for struct_mutex), ` +
      'and from reclaim check_flush_dependency() forbids flushing a !WQ_MEM_RECLAIM workqueue (Andrea\'s 2/5). Whether it returns at once depends on ' +
      'whether the work is queued at that instant; the annotation must be a lock_map_acquire()/lock_map_release() of the work\'s own map, which never waits.';
  }
  if (map.name === FREE_WORK && map !== i915.mm.free_work.lockdep_map) {
    return `${current.comm} acquired a lockdep map named "${FREE_WORK}" that is not i915->mm.free_work.lockdep_map: in the kernel a class is its ` +
      'lock_class_key (the static key of INIT_WORK\'s call site), not its name, so a map of your own is another class. process_one_work() holds the ' +
      'work\'s own map while the free worker takes struct_mutex; only that map closes the loop. (The model names classes by string; the kernel does not.)';
  }
  return null;
}

/** A report that must not happen in these runs: anything that shows a hang, a crash, or misuse. */
const bad_report = (r: run_result): string | null => first_report(r, ['deadlock', 'hung_task', 'bug', 'warn', 'kasan', 'forgotten_await', 'step_limit', 'oom']);

/** Does @rep name both classes of the hang's loop? */
const names_the_loop = (rep: kernel_report): boolean => {
  const text = rep.lines.join('\n');
  return text.includes(STRUCT_MUTEX) && text.includes(FREE_WORK);
};

/**
 * judge_report - the run must contain lockdep's report of the dependency
 * the hang runs through (struct_mutex and the free worker), as its first
 * lockdep report, and no hang or crash.
 */
function judge_report(result: run_result, held_problem: string | null, what: string): string | null {
  const bad = bad_report(result);
  if (bad && (bad.startsWith('hung_task') || bad.startsWith('deadlock'))) {
    return `${bad}: nothing in these runs has to hang (kworkers can be created), so the call waited for something that needs a lock its caller holds, ` +
      `such as a real flush of the free worker under struct_mutex. An annotation takes and releases a map; it never waits.${dmesg_tail(result)}`;
  }
  if (bad) return `${bad}${dmesg_tail(result)}`;
  if (held_problem) return held_problem;
  const rep = result.reports.find((r) => r.kind === 'lockdep');
  if (!rep) {
    return `lockdep said nothing, although ${what}. Lockdep sees locks, not waits: a wait for a work item is invisible to it unless annotated ` +
      'the way flush_work() annotates its own (a write acquisition of the map that process_one_work() holds while the work runs).';
  }
  if (!DEPENDENCY_REPORTS.includes(rep.title)) {
    return `lockdep's first report was "${rep.title}": not the loop the hang runs through (${STRUCT_MUTEX} and the free worker ${FREE_WORK}), ` +
      'but one the annotation itself caused (a map released that was not held, a lock\'s own map standing for a wait it does not take). ' +
      `After its first report lockdep turns itself off, so this one hides everything after it.${dmesg_tail(result, 30)}`;
  }
  if (!names_the_loop(rep)) {
    return `lockdep's first report was "${rep.title}", but it must show the dependency the hang runs through: ${STRUCT_MUTEX} and the free worker ${FREE_WORK}. ` +
      `An annotation that names another map tells lockdep about a dependency that is not there (or not the one that matters).${dmesg_tail(result, 30)}`;
  }
  return null;
}

const shape_words: Record<shrinker_shape, string> = {
  '4.10': 'the v4.10 shrinker (waits after "unlock if we locked")',
  '4.11': 'the v4.11 shrinker (c053b5a: waits only after a real unlock)',
  '4.12': 'the v4.12 shrinker (never waits)',
};

/** The v4.10 shrinker waits under struct_mutex on every path: the scan's frame holds it when i915_gem_shrink waits. */
const UNDER_LOCK_PATHS: readonly wait_path[] = ['ioctl', 'direct-reclaim', 'direct-nofs', 'kswapd', 'drop-caches', 'oom-notifier'];
/**
 * A hand-picked workload: @path taken by @comm, a task of kind @task (a user process by default; a kernel thread or a
 * kworker where the path allows it: any task allocates, recurses into reclaim or calls i915_gem_shrink()).
 */
const wl = (path: wait_path, worker: annotated_wait_workload['worker'], comm = 'i915_ioctl', task: caller_task = 'user'): annotated_wait_workload =>
  with_wait_task({ path, worker, comm, objects: [], swap: false, lockdep: true }, task);

/**
 * What a reviewer adds when the waiting task was a kernel thread or a
 * kworker: what the wait depends on does not change with the kind of task.
 */
function kind_words(task: caller_task | undefined): string {
  if (!task || task === 'user') return '';
  return `; and the waiting task was ${task === 'kworker' ? 'a kworker (PF_WQ_WORKER): process_one_work()\'s maps describe the work item it runs, not what this wait ' +
    'waits for, so they record nothing about the free worker' : 'a kernel thread (PF_KTHREAD)'}: a wait for the expedited grace period depends on the ` +
    'free worker whoever waits, and an annotation skipped for some kinds of task leaves their half of the loop unrecorded';
}

/** A silent case: a shrinker shape and a path on which nothing waits under struct_mutex or in reclaim. */
interface silent_workload extends annotated_wait_workload {
  shape: shrinker_shape;
}
const SILENT_CASES: ReadonlyArray<[shrinker_shape, wait_path]> = [
  ['4.12', 'ioctl'],
  ['4.12', 'direct-reclaim'],
  ['4.12', 'direct-nofs'],
  ['4.12', 'kswapd'],
  ['4.12', 'drop-caches'],
  ['4.12', 'oom-notifier'],
  ['4.11', 'ioctl'],
  ['4.11', 'drop-caches'],
  ['4.11', 'oom-notifier'],
  ['4.11', 'unrelated-lock'],
  ['4.10', 'unrelated-lock'],
];
const arb_silent: fc.Arbitrary<silent_workload> = fc
  .tuple(fc.constantFrom(...SILENT_CASES), arb_wait_workload(['ioctl']))
  .map(([[shape, path], w]) => ({ ...with_wait_task({ ...w, path }, w.task ?? 'user'), shape }));

/** A call of the wait on its own: a reader on the other CPU, maybe a GEM ioctl holding struct_mutex while the free worker waits for it. */
interface wait_workload {
  reader_steps: number;
  /** 0: nobody holds struct_mutex; else another task holds it this many ms while the free worker is blocked on it. */
  holder_ms: number;
  comm: string;
  lockdep: boolean;
  /** The free work is queued on system_wq (not yet picked up by a kworker) when the call begins. */
  free_work_queued: boolean;
}

/** What reports-the-wait-under-struct-mutex says the v4.10 shrinker's wait depends on (its first workload's words). */
const UNDER_STRUCT_MUTEX_WHAT = 'this shrinker waited for the expedited grace period while struct_mutex was held, ' +
  'and the grace period is driven by work on system_wq, which can sit behind the free worker blocked on struct_mutex';

/** reports-the-wait-under-struct-mutex's first workload: a GEM ioctl shrinks under struct_mutex, the free worker runs after the wait. */
const IOCTL_AFTER = wl('ioctl', 'after');

/**
 * The scenarios the playground steps (course/scenario_registry.ts). Here the
 * starter fails by saying nothing: lockdep's report is what the solution
 * must produce, so it is not counted as a failure (fail_on leaves it out)
 * and the run fails, as the check does, when the report is missing or wrong.
 */
export const scenarios = declare_scenarios('12-why-lockdep-missed-the-hang', [
  {
    id: 'ex12-ioctl-waits-under-struct-mutex',
    title: `reports-the-wait-under-struct-mutex's first workload: ${shape_words['4.10']}; ${describe_wait_workload(IOCTL_AFTER)}`,
    goal: 'Win when the run ends with lockdep silent although the shrinker waited for the grace period under struct_mutex: the hang\'s dependency is there in every run, hang or no hang. Then see the solution\'s annotation make lockdep print the struct_mutex / free-worker loop, with no hang.',
    build: (impl) => ({
      scenario: once_scenario(
        'ex12-ioctl-waits-under-struct-mutex',
        () => {
          const j = judged(impl);
          return { ...annotated_wait_parts(IOCTL_AFTER, '4.10', j.wait), problem: j.problem };
        },
        (result, _value, parts) => judge_report(result, parts.problem(), UNDER_STRUCT_MUTEX_WHAT),
      ),
      options: { fail_on: ALL_FAILURE_KINDS.filter((k) => k !== 'lockdep') },
    }),
  },
]);

export default define_checks(refuse_kernel_object_state({
  exercise: '12-why-lockdep-missed-the-hang',
  exports: { i915_synchronize_rcu_expedited: 'async function i915_synchronize_rcu_expedited(i915): Promise<void>' },
  golden,
  checks: [
    {
      id: 'reports-the-wait-under-struct-mutex',
      name: 'with the v4.10 shrinker, lockdep reports the struct_mutex / free-worker dependency in runs where nothing hangs, on every path, whether the free worker ran before or after the wait',
      run: (impl) =>
        for_each_workload(
          {
            arbitrary: arb_wait_workload(UNDER_LOCK_PATHS),
            seed: 0x1201,
            generated: 6,
            examples: [
              IOCTL_AFTER, // the playground's ex12-ioctl-waits-under-struct-mutex
              wl('ioctl', 'during', 'Xorg'),
              // i915's retire worker (a kworker) allocates under struct_mutex; a kernel thread's allocation reaches the OOM notifier.
              wl('direct-reclaim', 'first', 'glxgears', 'kworker'),
              wl('kswapd', 'after'),
              wl('oom-notifier', 'after', 'gpu_wait', 'kthread'),
              // A desktop's pids (red team 11: an annotation only for pids below 300 passed all, every task numbered from 1), and the
              // top of the pid space (scenarios/machine_ranges.ts TOP_FIRST_PID: the last 256 below PID_MAX_LIMIT; an annotation
              // only up to pid 4000001 met no task past it).
              ...[...DESKTOP_FIRST_PIDS, TOP_FIRST_PID].map((first_pid) => ({ ...IOCTL_AFTER, comm: 'Xorg', first_pid })),
            ],
            describe: (w) => `${shape_words['4.10']}; ${describe_wait_workload(w)}`,
          },
          async (w) => {
            const j = judged(impl);
            const { result } = await run_annotated_wait(w, '4.10', j.wait);
            const problem = judge_report(result, j.problem(), `${UNDER_STRUCT_MUTEX_WHAT}${kind_words(w.task)}`);
            return problem ? fail(problem) : pass();
          },
        ),
    },
    {
      id: 'reports-the-wait-in-reclaim',
      name: 'with the v4.11 shrinker (c053b5a), lockdep still reports the wait that reclaim makes after a real unlock (kswapd, or direct reclaim by any task), and a wait under a lock that is also taken under struct_mutex',
      run: (impl) =>
        for_each_workload(
          {
            arbitrary: arb_wait_workload(['kswapd', 'direct-reclaim', 'direct-only', 'nested-lock']),
            seed: 0x1202,
            generated: 3,
            examples: [
              wl('kswapd', 'first', 'gpu_wait'),
              wl('kswapd', 'after', 'kswapd0'),
              // A task holding nothing reclaims directly, kswapd not woken: an annotation keyed to kswapd misses it.
              wl('direct-only', 'first', 'firefox'),
              // The same from a kworker (writeback allocating under pressure): its wait depends on the free worker like anyone's.
              wl('direct-only', 'after', 'kworker/u4:2', 'kworker'),
              // A wait under a lock taken elsewhere under struct_mutex: a loop, though the waiter neither holds struct_mutex nor reclaims.
              wl('nested-lock', 'first', 'Xorg'),
              // Direct reclaim by a desktop client with a desktop's pid, and with one of the top pids.
              { ...wl('direct-only', 'first', 'firefox'), first_pid: DESKTOP_FIRST_PIDS[0] },
              { ...wl('direct-only', 'first', 'firefox'), first_pid: TOP_FIRST_PID },
            ],
            describe: (w) => `${shape_words['4.11']}; ${describe_wait_workload(w)}`,
          },
          async (w) => {
            const j = judged(impl);
            const { result } = await run_annotated_wait(w, '4.11', j.wait);
            const problem = judge_report(result, j.problem(), w.path === 'nested-lock'
              ? 'the task waited for the grace period holding pps_mutex, which another path took under struct_mutex: free worker -> struct_mutex -> ' +
                'pps_mutex -> this wait for the free worker is a loop, although this task neither holds struct_mutex nor reclaims. An annotation tells lockdep ' +
                'what the wait depends on and lets lockdep decide which held lock closes a loop: one keyed to struct_mutex or reclaim cannot show it'
              : `${w.path === 'kswapd' ? 'kswapd' : w.task === 'kworker' ? 'a kworker\'s direct reclaim' : `"${w.comm}"'s direct reclaim`} waited for the grace period in reclaim, and the free worker it may sit behind ` +
              'takes struct_mutex, which a GEM ioctl holds across GFP_KERNEL allocations (Andrea: calling it from reclaim is "not legal"). The dependency ' +
              `is there whoever holds struct_mutex at the moment of the wait: an annotation that depends on this run's lock state cannot show it${kind_words(w.task)}`);
            return problem ? fail(problem) : pass();
          },
        ),
    },
    {
      id: 'reports-before-the-hang',
      name: 'in the thread\'s own hang (no kworker can be created), lockdep reports the dependency before the task hangs',
      run: (impl) =>
        for_each_workload(
          {
            arbitrary: arb_comm,
            seed: 0x1203,
            generated: 1,
            examples: ['i915_ioctl', 'Xorg'],
            describe: (comm) => `the thread's hang: "${comm}" holds struct_mutex, frees a buffer, allocates under pressure; reclaim recurses into the v4.10 shrinker; no kworker can be created`,
          },
          async (comm) => {
            const j = judged(impl);
            const { result } = await run_annotated_thread_hang(j.wait, comm);
            const first = result.reports[0];
            if (!first) return fail(`the run did not hang and reported nothing: the scenario expects the thread's hang.${dmesg_tail(result)}`);
            if (j.problem()) return fail(j.problem()!);
            if (!result.reports.some((r) => r.kind === 'lockdep')) {
              return fail(`lockdep said nothing, and the task hung (${first.kind}: "${first.title}"): this is Andrea's run, "I didn't get any lockdep warning". ` +
                'The wait must tell lockdep what it depends on before it sleeps.' + dmesg_tail(result, 12));
            }
            if (first.kind === 'lockdep' && (!DEPENDENCY_REPORTS.includes(first.title) || !names_the_loop(first))) {
              return fail(`lockdep's first report was "${first.title}", which does not show the loop this task hangs in (${STRUCT_MUTEX} and the free worker ` +
                `${FREE_WORK}); lockdep then turns itself off.` + dmesg_tail(result, 12));
            }
            if (first.kind !== 'lockdep') {
              return fail(`the first report was ${first.kind}: "${first.title}", and lockdep spoke only after it. The point of the annotation is that lockdep prints ` +
                'the loop before the wait begins: a wait that never ends never reaches code after it. Annotate before waiting, as flush_work() does.' + dmesg_tail(result, 12));
            }
            return pass();
          },
        ),
    },
    {
      id: 'silent-when-nothing-waits-under-the-lock',
      name: 'lockdep stays silent where the wait is legitimate or absent (v4.12 on every path, v4.11 outside reclaim, a caller holding an unrelated lock), and every lock is given back',
      run: (impl) =>
        for_each_workload(
          {
            arbitrary: arb_silent,
            seed: 0x1204,
            generated: 7,
            examples: SILENT_CASES.filter(([s]) => s !== '4.12').map(([shape, path], i) => ({
              ...wl(path, i % 2 ? 'first' : 'after', i % 2 ? 'Xorg' : 'i915_ioctl', (['kworker', 'user', 'kthread'] as const)[i % 3]),
              shape,
            })),
            describe: (w) => `${shape_words[w.shape]}; ${describe_wait_workload(w)}`,
          },
          async (w) => {
            const j = judged(impl);
            const { result, value } = await run_annotated_wait(w, w.shape, j.wait);
            if (j.problem()) return fail(j.problem()!);
            const rep = result.reports[0];
            if (rep) return fail(`${rep.kind}: ${rep.title}: nothing here waits under struct_mutex or in reclaim, so nothing may be reported.${dmesg_tail(result, 30)}`);
            if (value?.held_at_end.length) return fail(`the task ended holding [${value.held_at_end.join(', ')}]: an annotation must give back what it takes.`);
            return pass();
          },
        ),
    },
    {
      id: 'still-waits-for-the-grace-period',
      name: 'still waits for a full expedited grace period (one has run, and readers that began before it have finished), and for nothing else, lockdep on or off',
      run: (impl, ctx) =>
        for_each_workload(
          {
            arbitrary: fc.record({
              reader_steps: fc.integer({ min: 0, max: 400 }),
              holder_ms: fc.constantFrom(0, 0, 30, 200),
              comm: arb_comm,
              lockdep: fc.boolean(),
              free_work_queued: fc.boolean(),
            }),
            seed: 0x1205,
            generated: 6,
            examples: [
              { reader_steps: 300, holder_ms: 0, comm: 'i915_ioctl', lockdep: false, free_work_queued: false },
              { reader_steps: 120, holder_ms: 200, comm: 'kswapd0', lockdep: true, free_work_queued: false },
              // The free work is pending at the call: a wait that polls or flushes it first shows here, lockdep on or off.
              { reader_steps: 0, holder_ms: 0, comm: 'kswapd0', lockdep: false, free_work_queued: true },
              { reader_steps: 60, holder_ms: 0, comm: 'Xorg', lockdep: true, free_work_queued: true },
            ],
            describe: (w: wait_workload) => `"${w.comm}" calls i915_synchronize_rcu_expedited() while a reader on CPU 1 runs ${w.reader_steps} steps in a read-side section` +
              (w.holder_ms ? `, and a GEM ioctl holds struct_mutex for ${w.holder_ms} ms with the free worker blocked on it` : '') +
              (w.free_work_queued ? ', with the free work queued on system_wq (no kworker has picked it up yet)' : '') + `; lockdep ${w.lockdep ? 'on' : 'off'}`,
          },
          async (w: wait_workload) => {
            const j = judged(impl);
            const reader = { go: false, inside: false, out: false };
            const { result, value } = await run_in_gem_world(
              { release: '4.12' },
              async (world) => {
                await warm_up_workqueues();
                if (w.holder_ms) await msleep(2); // the holder has the lock and the free worker waits for it
                reader.go = true; // the reader enters its read-side section now, before the call
                while (w.reader_steps > 0 && !reader.inside) await cond_resched();
                // An RCU callback has just queued the free work: it is pending when the call begins.
                if (w.free_work_queued) schedule_work(world.i915.mm.free_work);
                const exp_before = rcu_exp_batches_completed();
                const steps_before = sched_steps();
                const m = await measure_call(() => j.wait(world.i915));
                const steps = sched_steps() - steps_before;
                // Each expedited grace period moves the sequence by 2 (odd while one runs).
                const expedited = rcu_exp_batches_completed() - exp_before >= 2;
                return { after_reader: reader.out || w.reader_steps === 0, stalled: m.stalled_jiffies, slept: m.slept, preempted: m.preempted, steps, expedited };
              },
              (world) => {
                if (w.reader_steps > 0) {
                  user_task(async () => {
                    while (!reader.go) await msleep(1);
                    rcu_read_lock();
                    reader.inside = true;
                    for (let i = 0; i < w.reader_steps; i++) await model_schedule_point('cpu_relax');
                    reader.out = true;
                    rcu_read_unlock();
                  }, 'reader', { cpu: 1 });
                }
                if (w.holder_ms) {
                  user_task(async () => {
                    const obj = await i915_gem_object_create(world.i915, PAGE_SIZE);
                    await mutex_lock(world.i915.struct_mutex);
                    if (obj) i915_gem_object_put(obj);
                    await rcu_barrier(); // the free work is queued; it blocks on struct_mutex
                    await msleep(w.holder_ms);
                    mutex_unlock(world.i915.struct_mutex);
                  }, 'i915_ioctl', { cpu: 0 });
                }
              },
              { ...WORLD_PARAMS, lockdep: w.lockdep },
              w.comm,
            );
            const bad = first_report(result, ['deadlock', 'hung_task', 'bug', 'warn', 'kasan', 'forgotten_await', 'step_limit', 'oom', 'lockdep']);
            if (bad) return fail(`${bad}${dmesg_tail(result)}`);
            if (j.problem()) return fail(j.problem()!);
            if (!value) return fail(`the check did not finish: ${result.stop}${dmesg_tail(result)}`);
            if (!value.after_reader) {
              return fail('i915_synchronize_rcu_expedited() returned while a reader that began before it was still in its read-side section: ' +
                'it must still wait for a full grace period (the annotation is added to the wait, it does not replace it).');
            }
            if (!value.expedited) {
              return fail('i915_synchronize_rcu_expedited() returned without an expedited grace period having run: it must stay the same wait. ' +
                'Another wait (synchronize_rcu() is driven by the RCU kthread, not by a work item on system_wq) does not depend on the free worker, ' +
                'and an annotation on it would report a loop that cannot happen.');
            }
            const differs = like_reference(ctx, w, { stalled: value.stalled, slept: value.slept, preempted: value.preempted, steps: value.steps }, (ref, got) =>
              got.preempted > ref.preempted || got.steps > ref.steps
                ? `the call gave up the CPU without sleeping ${got.preempted} time(s) and took ${got.steps} scheduler steps, where the reference gives it up ` +
                  `${ref.preempted} time(s) in ${ref.steps} steps: it polls (cond_resched() until the free work is picked up, or a flush) before or ` +
                  'instead of the one wait. Under memory pressure no kworker may ever pick the work up: that poll spins in reclaim for ever. An annotation takes no step.'
                : got.slept > ref.slept
                ? `the call went to sleep ${got.slept} time(s) where the reference sleeps ${ref.slept}: it waits for something besides one expedited grace period ` +
                  '(an annotation never sleeps)'
                : got.stalled > ref.stalled + 1
                ? `the call stalled its caller ${got.stalled} jiffies where the reference stalls ${ref.stalled}: it waits for something besides the grace period ` +
                  '(a flush of the free worker waits for whoever holds struct_mutex; an annotation costs no time)'
                : got.stalled + 1 < ref.stalled
                  ? `the call returned after ${got.stalled} jiffies where a grace period takes ${ref.stalled}: it does not wait for a full expedited grace period`
                  : null,
            );
            return differs ? fail(differs) : pass();
          },
        ),
    },
  ],
}));
