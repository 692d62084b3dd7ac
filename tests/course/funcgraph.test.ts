// course/funcgraph.ts: the learner's calls as trace events, only while the
// trace is on; and, trace on or off, the learner's exported function as the
// site lockdep prints for a lock its code takes (issue 13: v4.11 names the
// caller of mutex_lock(), never mutex_lock+0x...).
import { describe, expect, it } from 'vitest';
import { traced_exports } from '../../course/funcgraph';
import { print_ip_sym } from '../../kernel/lib/dump_stack';
import { user_task } from '../../kernel/fork';
import { start_kernel } from '../../kernel/init/main';
import { lockdep_print_held_locks } from '../../kernel/locking/lockdep';
import { mutex_init, mutex_lock, mutex_trylock, mutex_unlock, type mutex } from '../../kernel/locking/mutex';
import { current, msleep } from '../../kernel/sched/core';

const answer = {
  async count(n: number): Promise<number> {
    return n * 2;
  },
  sync_flag(): boolean {
    return true;
  },
  policy: { batch: 4 },
};

async function run(trace: boolean) {
  const impl = traced_exports(answer);
  const got: unknown[] = [];
  const r = await start_kernel({ trace }, () => {
    user_task(async () => {
      got.push(await impl.count(21), impl.sync_flag());
    }, 'i915_ioctl');
  });
  return { impl, got, events: r.trace.filter((e) => e.event.startsWith('funcgraph_')).map((e) => `${e.comm} ${e.event} ${JSON.stringify(e.fields)}`) };
}

describe('traced_exports', () => {
  it('records each call and what it returned, in the calling task, while the trace is on', async () => {
    const { got, events, impl } = await run(true);
    expect(got).toEqual([42, true]);
    expect(events).toEqual([
      'i915_ioctl funcgraph_entry {"func":"count"}',
      'i915_ioctl funcgraph_exit {"func":"count","retval":42}',
      'i915_ioctl funcgraph_entry {"func":"sync_flag"}',
      'i915_ioctl funcgraph_exit {"func":"sync_flag","retval":true}',
    ]);
    expect(impl.policy).toBe(answer.policy); // data exports are the very objects
  });

  it('records nothing and changes no result with the trace off', async () => {
    const { got, events } = await run(false);
    expect(got).toEqual([42, true]);
    expect(events).toEqual([]);
  });
});

// A learner's file: an exported lock helper that sleeps before it locks (the site must survive an await),
// a non-exported helper it calls, and a sync export that takes a lock with mutex_trylock().
async function take_after_sleep(a: mutex, b: mutex): Promise<void> {
  await msleep(1);
  await mutex_lock(a);
  await nested_helper(b);
}
async function nested_helper(b: mutex): Promise<void> {
  await msleep(1);
  await mutex_lock(b);
}
const learner = {
  i915_gem_shrinker_lock: take_after_sleep,
  try_take(c: mutex): boolean {
    return mutex_trylock(c);
  },
};

async function held_lines(trace: boolean): Promise<{ inside: string[]; after: string[] }> {
  const impl = traced_exports(learner);
  let inside: string[] = [];
  let after: string[] = [];
  await start_kernel({ trace }, () => {
    const [a, b, c, d] = ['A', 'B', 'C', 'D'].map((n) => mutex_init(n)) as [mutex, mutex, mutex, mutex];
    user_task(async () => {
      await impl.i915_gem_shrinker_lock(a, b);
      impl.try_take(c);
      // Back in the course's own code: a lock it takes names the lock call, as before.
      await mutex_lock(d);
      inside = lockdep_print_held_locks(current);
      for (const m of [d, c, b, a]) mutex_unlock(m);
      after = lockdep_print_held_locks(current);
    }, 'i915_ioctl');
  });
  return { inside, after };
}

describe("lockdep's at: for the learner's locks", () => {
  it('names the exported function whose code took the lock (after an await, and through a helper), never the lock call; trace on and off alike', async () => {
    const off = await held_lines(false);
    expect(off.inside).toEqual([
      '4 locks held by i915_ioctl/1:',
      ` #0:  (A){+.+...}, at: ${print_ip_sym('i915_gem_shrinker_lock')}`,
      ` #1:  (B){+.+...}, at: ${print_ip_sym('i915_gem_shrinker_lock')}`,
      ` #2:  (C){+.+...}, at: ${print_ip_sym('try_take')}`,
      ` #3:  (D){+.+...}, at: ${print_ip_sym('mutex_lock')}`,
    ]);
    expect(off.inside[1]).toMatch(/i915_gem_shrinker_lock\+0x[0-9a-f]+\/0x[0-9a-f]+ \[i915\]$/);
    expect(off.after).toEqual(['no locks held by i915_ioctl/1.']);
    expect(await held_lines(true)).toEqual(off);
  });

  it('names the site through a recursion into the same function, and leaves it when the outermost call returns', async () => {
    // A learner's function that reaches itself again (as reclaim re-enters the shrinker), locking at each level.
    const levels = [mutex_init('L0'), mutex_init('L1'), mutex_init('L2')];
    const impl = traced_exports({
      async writeback(depth: number): Promise<void> {
        await mutex_lock(levels[depth]!);
        if (depth < 2) await impl.writeback(depth + 1);
      },
    });
    let inside: string[] = [];
    let after: string[] = [];
    await start_kernel({}, () => {
      const outer = mutex_init('outer');
      user_task(async () => {
        await impl.writeback(0);
        inside = lockdep_print_held_locks(current);
        await mutex_lock(outer);
        after = lockdep_print_held_locks(current).slice(-1);
        mutex_unlock(outer);
        for (const m of [...levels].reverse()) mutex_unlock(m);
      }, 'kswapd0');
    });
    expect(inside.slice(1)).toEqual(['L0', 'L1', 'L2'].map((n, k) => ` #${k}:  (${n}){+.+...}, at: ${print_ip_sym('writeback')}`));
    expect(after).toEqual([` #3:  (outer){+.+...}, at: ${print_ip_sym('mutex_lock')}`]);
  });
});
