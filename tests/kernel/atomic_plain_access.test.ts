// A plain access to an atomic's counter (kernel/lib/atomic.ts): reported as
// the data race it is, so an answer that reads or writes `.counter` instead of
// calling atomic_*() fails whatever the check measures (red team 12: 03's and
// 04's plain owner-word loads, 11's plain claim of nr_deferred passed every
// check, because a plain access skips what the model attaches to an op).
import { describe, expect, it } from 'vitest';
import { KernelOops, kernel_reports } from '../../kernel/panic';
import {
  atomic_inc,
  atomic_long_read,
  atomic_long_set,
  atomic_long_t,
  atomic_long_xchg,
  atomic_read,
  atomic_t,
  model_checker_read,
  model_other_cpu_at_atomic,
  model_watch_atomic_writes,
} from '../../kernel/lib/atomic';
import { run_in_kthread } from './mm_helpers';

/** Run @body in a kthread; what it threw (null if nothing) and the boot's reports. */
async function attempt(body: () => void): Promise<{ thrown: unknown; titles: string[] }> {
  let thrown: unknown = null;
  let titles: string[] = [];
  await run_in_kthread({}, async () => {
    try {
      body();
    } catch (e) {
      thrown = e;
    }
    titles = kernel_reports().map((r) => `${r.kind}: ${r.title}`);
  });
  return { thrown, titles };
}

describe('plain access to an atomic', () => {
  it('a plain read of an atomic_long_t is a KCSAN data race that stops the task', async () => {
    const v = new atomic_long_t(7);
    let seen = -1;
    const { thrown, titles } = await attempt(() => {
      seen = v.counter;
    });
    expect(thrown).toBeInstanceOf(KernelOops);
    expect(seen).toBe(-1);
    expect(titles).toEqual(['bug: KCSAN: data-race: plain read of an atomic_long_t']);
  });

  it('a plain write of an atomic_t is reported too, and leaves the value alone', async () => {
    const v = new atomic_t(3);
    let after = -1;
    const { thrown, titles } = await attempt(() => {
      try {
        v.counter++;
      } finally {
        after = atomic_read(v);
      }
    });
    expect(thrown).toBeInstanceOf(KernelOops);
    expect(after).toBe(3);
    expect(titles).toEqual(['bug: KCSAN: data-race: plain read of an atomic_t']);
  });

  it('the atomic operations and the checker reads raise nothing', async () => {
    const l = new atomic_long_t(1);
    const i = new atomic_t(1);
    const got: number[] = [];
    const { thrown, titles } = await attempt(() => {
      atomic_long_set(l, 5);
      got.push(atomic_long_xchg(l, 9), atomic_long_read(l), model_checker_read(l));
      atomic_inc(i);
      got.push(atomic_read(i), model_checker_read(i));
    });
    expect(thrown).toBeNull();
    expect(titles).toEqual([]);
    expect(got).toEqual([5, 9, 9, 2, 2]);
  });

  it("the other CPU's hook (a check's code) may look at the word plainly", async () => {
    const v = new atomic_long_t(4);
    const seen: number[] = [];
    const { thrown, titles } = await attempt(() => {
      model_other_cpu_at_atomic(v, (w) => seen.push(w.counter));
      atomic_long_set(v, 6);
      atomic_long_read(v);
      model_other_cpu_at_atomic(null);
    });
    expect(thrown).toBeNull();
    expect(titles).toEqual([]);
    expect(seen).toEqual([4, 6]);
  });

  it('model_watch_atomic_writes hears every write by an atomic op until stopped', async () => {
    const v = new atomic_long_t(0);
    const heard: number[] = [];
    await attempt(() => {
      const watch = model_watch_atomic_writes(v, (n) => heard.push(n));
      atomic_long_set(v, 1);
      atomic_long_read(v);
      atomic_long_xchg(v, 2);
      watch.stop();
      atomic_long_set(v, 3);
    });
    expect(heard).toEqual([1, 2]);
  });
});
