// The playground's timeline lanes (explorer/stepper.ts lanes_recorder): each
// task at each decision of the run and each lock it held as a bar of
// decisions. Checked against the stepper's own snapshot at every decision of
// exercise 03's deadlock: who was picked, who was runnable, who held what.
import { describe, expect, it } from 'vitest';
import { step } from '../../site/src/playground_core';

const ID = 'ex03-recursion';

describe('timeline lanes', () => {
  it("agree with the machine at every decision of exercise 03's starter: one task picked (the kernel's choice or the departure), the runnable ones, the locks held as bars, the deadlock's locks held to the end", async () => {
    for (const departures of [[], null] as const) {
      const first = await step(ID, 'starter', [], 0);
      const other = first.view!.runnable.find((t) => t.pid !== first.view!.default_pid)!;
      const deps = departures ?? [{ at: 0, pid: other.pid }];
      const r = await step(ID, 'starter', deps, Number.MAX_SAFE_INTEGER);
      expect(r.lanes.decisions).toBe(r.decisions);
      expect(r.lanes.truncated).toBe(false);
      expect(r.lanes.decisions).toBeGreaterThanOrEqual(2);
      for (let at = 0; at < r.decisions; at++) {
        const v = (await step(ID, 'starter', deps, at)).view!;
        const ran = r.lanes.lanes.filter((l) => l.marks[at] === 'ran').map((l) => l.pid);
        expect(ran, `decision #${at}`).toEqual([deps.find((d) => d.at === at)?.pid ?? v.default_pid]);
        expect(r.lanes.lanes.filter((l) => l.marks[at] === 'ran' || l.marks[at] === 'ready').map((l) => l.pid).sort(), `decision #${at}`).toEqual(v.runnable.map((t) => t.pid).sort());
        for (const lane of v.lanes) {
          const drawn = r.lanes.lanes.find((l) => l.pid === lane.pid);
          const held = drawn ? drawn.holds.filter((h) => h.from <= at && at <= (h.to ?? r.decisions - 1)).map((h) => h.lock).sort() : [];
          expect(held, `${lane.comm}:${lane.pid} at decision #${at}`).toEqual([...new Set(lane.holds)].sort());
        }
      }
      // The deadlock: every lock a task in the cycle holds at the end is a bar to the end of the run.
      expect(r.stop).toBe('deadlock');
      for (const pid of r.end_view.cycle!) {
        const end = r.end_view.lanes.find((l) => l.pid === pid)!;
        const open = r.lanes.lanes.find((l) => l.pid === pid)!.holds.filter((h) => h.to === null).map((h) => h.lock);
        expect(open.sort(), `${end.comm}:${pid}`).toEqual([...new Set(end.holds)].sort());
      }
      expect(r.lanes.lanes.some((l) => l.holds.some((h) => h.to === null))).toBe(true);
    }
  });

  it("says why a task is blocked in the wait's own terms: a mutex held by its owner; v4.10's expedited grace period in words (not started, its work item waiting for a kworker), the wait queue the kworker running it will wake, and that kworker is a lane too; the RCU view says an expedited grace period is asked for", async () => {
    const hang = await step('rcu-hang-v4.10', 'starter', [], Number.MAX_SAFE_INTEGER);
    expect(hang.stop).toBe('hung_task');
    const ioctl = hang.end_view.lanes.find((l) => l.comm === 'i915_ioctl')!;
    // Said in words: an expedited grace period, not started, its work item waiting for a kworker; then the wait queue and who will wake it.
    const m = /^an expedited RCU-sched grace period \(#\d+, synchronize_rcu_expedited\), not started yet: its work item wait_rcu_exp_gp is queued on system_wq \("events"\) and runs only when an events kworker picks it up \((\S+):(\d+) must run it, or finish what it runs first\)\. Asleep on wait queue rcu_sched->exp_wq\[\d\], to be woken by \1:\2$/.exec(ioctl.blocked ?? '');
    expect(m, ioctl.blocked ?? 'not blocked').not.toBeNull();
    expect(hang.end_view.lanes.map((l) => `${l.comm}:${l.pid}`)).toContain(`${m![1]}:${m![2]}`);
    expect(hang.end_view.rcu.expedited).toEqual({ completed: 0, in_progress: false, requested: true, cpus_owing: [] });
    const dead = await step(ID, 'starter', [], Number.MAX_SAFE_INTEGER);
    for (const pid of dead.end_view.cycle!) expect(dead.end_view.lanes.find((l) => l.pid === pid)!.blocked).toMatch(/^mutex &dev->struct_mutex, held by i915_ioctl:\d+$/);
  });
});
