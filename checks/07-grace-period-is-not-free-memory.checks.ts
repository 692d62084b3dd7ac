// The graded checks of exercise 07 (a grace period is not free memory).
// Each check runs your i915_gem_drain_freed_objects on the kernel model and
// looks at the objects released before the call: are they really freed?
import { define_checks, fail, pass, type exercise_impl } from '../course/checks';
import { dmesg_tail, first_report, no_failures, run_once, run_in_gem_world } from '../course/check_helpers';
import type { scenario } from '../explorer/scenario';
import { i915_gem_object_put } from '../kernel/drivers/gpu/drm/i915/i915_gem';
import type { drm_i915_private } from '../kernel/drivers/gpu/drm/i915/i915_drv';
import {
  i915_gem_object_create,
  i915_gem_object_pin_pages,
  i915_gem_object_unpin_pages,
  PAGE_SIZE,
  type drm_i915_gem_object,
} from '../kernel/drivers/gpu/drm/i915/i915_gem_object';
import { user_task } from '../kernel/fork';
import type { run_result } from '../kernel/init/main';
import { mutex_lock, mutex_unlock } from '../kernel/locking/mutex';
import { rcu_batches_started, rcu_pending_callbacks } from '../kernel/rcu/update';
import { complete, init_completion, wait_for_completion } from '../kernel/sched/completion';
import { cond_resched, msleep } from '../kernel/sched/core';
import { jiffies } from '../kernel/time/timekeeping';
import { DECLARE_WORK, schedule_work_on, work_pending } from '../kernel/workqueue';
import { gem_world, WORLD_PARAMS } from '../scenarios/i915_world';

type drain_fn = (i915: drm_i915_private) => Promise<void>;
const drain_of = (impl: exercise_impl): drain_fn => impl.i915_gem_drain_freed_objects as drain_fn;
const BAD_KINDS = ['deadlock', 'hung_task', 'lockdep', 'bug', 'warn', 'kasan', 'forgotten_await', 'step_limit'] as const;

/** @n one-page objects that have their pages (pinned once, then unpinned), created by the current task. */
async function objects_with_pages(i915: drm_i915_private, n: number): Promise<drm_i915_gem_object[]> {
  const objs: drm_i915_gem_object[] = [];
  for (let i = 0; i < n; i++) {
    const obj = await i915_gem_object_create(i915, PAGE_SIZE);
    if (!obj || (await i915_gem_object_pin_pages(obj))) throw new Error('check setup: out of memory');
    i915_gem_object_unpin_pages(obj);
    objs.push(obj);
  }
  return objs;
}

/** What the drain left behind, measured the moment it returned. */
interface after_drain {
  dropped: number;
  not_freed: number;
  with_pages: number;
  free_count: number;
  rcu_callbacks_pending: number;
  free_work_pending: boolean;
}

function measure(i915: drm_i915_private, dropped: drm_i915_gem_object[]): after_drain {
  return {
    dropped: dropped.length,
    not_freed: dropped.filter((o) => !o.freed).length,
    with_pages: dropped.filter((o) => o.mm.pages !== null).length,
    free_count: i915.mm.free_count,
    rcu_callbacks_pending: rcu_pending_callbacks(),
    free_work_pending: work_pending(i915.mm.free_work),
  };
}

/** The verdict on a measurement, in kernel terms. */
function judge(result: run_result, value: after_drain | undefined, where: string): ReturnType<typeof pass> {
  const bad = first_report(result, BAD_KINDS);
  if (bad) return fail(`${bad}${dmesg_tail(result)}`);
  if (!value) return fail(`i915_gem_drain_freed_objects() never returned: ${result.stop}${dmesg_tail(result)}`);
  if (value.not_freed > 0 || value.free_count !== 0) {
    const stage = value.rcu_callbacks_pending > 0
      ? `${value.rcu_callbacks_pending} RCU callbacks were still queued (call_rcu() has not even handed those objects to the free list yet)`
      : value.free_work_pending
        ? 'every RCU callback had run, but mm.free_work was still queued: the objects sat on mm.free_list, their pages in use'
        : 'the RCU callbacks had run and the free worker had taken the objects off mm.free_list, but had not finished (it frees nothing before it gets struct_mutex)';
    return fail(`${where}: when i915_gem_drain_freed_objects() returned, ${value.not_freed} of the ${value.dropped} objects released before the call ` +
      `were not freed (${value.with_pages} still held their pages; mm.free_count = ${value.free_count}).\n  At that moment ${stage}.`);
  }
  return pass(`all ${value.dropped} objects freed, mm.free_count = 0`);
}

/** Check (a): 25 objects (more than the RCU batch limit of 10) released on CPU 1; the drain runs on CPU 0. */
const BACKLOG = 25;
async function run_backlog(drain: drain_fn): Promise<{ result: run_result; value: after_drain | undefined }> {
  const w = { i915: null as drm_i915_private | null, dropped: [] as drm_i915_gem_object[] };
  let released = init_completion('objects released');
  return run_once(WORLD_PARAMS, async () => {
    await wait_for_completion(released);
    await drain(w.i915!);
    return measure(w.i915!, w.dropped);
  }, () => {
    w.i915 = gem_world({ release: '4.12' }).i915;
    released = init_completion('objects released');
    user_task(async () => {
      const objs = await objects_with_pages(w.i915!, BACKLOG);
      // Another driver's long work item keeps CPU 1's "events" kworker busy
      // (running, not sleeping), so i915's free_work queued behind it on the
      // same pool waits its turn, as on a loaded machine.
      schedule_work_on(1, DECLARE_WORK(async () => {
        for (let i = 0; i < 3000; i++) await cond_resched();
      }, 'busy_work'));
      for (const obj of objs) i915_gem_object_put(obj); // the last references: call_rcu() on CPU 1
      w.dropped = objs;
      complete(released);
    }, 'client', { cpu: 1 });
  });
}

/**
 * Check (b): a few objects released on the drain's own CPU, while another
 * task holds struct_mutex for 5 ms (waiting for the GPU), so the free worker
 * blocks on the lock.
 */
async function run_lock_busy(drain: drain_fn): Promise<{ result: run_result; value: after_drain | undefined; returned_at: number; unlocked_at: number }> {
  const w = { i915: null as drm_i915_private | null, go: init_completion('go'), locked: init_completion('locked'), unlocked_at: -1, returned_at: -1 };
  const r = await run_once(WORLD_PARAMS, async () => {
    const i915 = w.i915!;
    const objs = await objects_with_pages(i915, 6);
    complete(w.go);
    await wait_for_completion(w.locked);
    for (const obj of objs) i915_gem_object_put(obj); // call_rcu() on this CPU
    await drain(i915);
    w.returned_at = jiffies();
    return measure(i915, objs);
  }, () => {
    w.i915 = gem_world({ release: '4.12' }).i915;
    w.go = init_completion('go');
    w.locked = init_completion('locked');
    user_task(async () => {
      await wait_for_completion(w.go);
      await mutex_lock(w.i915!.struct_mutex);
      complete(w.locked);
      await msleep(5); // waiting for the GPU with the lock held
      w.unlocked_at = jiffies();
      mutex_unlock(w.i915!.struct_mutex);
    }, 'gpu_wait', { cpu: 1 });
  });
  return { ...r, returned_at: w.returned_at, unlocked_at: w.unlocked_at };
}

/**
 * Check (c): a client on CPU 1 releases two objects and a drainer on CPU 0
 * drains; a third task takes struct_mutex briefly, as GEM ioctls do. The
 * explorer tries every schedule within 2 preemptions.
 */
function drain_races(drain: drain_fn): scenario {
  return {
    id: 'ex07-drain-races',
    params: { ...WORLD_PARAMS },
    setup() {
      const i915 = gem_world({ release: '4.12' }).i915;
      const released = init_completion('objects released');
      const dropped: drm_i915_gem_object[] = [];
      let checked = false;
      user_task(async () => {
        const objs = await objects_with_pages(i915, 2);
        for (const obj of objs) i915_gem_object_put(obj);
        dropped.push(...objs);
        complete(released);
      }, 'client', { cpu: 1 });
      user_task(async () => {
        await mutex_lock(i915.struct_mutex);
        mutex_unlock(i915.struct_mutex);
      }, 'i915_ioctl', { cpu: 1 });
      user_task(async () => {
        await wait_for_completion(released);
        await drain(i915);
        checked = dropped.every((o) => o.freed);
        if (!checked) throw new Error(`i915_gem_drain_freed_objects returned with ${dropped.filter((o) => !o.freed).length} released objects not freed`);
      }, 'drainer', { cpu: 0 });
    },
  };
}

export default define_checks({
  exercise: '07-grace-period-is-not-free-memory',
  exports: { i915_gem_drain_freed_objects: 'async function i915_gem_drain_freed_objects(i915): Promise<void>' },
  checks: [
    {
      id: 'drains-backlog-from-other-cpu',
      name: 'frees every released object, even a backlog of RCU callbacks on another CPU behind a busy workqueue',
      async run(impl) {
        const { result, value } = await run_backlog(drain_of(impl));
        return judge(result, value, `${BACKLOG} objects released on CPU 1 (more than the RCU batch limit of 10), drain on CPU 0`);
      },
    },
    {
      id: 'waits-for-the-free-worker',
      name: 'frees every released object when the free worker must wait for struct_mutex',
      async run(impl) {
        const { result, value, returned_at, unlocked_at } = await run_lock_busy(drain_of(impl));
        const v = judge(result, value, '6 objects released on the drain\'s own CPU while "gpu_wait" held struct_mutex for 5 ms');
        if (!v.ok) return v;
        if (returned_at < unlocked_at) return fail('the drain returned before struct_mutex was released, yet the worker needs it to free anything.');
        return v;
      },
    },
    {
      id: 'never-deadlocks-or-warns',
      name: 'frees the released objects without deadlock or warning in every schedule within 2 preemptions (the free worker needs struct_mutex)',
      run: (impl) => no_failures(drain_races(drain_of(impl))),
    },
    {
      id: 'returns-at-once-when-idle',
      name: 'returns at once, without waiting for a grace period, when no object is being freed',
      async run(impl) {
        const drain = drain_of(impl);
        const { result, value } = await run_in_gem_world({ release: '4.12' }, async (w) => {
          const objs = await objects_with_pages(w.i915, 2); // still referenced: nothing to free
          const gp = rcu_batches_started();
          const t = jiffies();
          await drain(w.i915);
          return { gps: rcu_batches_started() - gp, waited: jiffies() - t, held: objs.length };
        });
        const bad = first_report(result, BAD_KINDS);
        if (bad) return fail(`${bad}${dmesg_tail(result)}`);
        if (!value) return fail(`i915_gem_drain_freed_objects() never returned: ${result.stop}${dmesg_tail(result)}`);
        if (value.gps > 0) {
          return fail(`with mm.free_count = 0 (nothing released), the drain started ${value.gps} RCU grace period(s). ` +
            'Suspend and unload paths call it routinely: when nothing is in flight it should cost nothing.');
        }
        return pass('returned without a grace period');
      },
    },
  ],
});
