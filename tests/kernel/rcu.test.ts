import { afterEach, describe, expect, it } from 'vitest';
import { user_task } from '../../kernel/fork';
import { start_kernel } from '../../kernel/init/main';
import { mutex_init, mutex_lock, mutex_unlock } from '../../kernel/locking/mutex';
import { failslab_set } from '../../kernel/mm/slab';
import {
  call_rcu,
  in_softirq,
  rcu_barrier,
  rcu_batches_completed,
  rcu_batches_started,
  rcu_exp_batches_completed,
  rcu_head,
  rcu_pending_callbacks,
  rcu_read_lock,
  rcu_read_unlock,
  synchronize_rcu,
  synchronize_rcu_expedited,
} from '../../kernel/rcu/update';
import { complete, init_completion, wait_for_completion } from '../../kernel/sched/completion';
import { model_schedule_point, cond_resched, current, in_atomic, msleep } from '../../kernel/sched/core';
import { DECLARE_WORK, flush_work, schedule_work, work_pending } from '../../kernel/workqueue';

afterEach(() => failslab_set(null));

/** Busy CPU time inside a read-side section: a preemption point that does not sleep. */
async function cpu_relax(): Promise<void> {
  await model_schedule_point('cpu_relax');
}

/**
 * long_reader - from scenario setup: a task on CPU 1 that stays in an RCU
 * read-side critical section for 300 steps, logging when it enters and
 * leaves. Returns "is it inside yet?".
 */
function long_reader(events: string[]): () => boolean {
  let inside = false;
  user_task(
    async () => {
      rcu_read_lock();
      inside = true;
      events.push('reader in');
      for (let i = 0; i < 300; i++) await cpu_relax();
      events.push('reader out');
      rcu_read_unlock();
    },
    'reader',
    { cpu: 1 },
  );
  return () => inside;
}

describe('RCU grace periods', () => {
  it('waits for a reader that began before the grace period, on another CPU', async () => {
    const events: string[] = [];
    const r = await start_kernel({ nr_cpus: 2 }, () => {
      const inside = long_reader(events);
      user_task(
        async () => {
          while (!inside()) await cond_resched();
          events.push('sync start');
          await synchronize_rcu();
          events.push('sync done');
        },
        'updater',
        { cpu: 0 },
      );
    });
    expect(r.stop).toBe('completed');
    expect(events).toEqual(['reader in', 'sync start', 'reader out', 'sync done']);
  });

  it('is not delayed by a reader that begins on a CPU after that CPU passed its quiescent state', async () => {
    const events: string[] = [];
    const r = await start_kernel({ nr_cpus: 2 }, () => {
      let old_in = false;
      // A pre-existing reader on CPU 0 keeps the grace period open...
      user_task(
        async () => {
          rcu_read_lock();
          old_in = true;
          for (let i = 0; i < 10_000; i++) await cpu_relax();
          events.push('old reader out');
          rcu_read_unlock();
        },
        'old_reader',
        { cpu: 0 },
      );
      // ...while CPU 1, idle when it began (so quiescent at once), starts a long reader.
      user_task(
        async () => {
          const before = rcu_batches_started();
          while (rcu_batches_started() === before) await msleep(1);
          rcu_read_lock();
          events.push('new reader in');
          for (let i = 0; i < 50_000; i++) await cpu_relax();
          events.push('new reader out');
          rcu_read_unlock();
        },
        'new_reader',
        { cpu: 1 },
      );
      user_task(
        async () => {
          while (!old_in) await cond_resched();
          await synchronize_rcu();
          events.push('gp done');
        },
        'updater',
        { cpu: 1 },
      );
    });
    expect(r.stop).toBe('completed');
    expect(events).toEqual(['new reader in', 'old reader out', 'gp done', 'new reader out']);
  });

  it('returns at once on a single CPU: blocking is itself a grace period there', async () => {
    let started = -1;
    const r = await start_kernel({ nr_cpus: 1 }, () => {
      user_task(async () => {
        await synchronize_rcu();
        await synchronize_rcu_expedited();
        started = rcu_batches_started();
      }, 'updater');
    });
    expect(r.stop).toBe('completed');
    expect(started).toBe(0);
  });

  it('reports sleeping inside a read-side critical section as the might_sleep BUG', async () => {
    const r = await start_kernel({}, () => {
      user_task(async () => {
        rcu_read_lock();
        await rcu_barrier();
        rcu_read_unlock();
      }, 'bad_reader');
    });
    expect(r.stop).toBe('bug');
    expect(r.reports[0]!.lines).toEqual([
      'BUG: sleeping function called from invalid context at kernel/rcu/tree.c',
      'in_atomic(): 1, irqs_disabled(): 0, pid: 1, name: bad_reader',
      '  (rcu_barrier() inside an RCU read-side critical section)',
    ]);
  });
});

describe('call_rcu callbacks', () => {
  it('run after a grace period, in softirq context, on the CPU that queued them', async () => {
    let seen: Record<string, unknown> | null = null;
    let ran_before_return: boolean | null = null;
    const r = await start_kernel({ nr_cpus: 2 }, () => {
      let inside = false;
      let reader_done = false;
      const head = new rcu_head();
      user_task(
        async () => {
          rcu_read_lock();
          inside = true;
          for (let i = 0; i < 200; i++) await cpu_relax();
          reader_done = true;
          rcu_read_unlock();
        },
        'reader',
        { cpu: 0 },
      );
      user_task(
        async () => {
          while (!inside) await cond_resched();
          call_rcu(head, (h) => {
            seen = { reader_done, softirq: in_softirq(), atomic: in_atomic(), cpu: current.cpu, comm: current.comm, head: h === head };
          });
          ran_before_return = seen !== null;
          await msleep(100);
        },
        'freer',
        { cpu: 1 },
      );
    });
    expect(r.stop).toBe('completed');
    expect(ran_before_return).toBe(false);
    expect(seen).toEqual({ reader_done: true, softirq: true, atomic: true, cpu: 1, comm: 'rcu_sched', head: true });
  });

  it('may not sleep: a sleeping call in a callback is the might_sleep BUG', async () => {
    const r = await start_kernel({}, () => {
      user_task(async () => {
        // eslint-disable-next-line @typescript-eslint/no-misused-promises
        call_rcu(new rcu_head(), async () => {
          await msleep(1);
        });
        await msleep(10);
      }, 'freer');
    });
    expect(r.stop).toBe('bug');
    expect(r.reports[0]!.lines.slice(0, 2)).toEqual([
      'BUG: sleeping function called from invalid context at kernel/time/timer.c',
      'in_atomic(): 1, irqs_disabled(): 0, pid: 2, name: rcu_sched',
    ]);
  });

  it('warns about a head queued twice and runs neither callback (CONFIG_DEBUG_OBJECTS_RCU_HEAD)', async () => {
    let invoked = 0;
    const r = await start_kernel({}, () => {
      user_task(async () => {
        const head = new rcu_head();
        call_rcu(head, () => invoked++);
        call_rcu(head, () => invoked++);
        await rcu_barrier();
      }, 'double_free');
    });
    expect(r.stop).toBe('completed');
    expect(invoked).toBe(0);
    expect(r.reports.map((x) => x.title)).toEqual(['__call_rcu(): Leaked duplicate callback']);
  });
});

describe('what each wait waits for', () => {
  /** 25 callbacks (more than blimit = 10) queued on @freer_cpu, then the shrinker waits on CPU 0. */
  async function backlog_run(freer_cpu: number): Promise<{ after_sync: number; after_barrier: number; pending_after_sync: number }> {
    let invoked = 0;
    const res = { after_sync: -1, after_barrier: -1, pending_after_sync: -1 };
    const r = await start_kernel({ nr_cpus: 2 }, () => {
      const queued = init_completion('queued');
      user_task(
        async () => {
          for (let i = 0; i < 25; i++) call_rcu(new rcu_head(), () => invoked++);
          complete(queued);
        },
        'freer',
        { cpu: freer_cpu },
      );
      user_task(
        async () => {
          await wait_for_completion(queued);
          await synchronize_rcu();
          res.after_sync = invoked;
          res.pending_after_sync = rcu_pending_callbacks();
          await rcu_barrier();
          res.after_barrier = invoked;
        },
        'shrinker',
        { cpu: 0 },
      );
    });
    expect(r.stop).toBe('completed');
    return res;
  }

  it('synchronize_rcu does not wait for callbacks queued earlier: a backlog on another CPU is still pending', async () => {
    const res = await backlog_run(1);
    expect(res.after_sync).toBeLessThan(25);
    expect(res.pending_after_sync).toBe(25 - res.after_sync);
  });

  it('rcu_barrier waits for every callback queued before it', async () => {
    const res = await backlog_run(1);
    expect(res.after_barrier).toBe(25);
  });

  it('synchronize_rcu queues its own callback behind those of its CPU, so same-CPU ones happen to run first (v4.11 wait_rcu_gp)', async () => {
    const res = await backlog_run(0);
    expect(res.after_sync).toBe(25);
  });

  it('rcu_barrier returns at once, without a grace period, when no callback is queued', async () => {
    let gps = -1;
    const r = await start_kernel({}, () => {
      user_task(async () => {
        await rcu_barrier();
        gps = rcu_batches_started();
      }, 'waiter');
    });
    expect(r.stop).toBe('completed');
    expect(gps).toBe(0);
  });

  it('neither a grace period nor rcu_barrier waits for the work a callback queued; flush_work does', async () => {
    const seen: string[] = [];
    const r = await start_kernel({ nr_cpus: 2 }, () => {
      let freed = false;
      const free_work = DECLARE_WORK(async () => {
        freed = true;
      }, '__i915_gem_free_work');
      // Keeps CPU 0's events kworker running (not sleeping), so free_work waits its turn.
      const busy = DECLARE_WORK(async () => {
        for (let i = 0; i < 20_000; i++) await cond_resched();
      }, 'busy_work');
      const state = (when: string): string => `${when}: callback=${invoked} pending=${work_pending(free_work)} freed=${freed}`;
      let invoked = false;
      user_task(
        async () => {
          schedule_work(busy);
          call_rcu(new rcu_head(), () => {
            invoked = true;
            schedule_work(free_work); // __i915_gem_free_object_rcu
          });
          await synchronize_rcu();
          seen.push(state('synchronize_rcu'));
          await rcu_barrier();
          seen.push(state('rcu_barrier'));
          await flush_work(free_work);
          seen.push(state('flush_work'));
        },
        'shrinker',
        { cpu: 0 },
      );
    });
    expect(r.stop).toBe('completed');
    expect(seen).toEqual([
      'synchronize_rcu: callback=true pending=true freed=false',
      'rcu_barrier: callback=true pending=true freed=false',
      'flush_work: callback=true pending=false freed=true',
    ]);
  });
});

describe('synchronize_rcu_expedited', () => {
  it('is driven by a work item on system_wq and still waits for pre-existing readers', async () => {
    const events: string[] = [];
    let exp_seq = -1;
    const r = await start_kernel({ nr_cpus: 2, trace: true }, () => {
      const inside = long_reader(events);
      user_task(
        async () => {
          while (!inside()) await cond_resched();
          events.push('exp start');
          await synchronize_rcu_expedited();
          events.push('exp done');
          exp_seq = rcu_exp_batches_completed();
        },
        'updater',
        { cpu: 0 },
      );
    });
    expect(r.stop).toBe('completed');
    expect(events).toEqual(['reader in', 'exp start', 'reader out', 'exp done']);
    expect(exp_seq).toBe(2);
    expect(rcu_batches_completed()).toBe(0); // no normal grace period was needed
    const runs = r.trace.filter((e) => e.event === 'workqueue_execute_start' && e.fields.function === 'wait_rcu_exp_gp');
    expect(runs.map((e) => e.comm)).toEqual(['kworker/0:0']);
  });

  /**
   * The v4.10 i915 hang: the shrinker holds struct_mutex and waits for an
   * expedited grace period; the only running "events" kworker of its CPU is
   * the GEM free worker, blocked on struct_mutex; memory is exhausted, so the
   * pool cannot create a kworker to run the expedited work item.
   */
  async function v4_10_hang(memory_exhausted: boolean) {
    return start_kernel({ nr_cpus: 2, hung_task_panic: true }, () => {
      const struct_mutex = mutex_init('&dev->struct_mutex');
      const free_work = DECLARE_WORK(
        async () => {
          await mutex_lock(struct_mutex);
          mutex_unlock(struct_mutex);
        },
        '__i915_gem_free_work',
        { module: 'i915', lockdep_name: '(&i915->mm.free_work)' },
      );
      user_task(
        async () => {
          await mutex_lock(struct_mutex);
          schedule_work(free_work); // kworker/0:0 makes kworker/0:1, then blocks on struct_mutex
          await msleep(1);
          if (memory_exhausted) failslab_set(() => true);
          await synchronize_rcu_expedited(); // i915_gem_shrink(), struct_mutex still held
          mutex_unlock(struct_mutex);
        },
        'shrinker',
        { cpu: 0 },
      );
    });
  }

  it('gives the same dmesg and reports byte for byte on every run', async () => {
    const once = async () => {
      const r = await v4_10_hang(true);
      failslab_set(null);
      return JSON.stringify({ dmesg: r.dmesg, reports: r.reports, steps: r.steps });
    };
    expect(await once()).toBe(await once());
  });

  it('completes when the events pool can get a kworker, even with its running kworker blocked', async () => {
    const r = await v4_10_hang(false);
    expect(r.stop).toBe('completed');
    expect(r.reports).toEqual([]);
  });

  it('hangs, with no lockdep report, when no kworker can run its work item (the v4.10 i915 hang)', async () => {
    const r = await v4_10_hang(true);
    expect(r.stop).toBe('hung_task');
    expect(r.reports.filter((x) => x.kind === 'lockdep')).toEqual([]);
    const hung = r.reports.find((x) => x.kind === 'hung_task' && x.title.startsWith('task shrinker:'))!;
    expect(hung.lines[0]).toBe('INFO: task shrinker:1 blocked for more than 120 seconds.');
    // The caller waits for a wakeup from the work item; the kworker it waits
    // behind is blocked on the mutex the caller holds.
    expect(hung.lines.join('\n')).toContain('waiting for wait queue rcu_sched->exp_wq[1], held by kworker/0:0:');
    const worker = r.reports.find((x) => x.kind === 'hung_task' && x.title.startsWith('task kworker/0:0:'))!;
    expect(worker.lines.join('\n')).toContain('&dev->struct_mutex');
  });
});
