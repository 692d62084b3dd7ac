import { describe, expect, it } from 'vitest';
import { start_kernel } from '../../kernel/init/main';
import { user_task } from '../../kernel/fork';
import { kthread_run } from '../../kernel/kthread';
import {
  DECLARE_RWSEM,
  down_read,
  down_read_trylock,
  down_write,
  down_write_trylock,
  init_rwsem,
  rwsem_is_locked,
  up_read,
  up_write,
  type rw_semaphore,
} from '../../kernel/locking/rwsem';
import { mutex_init, mutex_lock, mutex_unlock } from '../../kernel/locking/mutex';
import { msleep } from '../../kernel/sched/core';
import { print_ip_sym } from '../../kernel/lib/dump_stack';

describe('rwsem', () => {
  it('lets readers share the lock and keeps a writer out until the last reader leaves', async () => {
    const log: string[] = [];
    let readers_together = 0;
    const r = await start_kernel({}, () => {
      const sem = init_rwsem('shrinker_rwsem');
      for (const comm of ['r1', 'r2']) {
        user_task(async () => {
          await down_read(sem);
          log.push(`${comm} in`);
          readers_together = Math.max(readers_together, sem.readers.length);
          await msleep(comm === 'r1' ? 2 : 4);
          log.push(`${comm} out`);
          up_read(sem);
        }, comm);
      }
      user_task(async () => {
        await msleep(1);
        await down_write(sem);
        log.push('w in');
        up_write(sem);
      }, 'w');
    });
    expect(r.stop).toBe('completed');
    expect(r.reports).toEqual([]);
    expect(readers_together).toBe(2);
    expect(log).toEqual(['r1 in', 'r2 in', 'r1 out', 'r2 out', 'w in']);
  });

  it('queues new readers behind a waiting writer (FIFO), and down_read_trylock fails meanwhile', async () => {
    const log: string[] = [];
    let trylock_behind_writer = true;
    const r = await start_kernel({}, () => {
      const sem = init_rwsem('shrinker_rwsem');
      user_task(async () => {
        await down_read(sem);
        await msleep(5);
        log.push('r1 out');
        up_read(sem);
      }, 'r1');
      user_task(async () => {
        await msleep(1);
        await down_write(sem); // register_shrinker()
        log.push('w in');
        await msleep(1);
        log.push('w out');
        up_write(sem);
      }, 'w');
      user_task(async () => {
        await msleep(2);
        trylock_behind_writer = down_read_trylock(sem); // shrink_slab() would give up here
        await down_read(sem);
        log.push('r2 in');
        up_read(sem);
      }, 'r2');
    });
    expect(r.stop).toBe('completed');
    expect(trylock_behind_writer).toBe(false);
    expect(log).toEqual(['r1 out', 'w in', 'w out', 'r2 in']);
  });

  it('down_write_trylock needs a completely free rwsem; down_read_trylock fails under a writer', async () => {
    const seen: boolean[] = [];
    const r = await start_kernel({}, () => {
      const sem = init_rwsem('sem');
      user_task(async () => {
        seen.push(down_read_trylock(sem)); // true
        seen.push(down_write_trylock(sem)); // false: a reader holds it
        up_read(sem);
        seen.push(down_write_trylock(sem)); // true
        seen.push(down_read_trylock(sem)); // false: a writer holds it
        up_write(sem);
        seen.push(rwsem_is_locked(sem)); // false
      }, 'a');
    });
    expect(r.reports).toEqual([]);
    expect(seen).toEqual([true, false, true, false, false]);
  });

  it('names the rwsem and its holder when a writer deadlocks against a reader', async () => {
    const r = await start_kernel({}, () => {
      const sem = init_rwsem('shrinker_rwsem');
      user_task(async () => {
        await down_read(sem, 'shrink_slab');
        await down_write(sem, 'register_shrinker');
      }, 'upgrader');
    });
    expect(r.stop).toBe('deadlock');
    expect(r.reports[0]!.title).toBe('possible recursive locking detected');
    expect(r.reports[0]!.lines).toContain(` (shrinker_rwsem){++++..}, at: ${print_ip_sym('register_shrinker')}`);
    expect(r.reports[0]!.lines).toContain(` (shrinker_rwsem){++++..}, at: ${print_ip_sym('shrink_slab')}`);
    const dl = r.reports.find((x) => x.kind === 'deadlock')!;
    expect(dl.lines.join('\n')).toContain('upgrader:1 (D) waits for rwsem shrinker_rwsem, held by upgrader:1');
  });

  it('lockdep orders read acquisitions too: shrinker_rwsem read then a mutex, against the mutex then a write, is a cycle', async () => {
    const r = await start_kernel({}, () => {
      const sem = init_rwsem('shrinker_rwsem');
      const m = mutex_init('&dev->struct_mutex');
      user_task(async () => {
        await down_read(sem, 'shrink_slab');
        await mutex_lock(m, 'i915_gem_shrinker_scan');
        mutex_unlock(m);
        up_read(sem);
      }, 'reclaim');
      user_task(async () => {
        await mutex_lock(m, 'i915_gem_init');
        await down_write(sem, 'register_shrinker');
        up_write(sem);
        mutex_unlock(m);
      }, 'register');
    });
    expect(r.reports.map((x) => x.title)).toEqual(['possible circular locking dependency detected']);
    expect(r.reports[0]!.lines).toContain(` (shrinker_rwsem){++++..}, at: ${print_ip_sym('register_shrinker')}`);
    expect(r.reports[0]!.lines).toContain('       i915_gem_shrinker_scan');
  });

  it('gives a DECLARE_RWSEM back free at the next boot', async () => {
    const sem: rw_semaphore = DECLARE_RWSEM('static_rwsem');
    await start_kernel({}, () => {
      kthread_run(async () => {
        await down_write(sem);
      }, 'leaker');
    });
    expect(rwsem_is_locked(sem)).toBe(true);
    let got = false;
    const r = await start_kernel({}, () => {
      user_task(async () => {
        got = down_write_trylock(sem);
        up_write(sem);
      }, 'next_boot');
    });
    expect(r.reports).toEqual([]);
    expect(got).toBe(true);
  });
});
