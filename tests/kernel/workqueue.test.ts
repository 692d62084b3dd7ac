import { afterEach, describe, expect, it } from 'vitest';
import { user_task } from '../../kernel/fork';
import { start_kernel, type run_result } from '../../kernel/init/main';
import { mutex_init, mutex_lock, mutex_unlock } from '../../kernel/locking/mutex';
import { failslab_set } from '../../kernel/mm/slab';
import { complete, init_completion, wait_for_completion } from '../../kernel/sched/completion';
import { cond_resched, current, msleep } from '../../kernel/sched/core';
import { GFP_KERNEL } from '../../kernel/mm/gfp';
import { PF_MEMALLOC, PF_WQ_WORKER } from '../../kernel/sched/task';
import { jiffies } from '../../kernel/time/timekeeping';
import { mod_timer, timer_setup } from '../../kernel/time/timer';
import {
  alloc_ordered_workqueue,
  alloc_workqueue,
  cancel_work_sync,
  create_singlethread_workqueue,
  current_is_workqueue_rescuer,
  current_work,
  DECLARE_WORK,
  flush_work,
  flush_workqueue,
  queue_work,
  queue_work_on,
  schedule_work,
  system_highpri_wq,
  system_unbound_wq,
  system_wq,
  WQ_MEM_RECLAIM,
  WORKER_ALLOC_SIZE,
  WQ_UNBOUND,
  work_pending,
  type work_struct,
} from '../../kernel/workqueue';

afterEach(() => failslab_set(null));

/** dmesg without the "[    1.000123] " timestamps. */
function log(r: run_result): string[] {
  return r.dmesg.map((l) => l.replace(/^\[[ \d.]+\] /, ''));
}

const SEED_WHERE = 'kernel/workqueue.c:2418 check_flush_dependency+0x92/0x130';

describe('workqueue: queueing and running', () => {
  it('queue_work returns false while the item is pending, and true again once it has run', async () => {
    const results: boolean[] = [];
    let runs = 0;
    const r = await start_kernel({}, () => {
      const work = DECLARE_WORK(async () => {
        runs++;
      }, 'count_work');
      user_task(async () => {
        results.push(queue_work(system_wq, work));
        results.push(queue_work(system_wq, work));
        results.push(work_pending(work));
        await flush_work(work);
        results.push(work_pending(work));
        results.push(schedule_work(work));
        await flush_work(work);
      }, 'queuer');
    });
    expect(r.stop).toBe('completed');
    expect(results).toEqual([true, false, true, false, true]);
    expect(runs).toBe(2);
  });

  it('runs items on kworkers with PF_WQ_WORKER, named after their pool like the kernel does', async () => {
    const seen: Array<{ comm: string; worker: boolean; cpu: number; mine: boolean }> = [];
    const record = async (work: work_struct): Promise<void> => {
      seen.push({ comm: current.comm, worker: (current.flags & PF_WQ_WORKER) !== 0, cpu: current.cpu, mine: current_work() === work });
    };
    const r = await start_kernel({ nr_cpus: 2 }, () => {
      const a = DECLARE_WORK(record, 'a');
      const b = DECLARE_WORK(record, 'b');
      const c = DECLARE_WORK(record, 'c');
      user_task(
        async () => {
          schedule_work(a); // this CPU (1), "events"
          await flush_work(a);
          queue_work_on(0, system_highpri_wq, b);
          await flush_work(b);
          queue_work(system_unbound_wq, c);
          await flush_work(c);
        },
        'queuer',
        { cpu: 1 },
      );
    });
    expect(r.stop).toBe('completed');
    expect(seen).toEqual([
      { comm: 'kworker/1:0', worker: true, cpu: 1, mine: true },
      { comm: 'kworker/0:0H', worker: true, cpu: 0, mine: true },
      // Pools 0-3 are the per-CPU ones, so the unbound pool is number 4.
      { comm: 'kworker/u4:0', worker: true, cpu: 0, mine: true },
    ]);
  });

  it('flush_work waits for a running or pending item, and returns false when there is nothing to wait for', async () => {
    const events: string[] = [];
    const r = await start_kernel({}, () => {
      const work = DECLARE_WORK(async () => {
        events.push('work start');
        await msleep(50);
        events.push('work end');
      }, 'slow_work');
      user_task(async () => {
        schedule_work(work);
        events.push(`flush: ${await flush_work(work)}`);
        events.push(`flush idle: ${await flush_work(work)}`);
      }, 'flusher');
    });
    expect(r.stop).toBe('completed');
    expect(events).toEqual(['work start', 'work end', 'flush: true', 'flush idle: false']);
  });

  it('clears pending before running, so an item re-queued while it runs runs again, never twice at once', async () => {
    const events: string[] = [];
    let requeued: boolean | null = null;
    const r = await start_kernel({}, () => {
      let n = 0;
      const work: work_struct = DECLARE_WORK(async () => {
        const me = ++n;
        events.push(`start ${me}`);
        if (me === 1) requeued = schedule_work(work);
        await msleep(10);
        events.push(`end ${me}`);
      }, 'again_work');
      user_task(async () => {
        schedule_work(work);
        await msleep(100);
        await flush_work(work);
      }, 'queuer');
    });
    expect(r.stop).toBe('completed');
    expect(requeued).toBe(true);
    expect(events).toEqual(['start 1', 'end 1', 'start 2', 'end 2']);
  });

  it('runs the items of one CPU one after another while the running one does not sleep', async () => {
    const events: string[] = [];
    const r = await start_kernel({}, () => {
      const busy = (tag: string) =>
        DECLARE_WORK(async () => {
          for (let i = 1; i <= 3; i++) {
            events.push(`${tag}${i} on ${current.comm}`);
            await cond_resched(); // stays runnable: no other kworker is woken
          }
        }, `busy_${tag}`);
      const a = busy('a');
      const b = busy('b');
      user_task(
        async () => {
          schedule_work(a);
          schedule_work(b);
          await flush_work(b);
        },
        'queuer',
        { cpu: 0 },
      );
    });
    expect(r.stop).toBe('completed');
    expect(events).toEqual(['a1 on kworker/0:0', 'a2 on kworker/0:0', 'a3 on kworker/0:0', 'b1 on kworker/0:0', 'b2 on kworker/0:0', 'b3 on kworker/0:0']);
  });

  it('wakes another kworker (creating a spare each time) when the running one blocks and more work is pending', async () => {
    const ran: string[] = [];
    const r = await start_kernel({ trace: true }, () => {
      const gate = init_completion('gate');
      const blocker = (tag: string) =>
        DECLARE_WORK(async () => {
          ran.push(`${tag} on ${current.comm}`);
          await wait_for_completion(gate);
        }, `blocker_${tag}`);
      const w1 = blocker('w1');
      const w2 = blocker('w2');
      const w3 = DECLARE_WORK(async () => {
        ran.push(`w3 on ${current.comm}`);
      }, 'w3');
      user_task(
        async () => {
          schedule_work(w1);
          schedule_work(w2);
          schedule_work(w3);
          await flush_work(w3); // finishes although w1 and w2 are still blocked
          ran.push('w3 flushed');
          complete(gate);
          complete(gate);
          await flush_work(w1);
          await flush_work(w2);
        },
        'queuer',
        { cpu: 0 },
      );
    });
    expect(r.stop).toBe('completed');
    expect(ran).toEqual(['w1 on kworker/0:0', 'w2 on kworker/0:1', 'w3 on kworker/0:2', 'w3 flushed']);
    const created = r.trace.filter((e) => e.event === 'workqueue_worker_create').map((e) => e.fields.worker);
    // 0:0 on first use; each kworker that starts work as the last idle one creates the next.
    expect(created).toEqual(['kworker/0:0', 'kworker/0:1', 'kworker/0:2', 'kworker/0:3']);
  });

  it('creates a kworker with a GFP_KERNEL allocation made by the manager kworker itself', async () => {
    const allocs: Array<{ comm: string; size: number; kernel: boolean }> = [];
    const r = await start_kernel({}, () => {
      failslab_set((size, gfp) => {
        allocs.push({ comm: current.comm, size, kernel: (gfp & GFP_KERNEL) === GFP_KERNEL });
        return false;
      });
      const work = DECLARE_WORK(async () => {}, 'w');
      user_task(
        async () => {
          schedule_work(work);
          await flush_work(work);
        },
        'queuer',
        { cpu: 0 },
      );
    });
    expect(r.stop).toBe('completed');
    // kworker/0:0 was the last idle worker when it started: it made kworker/0:1 first.
    expect(allocs).toEqual([{ comm: 'kworker/0:0', size: WORKER_ALLOC_SIZE, kernel: true }]);
  });

  it('can be queued from a timer function, between scheduler steps', async () => {
    let ran_on = '';
    const r = await start_kernel({}, () => {
      const work = DECLARE_WORK(async () => {
        ran_on = current.comm;
      }, 'from_timer');
      mod_timer(
        timer_setup(() => schedule_work(work), 'kick'),
        jiffies() + 5,
      );
      user_task(async () => {
        await msleep(20);
        await flush_work(work);
      }, 'waiter');
    });
    expect(r.stop).toBe('completed');
    expect(r.reports).toEqual([]);
    expect(ran_on).toMatch(/^kworker\/\d:0$/);
  });

  it('runs an ordered workqueue one item at a time even when items sleep, unlike an unbound one', async () => {
    const run = async (ordered: boolean): Promise<string[]> => {
      const events: string[] = [];
      const r = await start_kernel({}, () => {
        const w = ordered ? alloc_ordered_workqueue('ordered', 0) : alloc_workqueue('parallel', WQ_UNBOUND, 0);
        const item = (tag: string) =>
          DECLARE_WORK(async () => {
            events.push(`${tag} start`);
            await msleep(10);
            events.push(`${tag} end`);
          }, tag);
        const a = item('a');
        const b = item('b');
        user_task(async () => {
          queue_work(w, a);
          queue_work(w, b);
          await flush_workqueue(w);
          events.push('flushed');
        }, 'queuer');
      });
      expect(r.stop).toBe('completed');
      return events;
    };
    expect(await run(true)).toEqual(['a start', 'a end', 'b start', 'b end', 'flushed']);
    const parallel = await run(false);
    expect(parallel.slice(0, 2)).toEqual(['a start', 'b start']); // b starts while a sleeps
    expect(parallel).toHaveLength(5);
    expect(parallel[4]).toBe('flushed');
  });

  it('cancel_work_sync removes a pending item (it never runs) and waits for a running one', async () => {
    const events: string[] = [];
    const r = await start_kernel({}, () => {
      const work = DECLARE_WORK(async () => {
        events.push('run start');
        await msleep(20);
        events.push('run end');
      }, 'cancel_me');
      user_task(async () => {
        schedule_work(work);
        events.push(`cancel pending: ${await cancel_work_sync(work)} pending=${work_pending(work)}`);
        await msleep(50);
        events.push(`queue again: ${schedule_work(work)}`);
        await msleep(5); // now it is running
        events.push(`cancel running: ${await cancel_work_sync(work)}`);
      }, 'canceller');
    });
    expect(r.stop).toBe('completed');
    expect(events).toEqual(['cancel pending: true pending=false', 'queue again: true', 'run start', 'run end', 'cancel running: false']);
  });
});

describe('workqueue: check_flush_dependency', () => {
  /**
   * The SEED splat: a kworker of the highpri pool of CPU 1 (kworker/1:1H,
   * the pool's second kworker) is in direct reclaim (PF_MEMALLOC) and flushes
   * the i915 free worker on system_wq, twice.
   */
  async function seed_run(): Promise<{ r: run_result; pid: number; comm: string }> {
    let pid = -1;
    let comm = '';
    const r = await start_kernel({ nr_cpus: 2 }, () => {
      const unblock = init_completion('unblock');
      const free_work = DECLARE_WORK(
        async () => {
          await msleep(5);
        },
        '__i915_gem_free_work',
        { module: 'i915' },
      );
      const blocker = DECLARE_WORK(async () => wait_for_completion(unblock), 'i915_blocker');
      const reclaimer = DECLARE_WORK(async () => {
        pid = current.pid;
        comm = current.comm;
        current.flags |= PF_MEMALLOC; // as __perform_reclaim does
        for (let i = 0; i < 2; i++) {
          schedule_work(free_work);
          await flush_work(free_work);
        }
        current.flags &= ~PF_MEMALLOC;
        complete(unblock);
      }, 'i915_reclaim');
      user_task(
        async () => {
          queue_work_on(1, system_highpri_wq, blocker); // keeps kworker/1:0H busy
          queue_work_on(1, system_highpri_wq, reclaimer); // so this one runs on kworker/1:1H
          await flush_work(reclaimer);
        },
        'gem_user',
        { cpu: 1 },
      );
    });
    return { r, pid, comm };
  }

  it('warns once per boot with the exact text of the thread when a PF_MEMALLOC task flushes system_wq work', async () => {
    const { r, pid, comm } = await seed_run();
    expect(r.stop).toBe('completed');
    expect(comm).toBe('kworker/1:1H');
    const warns = r.reports.filter((x) => x.kind === 'warn');
    expect(warns).toHaveLength(1); // flushed twice, WARN_ONCE
    const text = log(r);
    const at = text.indexOf(`WARNING: CPU: 1 PID: ${pid} at ${SEED_WHERE}`);
    expect(at).toBeGreaterThanOrEqual(0);
    expect(text[at - 1]).toBe('------------[ cut here ]------------');
    expect(text[at + 1]).toBe(`workqueue: PF_MEMALLOC task ${pid}(kworker/1:1H) is flushing !WQ_MEM_RECLAIM events:__i915_gem_free_work [i915]`);
    // Once per boot: the next boot warns again.
    const again = await seed_run();
    expect(again.r.reports.filter((x) => x.kind === 'warn')).toHaveLength(1);
  });

  it('does not warn when the flushed workqueue has WQ_MEM_RECLAIM', async () => {
    let flushed = 0;
    const r = await start_kernel({}, () => {
      const i915_wq = alloc_workqueue('i915', WQ_MEM_RECLAIM, 0);
      const work = DECLARE_WORK(async () => {
        await msleep(5);
      }, '__i915_gem_free_work');
      user_task(async () => {
        current.flags |= PF_MEMALLOC;
        queue_work(i915_wq, work);
        if (await flush_work(work)) flushed++;
        queue_work(i915_wq, work);
        await flush_workqueue(i915_wq);
        flushed++;
        current.flags &= ~PF_MEMALLOC;
      }, 'reclaimer');
    });
    expect(r.stop).toBe('completed');
    expect(flushed).toBe(2);
    expect(r.reports).toEqual([]);
  });

  it('warns when a PF_MEMALLOC task flushes a whole !WQ_MEM_RECLAIM workqueue, with %pf of NULL', async () => {
    const r = await start_kernel({}, () => {
      const work = DECLARE_WORK(async () => {
        await msleep(5);
      }, 'some_work');
      user_task(async () => {
        current.flags |= PF_MEMALLOC;
        schedule_work(work);
        await flush_workqueue(system_wq);
        current.flags &= ~PF_MEMALLOC;
      }, 'reclaimer');
    });
    expect(r.reports).toHaveLength(1);
    expect(log(r)).toContain('workqueue: PF_MEMALLOC task 1(reclaimer) is flushing !WQ_MEM_RECLAIM events:          (null)');
  });

  it('warns when a worker of a WQ_MEM_RECLAIM workqueue flushes !WQ_MEM_RECLAIM work, but not for a legacy workqueue', async () => {
    const run = async (legacy: boolean): Promise<run_result> =>
      start_kernel({}, () => {
        const i915_wq = legacy ? create_singlethread_workqueue('i915') : alloc_workqueue('i915', WQ_MEM_RECLAIM, 0);
        const target = DECLARE_WORK(async () => {
          await msleep(5);
        }, 'events_target');
        const flusher = DECLARE_WORK(async () => {
          schedule_work(target);
          await flush_work(target);
        }, 'i915_flusher');
        user_task(async () => {
          queue_work(i915_wq, flusher);
          await flush_work(flusher);
        }, 'queuer');
      });
    const r = await run(false);
    expect(r.stop).toBe('completed');
    expect(r.reports).toHaveLength(1);
    expect(log(r)).toContain('workqueue: WQ_MEM_RECLAIM i915:i915_flusher is flushing !WQ_MEM_RECLAIM events:events_target');
    expect((await run(true)).reports).toEqual([]);
  });

  it('lets lockdep see flush_work: holding a lock the flushed work takes is a circular dependency', async () => {
    const r = await start_kernel({}, () => {
      const lock = mutex_init('&dev->struct_mutex');
      const work = DECLARE_WORK(async () => {
        await mutex_lock(lock);
        mutex_unlock(lock);
      }, 'takes_struct_mutex', { lockdep_name: '(&i915->mm.free_work)' });
      user_task(async () => {
        schedule_work(work);
        await flush_work(work); // the worker records (work) -> struct_mutex
        await mutex_lock(lock);
        schedule_work(work);
        await flush_work(work); // struct_mutex -> (work): a cycle, and a real deadlock
        mutex_unlock(lock);
      }, 'holder');
    });
    expect(r.reports[0]!.kind).toBe('lockdep');
    expect(r.reports[0]!.lines.join('\n')).toContain('possible circular locking dependency detected');
    expect(r.reports[0]!.lines.join('\n')).toContain('(&i915->mm.free_work)');
  });
});

describe('workqueue: when no kworker can be created', () => {
  it('hands the WQ_MEM_RECLAIM item to its rescuer while the system_wq item stays pending, and its flusher hangs', async () => {
    let rescued_by = '';
    let rescued_as_rescuer = false;
    let events_item_ran = false;
    let pending_after_mayday: boolean | null = null;
    let flusher_pid = -1;
    const r = await start_kernel({ hung_task_panic: true, trace: true }, () => {
      const reclaim_wq = alloc_workqueue('reclaim_wq', WQ_MEM_RECLAIM, 0);
      const gate = init_completion('gate');
      const blocker = DECLARE_WORK(async () => wait_for_completion(gate), 'blocker');
      const rescued = DECLARE_WORK(async () => {
        rescued_by = current.comm;
        rescued_as_rescuer = current_is_workqueue_rescuer();
      }, 'reclaim_item');
      const stuck = DECLARE_WORK(async () => {
        events_item_ran = true;
      }, 'events_item');
      user_task(
        async () => {
          flusher_pid = current.pid;
          schedule_work(blocker); // kworker/0:0 creates kworker/0:1, then blocks
          await msleep(1);
          failslab_set(() => true); // from now on no kworker can be created
          queue_work(reclaim_wq, rescued);
          schedule_work(stuck); // wakes kworker/0:1, which must first create a spare
          await msleep(50); // the mayday timer fires after MAYDAY_INITIAL_TIMEOUT
          pending_after_mayday = work_pending(stuck);
          await flush_work(stuck);
        },
        'flusher',
        { cpu: 0 },
      );
    });
    expect(rescued_by).toBe('reclaim_wq');
    expect(rescued_as_rescuer).toBe(true);
    expect(events_item_ran).toBe(false);
    expect(pending_after_mayday).toBe(true);
    expect(r.trace.some((e) => e.event === 'workqueue_worker_create_failed')).toBe(true);
    expect(r.trace.filter((e) => e.event === 'workqueue_mayday').map((e) => e.fields.workqueue)).toEqual(['reclaim_wq']);
    expect(r.stop).toBe('hung_task');
    const hung = r.reports.find((x) => x.kind === 'hung_task' && x.title.startsWith('task flusher:'))!;
    expect(hung.lines[0]).toBe(`INFO: task flusher:${flusher_pid} blocked for more than 120 seconds.`);
    expect(hung.lines.join('\n')).toContain('waiting for completion flush of events:events_item');
    expect(hung.ts_ns).toBeGreaterThanOrEqual(120e9);
  });
});
