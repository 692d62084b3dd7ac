// The v4.11 lockdep and workqueue facts exercise 12 rests on
// (lessons/sources.md §12): what a work item records while it runs, what a
// recursive-read acquisition records, and that an annotated wait closes the
// loop in either order without anything hanging.
import { describe, expect, it } from 'vitest';
import { start_kernel } from '../../kernel/init/main';
import { user_task } from '../../kernel/fork';
import { lock_map_acquire, lock_map_acquire_read, lock_map_release, lockdep_dependencies } from '../../kernel/locking/lockdep';
import { mutex_init, mutex_lock, mutex_unlock, type mutex } from '../../kernel/locking/mutex';
import { DECLARE_WORK, flush_work, schedule_work, system_wq, type work_struct } from '../../kernel/workqueue';

/** A work item on system_wq that takes @lock (as the i915 free worker takes struct_mutex). */
function work_taking(lock: () => mutex): work_struct {
  return DECLARE_WORK(
    async () => {
      await mutex_lock(lock());
      mutex_unlock(lock());
    },
    'takes_the_lock',
    { lockdep_name: '(&free_work)' },
  );
}

describe('v4.11 lockdep and the workqueue maps', () => {
  it('records work -> lock for a running work item, and nothing from the workqueue\'s map (a recursive read)', async () => {
    let deps: ReturnType<typeof lockdep_dependencies> = [];
    const r = await start_kernel({ nr_cpus: 1 }, () => {
      const L = mutex_init('L');
      const work = work_taking(() => L);
      user_task(async () => {
        schedule_work(work);
        await flush_work(work);
        deps = lockdep_dependencies();
      }, 'test');
    });
    expect(r.stop).toBe('completed');
    const edges = deps.map((d) => `${d.from} -> ${d.to}`);
    expect(edges).toContain('(&free_work) -> L');
    expect(edges.filter((e) => e.startsWith('"events"'))).toEqual([]);
  });

  it('reports the loop when a waiter holding L annotates with the work\'s map, whether the work ran before or after', async () => {
    for (const order of ['work-first', 'wait-first'] as const) {
      const r = await start_kernel({ nr_cpus: 1 }, () => {
        const L = mutex_init('L');
        const work = work_taking(() => L);
        user_task(async () => {
          const run_work = async (): Promise<void> => {
            schedule_work(work);
            await flush_work(work);
          };
          if (order === 'work-first') await run_work();
          await mutex_lock(L);
          lock_map_acquire(work.lockdep_map, 'annotated_wait');
          lock_map_release(work.lockdep_map, 'annotated_wait');
          mutex_unlock(L);
          if (order === 'wait-first') await run_work();
        }, 'test');
      });
      expect(r.stop, order).toBe('completed');
      expect(r.reports.map((x) => x.title), order).toEqual(['possible circular locking dependency detected']);
    }
  });

  it('checks a recursive-read annotation but does not record it: only the work-first order is reported', async () => {
    const titles: Record<string, string[]> = {};
    for (const order of ['work-first', 'wait-first'] as const) {
      const r = await start_kernel({ nr_cpus: 1 }, () => {
        const L = mutex_init('L');
        const work = work_taking(() => L);
        user_task(async () => {
          const run_work = async (): Promise<void> => {
            schedule_work(work);
            await flush_work(work);
          };
          if (order === 'work-first') await run_work();
          await mutex_lock(L);
          lock_map_acquire_read(work.lockdep_map, 'annotated_wait');
          lock_map_release(work.lockdep_map, 'annotated_wait');
          mutex_unlock(L);
          if (order === 'wait-first') await run_work();
        }, 'test');
      });
      titles[order] = r.reports.map((x) => x.title);
    }
    expect(titles).toEqual({ 'work-first': ['possible circular locking dependency detected'], 'wait-first': [] });
  });

  it('reports nothing when the waiter annotates with the workqueue\'s map for write (no dependency leads from it)', async () => {
    const r = await start_kernel({ nr_cpus: 1 }, () => {
      const L = mutex_init('L');
      const work = work_taking(() => L);
      user_task(async () => {
        schedule_work(work);
        await flush_work(work);
        await mutex_lock(L);
        lock_map_acquire(system_wq.lockdep_map, 'annotated_wait');
        lock_map_release(system_wq.lockdep_map, 'annotated_wait');
        mutex_unlock(L);
      }, 'test');
    });
    expect(r.stop).toBe('completed');
    expect(r.reports).toEqual([]);
  });
});
