import { describe, expect, it } from 'vitest';
import { start_kernel } from '../../kernel/init/main';
import { user_task } from '../../kernel/fork';
import { kthread_run } from '../../kernel/kthread';
import {
  __fs_reclaim_acquire,
  __fs_reclaim_map,
  __fs_reclaim_release,
  debug_show_all_locks,
  fs_reclaim_acquire,
  fs_reclaim_release,
  lock_is_held,
  lock_map_acquire,
  lock_map_acquire_read,
  lock_map_release,
  lock_release,
  lockdep_dependencies,
  lockdep_map,
  lockdep_clear_current_reclaim_state,
  lockdep_print_held_locks,
  lockdep_set_current_reclaim_state,
  lockdep_trace_alloc,
  model_enter_caller,
} from '../../kernel/locking/lockdep';
import { mutex_init, mutex_lock, mutex_trylock, mutex_unlock, type mutex } from '../../kernel/locking/mutex';
import { down_read, init_rwsem, up_read } from '../../kernel/locking/rwsem';
import { GFP_ATOMIC, GFP_KERNEL, GFP_NOFS, __GFP_NOMEMALLOC } from '../../kernel/mm/gfp';
import { complete, init_completion, wait_for_completion } from '../../kernel/sched/completion';
import { current, msleep } from '../../kernel/sched/core';
import { PF_MEMALLOC } from '../../kernel/sched/task';
import type { kernel_report } from '../../kernel/panic';
import { print_ip_sym } from '../../kernel/lib/dump_stack';

/** The v4.14 release of lockdep: the fs_reclaim pseudo-lock, "WARNING:" headers, four usage characters. */
const V4_14 = { lockdep_release: '4.14' } as const;

function lockdep_reports(reports: readonly kernel_report[]): kernel_report[] {
  return reports.filter((r) => r.kind === 'lockdep');
}

/** Two tasks that take A then B, and B then A, one after the other (no deadlock in this schedule). */
function abba(A: mutex, B: mutex): void {
  user_task(async () => {
    await mutex_lock(A, 'first_path');
    await mutex_lock(B, 'first_path');
    mutex_unlock(B);
    mutex_unlock(A);
  }, 't1');
  user_task(async () => {
    await mutex_lock(B, 'second_path');
    await mutex_lock(A, 'second_path');
    mutex_unlock(A);
    mutex_unlock(B);
  }, 't2');
}

describe('lockdep', () => {
  it('reports a self-deadlock as possible recursive locking, and the run then deadlocks on the one-task cycle', async () => {
    const r = await start_kernel({}, () => {
      const m = mutex_init('&dev->struct_mutex');
      user_task(async () => {
        await mutex_lock(m, 'i915_gem_shrinker_lock');
        await mutex_lock(m, 'i915_gem_shrink_all');
      }, 'self');
    });
    expect(r.stop).toBe('deadlock');
    expect(r.reports.map((x) => x.kind)).toEqual(['lockdep', 'hung_task', 'deadlock']);
    const splat = r.reports[0]!;
    expect(splat.title).toBe('possible recursive locking detected');
    expect(splat.lines.slice(0, 12)).toEqual([
      '',
      '=============================================',
      '[ INFO: possible recursive locking detected ]',
      '4.11.0-shrinkerlab #1 Not tainted',
      '---------------------------------------------',
      'self/1 is trying to acquire lock:',
      ` (&dev->struct_mutex){+.+...}, at: ${print_ip_sym('i915_gem_shrink_all')}`,
      '',
      'but task is already holding lock:',
      ` (&dev->struct_mutex){+.+...}, at: ${print_ip_sym('i915_gem_shrinker_lock')}`,
      '',
      'other info that might help us debug this:',
    ]);
    expect(splat.lines).toContain('  lock(&dev->struct_mutex);');
    expect(splat.lines).toContain(' May be due to missing lock nesting notation');
    expect(splat.lines).toContain('1 lock held by self/1:');
    expect(splat.lines).toContain(` #0:  (&dev->struct_mutex){+.+...}, at: ${print_ip_sym('i915_gem_shrinker_lock')}`);
    expect(r.reports[2]!.title).toBe('deadlock: self:1');
    expect(r.reports[2]!.lines.join('\n')).toContain('wait-for cycle: self:1 -> mutex &dev->struct_mutex -> self:1');
  });

  it('predicts an ABBA deadlock between two tasks even in a schedule where none happens', async () => {
    const r = await start_kernel({}, () => abba(mutex_init('A'), mutex_init('B')));
    expect(r.stop).toBe('completed');
    expect(r.reports).toHaveLength(1);
    const s = r.reports[0]!;
    expect(s.kind).toBe('lockdep');
    expect(s.title).toBe('possible circular locking dependency detected');
    expect(s.comm).toBe('t2');
    expect(s.lines).toEqual([
      '',
      '======================================================',
      '[ INFO: possible circular locking dependency detected ]',
      '4.11.0-shrinkerlab #1 Not tainted',
      '-------------------------------------------------------',
      't2/2 is trying to acquire lock:',
      ` (A){+.+...}, at: ${print_ip_sym('second_path')}`,
      '',
      'but task is already holding lock:',
      ` (B){+.+...}, at: ${print_ip_sym('second_path')}`,
      '',
      'which lock already depends on the new lock.',
      '',
      '',
      'the existing dependency chain (in reverse order) is:',
      '',
      '-> #1 (B){+.+...}:',
      '       first_path',
      '       (model) taken while holding A, by t1/1',
      '',
      '-> #0 (A){+.+...}:',
      '       second_path',
      '       (model) being taken now by t2/2',
      '',
      'other info that might help us debug this:',
      '',
      ' Possible unsafe locking scenario:',
      '',
      '       CPU0                    CPU1',
      '       ----                    ----',
      '  lock(B);',
      '                               lock(A);',
      '                               lock(B);',
      '  lock(A);',
      '',
      ' *** DEADLOCK ***',
      '',
      '1 lock held by t2/2:',
      ` #0:  (B){+.+...}, at: ${print_ip_sym('second_path')}`,
      '',
      'stack backtrace:',
      'CPU: 0 PID: 2 Comm: t2 Not tainted 4.11.0-shrinkerlab #1',
    ]);
  });

  it('prints "Chain exists of" for a three-lock cycle', async () => {
    const r = await start_kernel({}, () => {
      const [A, B, C] = ['A', 'B', 'C'].map((n) => mutex_init(n)) as [mutex, mutex, mutex];
      const pair = (x: mutex, y: mutex, comm: string): void => {
        user_task(async () => {
          await mutex_lock(x);
          await mutex_lock(y);
          mutex_unlock(y);
          mutex_unlock(x);
        }, comm);
      };
      pair(A, B, 'ab');
      pair(B, C, 'bc');
      pair(C, A, 'ca');
    });
    const s = lockdep_reports(r.reports);
    expect(s).toHaveLength(1);
    expect(s[0]!.lines).toContain('Chain exists of:');
    expect(s[0]!.lines).toContain('  A --> B --> C');
    expect(s[0]!.lines).toContain('-> #2 (C){+.+...}:');
  });

  it('reports only the first problem of a boot: lockdep turns itself off (debug_locks_off)', async () => {
    const r = await start_kernel({}, () => {
      abba(mutex_init('A'), mutex_init('B'));
      user_task(async () => {
        await msleep(1);
        const m = mutex_init('X');
        await mutex_lock(m);
        mutex_unlock(m); // balanced
        lock_release(new lockdep_map('never_taken'), 'nowhere'); // would be a bad unlock balance
      }, 'later');
    });
    expect(lockdep_reports(r.reports).map((x) => x.title)).toEqual(['possible circular locking dependency detected']);
  });

  it('adds no dependency towards a trylock, but orders later locks after it and the lock below it', async () => {
    let edges: string[] = [];
    const r = await start_kernel({}, () => {
      const A = mutex_init('A');
      const B = mutex_init('B');
      const C = mutex_init('C');
      user_task(async () => {
        await mutex_lock(A);
        mutex_trylock(B);
        await mutex_lock(C);
        mutex_unlock(C);
        mutex_unlock(B);
        mutex_unlock(A);
        edges = lockdep_dependencies().map((e) => `${e.from}->${e.to}`);
      }, 'walker');
      user_task(async () => {
        // B then A would close A -> B if the trylock had added it: it did not.
        await mutex_lock(B);
        await mutex_lock(A);
        mutex_unlock(A);
        mutex_unlock(B);
      }, 'ba');
    });
    expect(edges.sort()).toEqual(['A->C', 'B->C']);
    expect(r.reports).toEqual([]);
  });

  it('closes a cycle through a lock taken after a trylock', async () => {
    const r = await start_kernel({}, () => {
      const A = mutex_init('A');
      const B = mutex_init('B');
      const C = mutex_init('C');
      user_task(async () => {
        await mutex_lock(A);
        mutex_trylock(B);
        await mutex_lock(C);
        mutex_unlock(C);
        mutex_unlock(B);
        mutex_unlock(A);
      }, 'walker');
      user_task(async () => {
        await mutex_lock(C);
        await mutex_lock(A);
        mutex_unlock(A);
        mutex_unlock(C);
      }, 'ca');
    });
    expect(lockdep_reports(r.reports).map((x) => x.title)).toEqual(['possible circular locking dependency detected']);
  });

  it('records only the direct dependencies of nested locks (A->B, B->C; A->C follows from them)', async () => {
    let edges: string[] = [];
    await start_kernel({}, () => {
      const [A, B, C] = ['A', 'B', 'C'].map((n) => mutex_init(n)) as [mutex, mutex, mutex];
      user_task(async () => {
        await mutex_lock(A);
        await mutex_lock(B);
        await mutex_lock(C);
        mutex_unlock(C);
        mutex_unlock(B);
        mutex_unlock(A);
        edges = lockdep_dependencies().map((e) => `${e.from}->${e.to}`);
      }, 'x');
    });
    expect(edges).toEqual(['A->B', 'B->C']);
  });

  it('re-chains the locks above one released out of order', async () => {
    let edges: string[] = [];
    await start_kernel({}, () => {
      const [A, B, C] = ['A', 'B', 'C'].map((n) => mutex_init(n)) as [mutex, mutex, mutex];
      user_task(async () => {
        await mutex_lock(A);
        await mutex_lock(B);
        mutex_unlock(A); // not the innermost
        await mutex_lock(C);
        mutex_unlock(C);
        mutex_unlock(B);
        edges = lockdep_dependencies().map((e) => `${e.from}->${e.to}`);
      }, 'x');
    });
    expect(edges).toEqual(['A->B', 'B->C']);
  });

  it('v4.14: sees "lock L held across a GFP_KERNEL allocation" plus "L taken in reclaim" as a cycle through fs_reclaim', async () => {
    const scenario = (take_in_reclaim: (L: mutex) => Promise<boolean>) => () => {
      const L = mutex_init('&dev->struct_mutex');
      user_task(async () => {
        await mutex_lock(L, 'i915_gem_object_get_pages');
        // what the allocator does around an allocation that may reclaim
        fs_reclaim_acquire(GFP_KERNEL);
        fs_reclaim_release(GFP_KERNEL);
        mutex_unlock(L);
      }, 'ioctl');
      kthread_run(async () => {
        // __perform_reclaim / kswapd: reclaim holds fs_reclaim, under PF_MEMALLOC
        fs_reclaim_acquire(GFP_KERNEL);
        current.flags |= PF_MEMALLOC;
        if (await take_in_reclaim(L)) mutex_unlock(L);
        current.flags &= ~PF_MEMALLOC;
        fs_reclaim_release(GFP_KERNEL);
      }, 'kswapd0');
    };
    const blocking = await start_kernel(
      V4_14,
      scenario(async (L) => {
        await mutex_lock(L, 'i915_gem_shrinker_scan');
        return true;
      }),
    );
    const s = lockdep_reports(blocking.reports);
    expect(s.map((x) => x.title)).toEqual(['possible circular locking dependency detected']);
    // v4.14's header (a5dd63efda3d): "WARNING:", rules as wide as the header.
    expect(s[0]!.lines.slice(0, 5)).toEqual([
      '',
      '======================================================',
      'WARNING: possible circular locking dependency detected',
      '4.11.0-shrinkerlab #1 Not tainted',
      '------------------------------------------------------',
    ]);
    expect(s[0]!.lines).toContain('kswapd0/2 is trying to acquire lock:');
    expect(s[0]!.lines).toContain(` (&dev->struct_mutex){+.+.}, at: ${print_ip_sym('i915_gem_shrinker_scan')}`);
    expect(s[0]!.lines).toContain(` (fs_reclaim){+.+.}, at: ${print_ip_sym('fs_reclaim_acquire')}`);
    expect(s[0]!.lines).toContain('  lock(fs_reclaim);');

    const trying = await start_kernel(V4_14, scenario(async (L) => mutex_trylock(L, 'i915_gem_shrinker_scan')));
    expect(trying.reports).toEqual([]);
  });

  it('v4.14: takes fs_reclaim only for allocations that may enter FS reclaim from outside reclaim', async () => {
    const held: Record<string, boolean> = {};
    const probe = (name: string, gfp: number): void => {
      fs_reclaim_acquire(gfp);
      held[name] = lock_is_held(__fs_reclaim_map);
      fs_reclaim_release(gfp);
    };
    const r = await start_kernel(V4_14, () => {
      user_task(async () => {
        probe('GFP_KERNEL', GFP_KERNEL);
        probe('GFP_NOFS', GFP_NOFS);
        probe('GFP_ATOMIC', GFP_ATOMIC);
        current.flags |= PF_MEMALLOC;
        probe('GFP_KERNEL under PF_MEMALLOC', GFP_KERNEL);
        probe('GFP_KERNEL|__GFP_NOMEMALLOC under PF_MEMALLOC', GFP_KERNEL | __GFP_NOMEMALLOC);
        current.flags &= ~PF_MEMALLOC;
        __fs_reclaim_acquire();
        held['__fs_reclaim_acquire'] = lock_is_held(__fs_reclaim_map);
        __fs_reclaim_release();
      }, 'alloc');
    });
    expect(r.reports).toEqual([]);
    expect(held).toEqual({
      GFP_KERNEL: true,
      GFP_NOFS: false,
      GFP_ATOMIC: false,
      'GFP_KERNEL under PF_MEMALLOC': false,
      'GFP_KERNEL|__GFP_NOMEMALLOC under PF_MEMALLOC': true,
      __fs_reclaim_acquire: true,
    });
  });

  it('reports a release of a lock the task does not hold as bad unlock balance', async () => {
    const r = await start_kernel({}, () => {
      const m = mutex_init('&dev->struct_mutex');
      user_task(async () => {
        mutex_unlock(m, 'i915_gem_shrinker_unlock');
      }, 'unbalanced');
    });
    const s = lockdep_reports(r.reports);
    expect(s).toHaveLength(1);
    expect(s[0]!.lines).toEqual([
      '',
      '=====================================',
      '[ BUG: bad unlock balance detected! ]',
      '4.11.0-shrinkerlab #1 Not tainted',
      '-------------------------------------',
      'unbalanced/1 is trying to release lock (&dev->struct_mutex) at:',
      'i915_gem_shrinker_unlock',
      'but there are no more locks to release!',
      '',
      'other info that might help us debug this:',
      'no locks held by unbalanced/1.',
      '',
      'stack backtrace:',
      'CPU: 1 PID: 1 Comm: unbalanced Not tainted 4.11.0-shrinkerlab #1',
    ]);
  });

  it('reports a task that exits holding a lock', async () => {
    const r = await start_kernel({}, () => {
      const m = mutex_init('&dev->struct_mutex');
      user_task(async () => {
        await mutex_lock(m, 'i915_gem_ioctl');
      }, 'leaker');
    });
    expect(r.reports.map((x) => [x.kind, x.title])).toEqual([['lockdep', 'leaker/1 still has locks held!']]);
    expect(r.reports[0]!.lines.slice(1, 7)).toEqual([
      '=====================================',
      '[ BUG: leaker/1 still has locks held! ]',
      '4.11.0-shrinkerlab #1 Not tainted',
      '-------------------------------------',
      '1 lock held by leaker/1:',
      ` #0:  (&dev->struct_mutex){+.+...}, at: ${print_ip_sym('i915_gem_ioctl')}`,
    ]);
  });

  it('lists held locks per task and for the whole system', async () => {
    let mine: string[] = [];
    let all: string[] = [];
    let nothing: string[] = [];
    await start_kernel({}, () => {
      const A = mutex_init('A');
      const B = mutex_init('B');
      user_task(async () => {
        await mutex_lock(A, 'outer');
        await mutex_lock(B, 'inner');
        await msleep(5);
        mutex_unlock(B);
        mutex_unlock(A);
      }, 'holder');
      user_task(async () => {
        await msleep(1);
        mine = lockdep_print_held_locks(current);
        all = debug_show_all_locks();
        await mutex_lock(A);
        nothing = lockdep_print_held_locks(current);
        mutex_unlock(A);
      }, 'looker');
    });
    expect(mine).toEqual(['no locks held by looker/2.']);
    expect(all).toEqual([
      '',
      'Showing all locks held in the system:',
      '2 locks held by holder/1:',
      ` #0:  (A){+.+...}, at: ${print_ip_sym('outer')}`,
      ` #1:  (B){+.+...}, at: ${print_ip_sym('inner')}`,
      '',
      '=============================================',
      '',
    ]);
    expect(nothing).toEqual(['1 lock held by looker/2:', ` #0:  (A){+.+...}, at: ${print_ip_sym('mutex_lock')}`]);
  });

  it('names the bracketed function that took a lock without naming its site (the learner\'s _RET_IP_), in v4.11\'s print_ip_sym form', async () => {
    let held: string[] = [];
    let after: string[] = [];
    await start_kernel({}, () => {
      const A = mutex_init('A');
      const B = mutex_init('B');
      user_task(async () => {
        const leave_outer = model_enter_caller('i915_gem_shrinker_lock');
        const leave_inner = model_enter_caller('helper_without_site');
        await mutex_lock(A);
        leave_inner();
        await mutex_lock(B);
        held = lockdep_print_held_locks(current);
        leave_outer();
        mutex_unlock(B);
        mutex_unlock(A);
        await mutex_lock(A, 'named_site');
        after = lockdep_print_held_locks(current);
        mutex_unlock(A);
      }, 'learner');
    });
    expect(held).toEqual([
      '2 locks held by learner/1:',
      ` #0:  (A){+.+...}, at: ${print_ip_sym('helper_without_site')}`,
      ` #1:  (B){+.+...}, at: ${print_ip_sym('i915_gem_shrinker_lock')}`,
    ]);
    expect(print_ip_sym('i915_gem_shrinker_lock')).toMatch(/^\[<ffffffffa0[0-9a-f]{6}>\] i915_gem_shrinker_lock\+0x[0-9a-f]+\/0x[0-9a-f]+ \[i915\]$/);
    expect(print_ip_sym('shrink_slab')).toMatch(/^\[<ffffffff81[0-9a-f]{6}>\] shrink_slab\+0x[0-9a-f]+\/0x[0-9a-f]+$/);
    expect(after).toEqual(['1 lock held by learner/1:', ` #0:  (A){+.+...}, at: ${print_ip_sym('named_site')}`]);
  });

  it('allows recursive-read pseudo-locks to nest but reports flushing a work item from inside itself', async () => {
    const r = await start_kernel({}, () => {
      const wq = new lockdep_map('events');
      const work = new lockdep_map('(&obj->free_work)');
      kthread_run(async () => {
        // process_one_work(): the workqueue's map (read, recursive) and the work's map
        lock_map_acquire_read(wq, 'process_one_work');
        lock_map_acquire_read(wq, 'process_one_work');
        lock_map_release(wq);
        lock_map_acquire(work, 'process_one_work');
        // flush_work(&this work) from the work function itself
        lock_map_acquire(work, 'flush_work');
        lock_map_release(work);
        lock_map_release(work);
        lock_map_release(wq);
      }, 'kworker/0:1');
    });
    expect(lockdep_reports(r.reports).map((x) => x.title)).toEqual(['possible recursive locking detected']);
    expect(r.reports[0]!.lines).toContain(` ((&obj->free_work)){+.+...}, at: ${print_ip_sym('flush_work')}`);
    expect(r.reports[0]!.lines).toContain(` #0:  (events){.+.+..}, at: ${print_ip_sym('process_one_work')}`);
  });

  it('tracks nothing and reports nothing when lockdep is not built in', async () => {
    let depth = -1;
    const r = await start_kernel({ lockdep: false }, () => {
      abba(mutex_init('A'), mutex_init('B'));
      user_task(async () => {
        const m = mutex_init('C');
        await mutex_lock(m);
        depth = current.held_locks.length;
        mutex_unlock(m);
      }, 'c');
    });
    expect(r.reports).toEqual([]);
    expect(depth).toBe(0);
  });

  describe('v4.11 reclaim tracking: RECLAIM_FS usage bits (cf40bd16fdad; mm/page_alloc.c, mm/vmscan.c)', () => {
    /** What __perform_reclaim does around try_to_free_pages for an allocation with @gfp, running @body in between. */
    async function in_reclaim(gfp: number, body: () => Promise<void>): Promise<void> {
      current.flags |= PF_MEMALLOC;
      lockdep_set_current_reclaim_state(gfp);
      await body();
      lockdep_clear_current_reclaim_state();
      current.flags &= ~PF_MEMALLOC;
    }

    it('reports a lock held across a GFP_KERNEL allocation and taken again in reclaim as inconsistent lock state, ahead of the recursion', async () => {
      const r = await start_kernel({}, () => {
        const L = mutex_init('&dev->struct_mutex');
        user_task(async () => {
          await mutex_lock(L, 'i915_gem_do_execbuffer');
          lockdep_trace_alloc(GFP_KERNEL, 'kmalloc'); // the allocation may enter reclaim ...
          await in_reclaim(GFP_KERNEL, async () => {
            await mutex_lock(L, 'i915_gem_shrinker_scan'); // ... which takes the lock again
          });
        }, 'ioctl');
      });
      expect(r.reports.map((x) => [x.kind, x.title])).toEqual([
        ['lockdep', 'inconsistent lock state'],
        ['hung_task', 'task ioctl:1 blocked for more than 120 seconds'],
        ['deadlock', 'deadlock: ioctl:1'],
      ]);
      expect(r.reports[0]!.lines).toEqual([
        '',
        '=================================',
        '[ INFO: inconsistent lock state ]',
        '4.11.0-shrinkerlab #1 Not tainted',
        '---------------------------------',
        'inconsistent {RECLAIM_FS-ON-W} -> {IN-RECLAIM_FS-W} usage.',
        'ioctl/1 [HC0[0]:SC0[0]:HE1:SE1] takes:',
        ` (&dev->struct_mutex){+.+.?.}, at: ${print_ip_sym('i915_gem_shrinker_scan')}`,
        '{RECLAIM_FS-ON-W} state was registered at:',
        '  kmalloc',
        '  (model) held (taken at i915_gem_do_execbuffer) across a GFP_KERNEL allocation by ioctl/1',
        '',
        'other info that might help us debug this:',
        ' Possible unsafe locking scenario:',
        '',
        '       CPU0',
        '       ----',
        '  lock(&dev->struct_mutex);',
        '  <Interrupt>',
        '    lock(&dev->struct_mutex);',
        '',
        ' *** DEADLOCK ***',
        '',
        '1 lock held by ioctl/1:',
        ` #0:  (&dev->struct_mutex){+.+.?.}, at: ${print_ip_sym('i915_gem_do_execbuffer')}`,
        '',
        'stack backtrace:',
        'CPU: 1 PID: 1 Comm: ioctl Not tainted 4.11.0-shrinkerlab #1',
      ]);
    });

    it('reports the other order too: taken in reclaim first, then held across an allocation', async () => {
      const r = await start_kernel({}, () => {
        const L = mutex_init('&dev->struct_mutex');
        kthread_run(async () => {
          await in_reclaim(GFP_KERNEL, async () => {
            await mutex_lock(L, 'i915_gem_shrinker_scan');
            mutex_unlock(L);
          });
        }, 'kswapd0');
        user_task(async () => {
          await mutex_lock(L, 'i915_gem_do_execbuffer');
          lockdep_trace_alloc(GFP_KERNEL, 'kmalloc');
          mutex_unlock(L);
        }, 'ioctl');
      });
      const s = lockdep_reports(r.reports);
      expect(s.map((x) => x.title)).toEqual(['inconsistent lock state']);
      expect(s[0]!.lines.slice(5, 11)).toEqual([
        'inconsistent {IN-RECLAIM_FS-W} -> {RECLAIM_FS-ON-W} usage.',
        'ioctl/2 [HC0[0]:SC0[0]:HE1:SE1] takes:',
        ` (&dev->struct_mutex){+.+.?.}, at: ${print_ip_sym('i915_gem_do_execbuffer')}`,
        '{IN-RECLAIM_FS-W} state was registered at:',
        '  i915_gem_shrinker_scan',
        '  (model) taken in reclaim (GFP_KERNEL) by kswapd0/1',
      ]);
    });

    it('marks nothing for a trylock in reclaim, a GFP_NOFS or GFP_ATOMIC allocation, an allocation by reclaim itself, or reclaim for GFP_NOFS', async () => {
      const usage: Record<string, string> = {};
      const r = await start_kernel({}, () => {
        const names = ['tried', 'nofs', 'atomic', 'memalloc', 'nofs_reclaim', 'memalloc_nomemalloc'];
        const L = Object.fromEntries(names.map((n) => [n, mutex_init(n)]));
        user_task(async () => {
          await in_reclaim(GFP_KERNEL, async () => {
            if (mutex_trylock(L.tried!, 'trylock_in_reclaim')) mutex_unlock(L.tried!);
          });
          current.flags |= PF_MEMALLOC; // reclaim itself (or a memalloc_noreclaim_save section)
          await mutex_lock(L.memalloc!, 'reclaim_allocates');
          lockdep_trace_alloc(GFP_KERNEL, 'kmalloc'); // will not recurse: nothing marked
          mutex_unlock(L.memalloc!);
          await mutex_lock(L.memalloc_nomemalloc!, 'reclaim_allocates_nomemalloc');
          lockdep_trace_alloc(GFP_KERNEL | __GFP_NOMEMALLOC, 'kmalloc'); // may recurse after all: ON
          mutex_unlock(L.memalloc_nomemalloc!);
          current.flags &= ~PF_MEMALLOC;
          await in_reclaim(GFP_NOFS, async () => {
            await mutex_lock(L.nofs_reclaim!, 'nofs_reclaim');
            mutex_unlock(L.nofs_reclaim!);
          });
          for (const [name, gfp] of [['nofs', GFP_NOFS], ['atomic', GFP_ATOMIC]] as const) {
            await mutex_lock(L[name]!, name);
            lockdep_trace_alloc(gfp, 'kmalloc');
            mutex_unlock(L[name]!);
          }
          for (const n of names) {
            await mutex_lock(L[n]!, 'look');
            usage[n] = lockdep_print_held_locks(current)[1]!;
            mutex_unlock(L[n]!);
          }
        }, 'alloc');
      });
      expect(r.reports).toEqual([]);
      expect(usage).toEqual({
        tried: ` #0:  (tried){+.+...}, at: ${print_ip_sym('look')}`,
        nofs: ` #0:  (nofs){+.+...}, at: ${print_ip_sym('look')}`,
        atomic: ` #0:  (atomic){+.+...}, at: ${print_ip_sym('look')}`,
        memalloc: ` #0:  (memalloc){+.+...}, at: ${print_ip_sym('look')}`,
        nofs_reclaim: ` #0:  (nofs_reclaim){+.+...}, at: ${print_ip_sym('look')}`,
        memalloc_nomemalloc: ` #0:  (memalloc_nomemalloc){+.+.+.}, at: ${print_ip_sym('look')}`,
      });
    });

    it('keeps read and write apart: ON-R conflicts only with IN-W, IN-R only with ON-W', async () => {
      const run = (held_for_read: boolean, taken_for_read: boolean) =>
        start_kernel({}, () => {
          const sem = init_rwsem('&sb->s_umount');
          user_task(async () => {
            if (held_for_read) await down_read(sem, 'iterate_supers');
            else lock_map_acquire(sem.dep_map, 'do_remount');
            lockdep_trace_alloc(GFP_KERNEL, 'kmalloc');
            if (held_for_read) up_read(sem);
            else lock_map_release(sem.dep_map);
            await in_reclaim(GFP_KERNEL, async () => {
              if (taken_for_read) {
                await down_read(sem, 'super_cache_scan');
                up_read(sem);
              } else {
                lock_map_acquire(sem.dep_map, 'reclaim_write');
                lock_map_release(sem.dep_map);
              }
            });
          }, 'u');
        }).then((r) => lockdep_reports(r.reports).map((x) => x.lines[5]));
      expect(await run(true, true)).toEqual([]);
      expect(await run(true, false)).toEqual(['inconsistent {RECLAIM_FS-ON-R} -> {IN-RECLAIM_FS-W} usage.']);
      expect(await run(false, true)).toEqual(['inconsistent {RECLAIM_FS-ON-W} -> {IN-RECLAIM_FS-R} usage.']);
      expect(await run(false, false)).toEqual(['inconsistent {RECLAIM_FS-ON-W} -> {IN-RECLAIM_FS-W} usage.']);
    });

    it('reports a new dependency from a lock taken in reclaim to one held across an allocation (safe -> unsafe)', async () => {
      const r = await start_kernel({}, () => {
        const A = mutex_init('A');
        const B = mutex_init('B');
        kthread_run(async () => {
          await in_reclaim(GFP_KERNEL, async () => {
            await mutex_lock(A, 'shrinker_scan');
            mutex_unlock(A);
          });
        }, 'kswapd0');
        user_task(async () => {
          await mutex_lock(B, 'ioctl_b');
          lockdep_trace_alloc(GFP_KERNEL, 'kmalloc');
          mutex_unlock(B);
          await mutex_lock(A, 'ioctl_a');
          await mutex_lock(B, 'ioctl_ab'); // A -> B: reclaim (holding A) could wait for B's holder, who waits for reclaim
          mutex_unlock(B);
          mutex_unlock(A);
        }, 'ioctl');
      });
      const s = lockdep_reports(r.reports);
      expect(s.map((x) => x.title)).toEqual(['RECLAIM_FS-safe -> RECLAIM_FS-unsafe lock order detected']);
      expect(s[0]!.lines.slice(0, 26)).toEqual([
        '',
        '======================================================',
        '[ INFO: RECLAIM_FS-safe -> RECLAIM_FS-unsafe lock order detected ]',
        '4.11.0-shrinkerlab #1 Not tainted',
        '------------------------------------------------------',
        'ioctl/2 [HC0[0]:SC0[0]:HE1:SE1] is trying to acquire:',
        ` (B){+.+.+.}, at: ${print_ip_sym('ioctl_ab')}`,
        '',
        'and this task is already holding:',
        ` (A){+.+.-.}, at: ${print_ip_sym('ioctl_a')}`,
        'which would create a new lock dependency:',
        ' (A){+.+.-.} -> (B){+.+.+.}',
        '',
        'but this new dependency connects a RECLAIM_FS-irq-safe lock:',
        ' (A){+.+.-.}',
        '... which became RECLAIM_FS-irq-safe at:',
        '  shrinker_scan',
        '  (model) taken in reclaim (GFP_KERNEL) by kswapd0/1',
        '',
        'to a RECLAIM_FS-irq-unsafe lock:',
        ' (B){+.+.+.}',
        '... which became RECLAIM_FS-irq-unsafe at:',
        '...  kmalloc',
        '  (model) held (taken at ioctl_b) across a GFP_KERNEL allocation by ioctl/2',
        '',
        'other info that might help us debug this:',
      ]);
      expect(s[0]!.lines).toContain(' Possible interrupt unsafe locking scenario:');
      expect(s[0]!.lines).toContain('the dependencies between the lock to be acquired and RECLAIM_FS-irq-unsafe lock:');
    });

    it('reports a usage mark that meets the other usage along a recorded dependency (irq lock inversion)', async () => {
      const r = await start_kernel({}, () => {
        const A = mutex_init('A');
        const B = mutex_init('B');
        kthread_run(async () => {
          await in_reclaim(GFP_KERNEL, async () => {
            await mutex_lock(A, 'shrinker_scan');
            mutex_unlock(A);
          });
        }, 'kswapd0');
        user_task(async () => {
          await mutex_lock(A, 'ioctl_a');
          await mutex_lock(B, 'ioctl_ab'); // A -> B, B not yet held across an allocation: fine so far
          mutex_unlock(B);
          mutex_unlock(A);
          await mutex_lock(B, 'ioctl_b');
          lockdep_trace_alloc(GFP_KERNEL, 'kmalloc'); // B becomes RECLAIM_FS-ON: A, taken in reclaim, is taken before it
          mutex_unlock(B);
        }, 'ioctl');
      });
      const s = lockdep_reports(r.reports);
      expect(s.map((x) => x.title)).toEqual(['possible irq lock inversion dependency detected']);
      expect(s[0]!.lines.slice(0, 16)).toEqual([
        '',
        '=========================================================',
        '[ INFO: possible irq lock inversion dependency detected ]',
        '4.11.0-shrinkerlab #1 Not tainted',
        '---------------------------------------------------------',
        'ioctl/2 just changed the state of lock:',
        ` (B){+.+.+.}, at: ${print_ip_sym('ioctl_b')}`,
        'but this lock was taken by another, RECLAIM_FS-safe lock in the past:',
        ' (A){+.+.-.}',
        '',
        'and interrupts could create inverse lock ordering between them.',
        '',
        '',
        'other info that might help us debug this:',
        ' Possible interrupt unsafe locking scenario:',
        '',
      ]);
      expect(s[0]!.lines).toContain('the shortest dependencies between 2nd lock and 1st lock:');
    });

    it('prints six usage characters (hardirq, softirq, reclaim_fs; write, read) and v4.11 banner widths', async () => {
      let held: string[] = [];
      await start_kernel({}, () => {
        const W = mutex_init('W');
        const map = new lockdep_map('R');
        user_task(async () => {
          await mutex_lock(W, 'w');
          lock_map_acquire_read(map, 'r');
          lockdep_trace_alloc(GFP_KERNEL, 'kmalloc');
          held = lockdep_print_held_locks(current);
          lock_map_release(map);
          mutex_unlock(W);
        }, 'u');
      });
      expect(held).toEqual(['2 locks held by u/1:', ` #0:  (W){+.+.+.}, at: ${print_ip_sym('w')}`, ` #1:  (R){.+.+.+}, at: ${print_ip_sym('r')}`]);
    });
  });

  describe('the v4.14 release', () => {
    it('has no RECLAIM_FS bits (lockdep_trace_alloc does nothing), four usage characters and "WARNING:" headers', async () => {
      const r = await start_kernel(V4_14, () => {
        const L = mutex_init('&dev->struct_mutex');
        user_task(async () => {
          await mutex_lock(L, 'i915_gem_do_execbuffer');
          lockdep_trace_alloc(GFP_KERNEL, 'kmalloc');
          current.flags |= PF_MEMALLOC;
          lockdep_set_current_reclaim_state(GFP_KERNEL);
          await mutex_lock(L, 'i915_gem_shrinker_scan');
        }, 'ioctl');
      });
      const s = lockdep_reports(r.reports);
      expect(s.map((x) => x.title)).toEqual(['possible recursive locking detected']);
      expect(s[0]!.lines.slice(0, 7)).toEqual([
        '',
        '============================================',
        'WARNING: possible recursive locking detected',
        '4.11.0-shrinkerlab #1 Not tainted',
        '--------------------------------------------',
        'ioctl/1 is trying to acquire lock:',
        ` (&dev->struct_mutex){+.+.}, at: ${print_ip_sym('i915_gem_shrinker_scan')}`,
      ]);
    });
  });

  describe('cross-release (v4.14-rc1)', () => {
    // T1 holds A and waits for C; T2 completes C while holding A. T2 runs
    // first and completes C once under A (so lockdep can learn C -> A); T1
    // then takes A and waits for C twice, and T2's second round blocks on A:
    // a real deadlock.
    const t2_first = () => {
      const A = mutex_init('&dev->struct_mutex');
      const C = init_completion('free_done');
      user_task(async () => {
        for (let i = 0; i < 2; i++) {
          await mutex_lock(A, 'free_worker');
          complete(C);
          mutex_unlock(A);
          await msleep(1);
        }
      }, 't2');
      user_task(async () => {
        await mutex_lock(A, 'shrinker');
        await wait_for_completion(C);
        await wait_for_completion(C);
        mutex_unlock(A);
      }, 't1');
    };

    it('with cross-release on, lockdep reports the lock/completion cycle, and the run deadlocks too', async () => {
      const r = await start_kernel({ lockdep_crossrelease: true }, t2_first);
      expect(r.stop).toBe('deadlock');
      const s = lockdep_reports(r.reports);
      expect(s.map((x) => x.title)).toEqual(['possible circular locking dependency detected']);
      expect(s[0]!.lines).toContain('t1/2 is trying to acquire lock:');
      expect(s[0]!.lines).toContain(` ((completion)free_done){+.+.}, at: ${print_ip_sym('wait_for_completion')}`);
      expect(s[0]!.lines).toContain(` (&dev->struct_mutex){+.+.}, at: ${print_ip_sym('shrinker')}`);
      expect(s[0]!.lines).toContain('       (model) held when t2/1 completed (completion)free_done');
      expect(r.reports.map((x) => x.kind)).toContain('deadlock');
    });

    it('with cross-release off (v4.11), only the hang is reported: no lockdep splat', async () => {
      const r = await start_kernel({}, t2_first);
      expect(r.stop).toBe('deadlock');
      expect(r.reports.map((x) => x.kind)).toEqual(['hung_task', 'hung_task', 'deadlock']);
    });
  });
});
