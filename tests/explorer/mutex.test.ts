import { describe, expect, it } from 'vitest';
import { explore } from '../../explorer/explore';
import { expectFailure, expectNoFailures } from '../../explorer/expect';
import { replay } from '../../explorer/replay';
import { abba_mutex, owner_word_recursion } from './mutex_fixtures';

describe('explorer on the model mutex', () => {
  it('finds the ABBA mutex deadlock within bound 2 and nothing in the fixed order, covering both spaces', async () => {
    const bad = await explore(abba_mutex(true, false), { preemption_bound: 2 });
    expect(bad.exhausted).toBe(true);
    expect(bad.failures.map((f) => [f.kind, f.title, f.preemptions])).toEqual([['deadlock', 'deadlock: task_ab:1 -> task_ba:2', 1]]);
    expect(bad.failures[0]!.report.lines.join('\n')).toContain('wait-for cycle: task_ab:1 -> mutex lock_b -> task_ba:2 -> mutex lock_a -> task_ab:1');
    const good = await explore(abba_mutex(false, false), { preemption_bound: 2 });
    expect(good.exhausted).toBe(true);
    expect(good.failures).toEqual([]);
  });

  it('with lockdep on, reports the lockdep prediction from the default run and the deadlock with one preemption', async () => {
    const x = await explore(abba_mutex(true, true), { preemption_bound: 2 });
    expect(x.failures.map((f) => [f.kind, f.title, f.preemptions])).toEqual([
      ['lockdep', 'possible circular locking dependency detected', 0],
      ['deadlock', 'deadlock: task_ab:1 -> task_ba:2', 1],
    ]);
    expect((await explore(abba_mutex(false, true))).failures).toEqual([]);
  });

  it('finds the raw owner-word recursion check only when a waiter sets MUTEX_FLAG_WAITERS: missed by the default run, found by exhaustive mode', async () => {
    const sc = owner_word_recursion(true);
    const single = await explore(sc, { preemption_bound: 0 });
    expect(single.schedules).toBe(1);
    expect(single.failures).toEqual([]);
    const x = await explore(sc, { preemption_bound: 2 });
    expect(x.exhausted).toBe(true);
    expect(x.failures.map((f) => [f.kind, f.preemptions])).toEqual([['assert', 1]]);
    expect(x.failures[0]!.title).toMatch(/recursion check returned 0 \(not RECURSIVE\) while gem_ioctl held struct_mutex \(owner gem_ioctl\)/);
    // The replay shows why: the owner word carries the WAITERS bit when the check runs.
    const r = await replay(sc, x.failures[0]!.schedule_string);
    const contended = r.timeline.find((e) => e.type === 'event' && e.event === 'lock_contended');
    expect(contended).toBeDefined();
    // The holder's task_struct address is the boot's (kernel/sched/task.ts): whatever it is, the release shows it with WAITERS (bit 0) set.
    const held = /i915_worker-2 +\[\d{3}\] lock_contended: lock=&dev->struct_mutex owner_word=0x([0-9a-f]+) flags=0x0/.exec(r.timeline_text);
    expect(held).not.toBeNull();
    const word = Number.parseInt(held![1]!, 16);
    expect(word & 0x3f).toBe(0);
    expect(r.timeline_text).toContain(`lock_release: lock=&dev->struct_mutex owner_word=0x${(word | 1).toString(16)} flags=0x1`);
  });

  it('passes the masked check (__mutex_owner, as mutex_trylock_recursive does) in every schedule within the bound', async () => {
    await expectNoFailures(owner_word_recursion(false), { preemption_bound: 2 });
    await expectFailure(owner_word_recursion(true), 'assert');
  });

  it('replays every mutex failure identically from its schedule string', async () => {
    for (const sc of [abba_mutex(true, true), owner_word_recursion(true)]) {
      for (const f of (await explore(sc)).failures) {
        const a = await replay(sc, f.schedule_string);
        const b = await replay(sc, f.schedule_string);
        expect(a.failures.map((g) => g.signature)).toContain(f.signature);
        expect(b.dmesg_text).toBe(a.dmesg_text);
        expect(b.result.reports).toEqual(a.result.reports);
        expect(b.timeline_text).toBe(a.timeline_text);
      }
    }
  });
});
