// Boot parameter hz (CONFIG_HZ): jiffies tick HZ times a second, and
// msecs_to_jiffies() converts with it, so a deadline written as
// jiffies + msecs_to_jiffies(ms) lasts ms at every HZ, while one written as
// jiffies + ms lasts ms only at HZ=1000 (red team 12: 13's OOM notifier).
import { describe, expect, it } from 'vitest';
import { user_task } from '../../kernel/fork';
import { start_kernel } from '../../kernel/init/main';
import { msleep } from '../../kernel/sched/core';
import { HZ, jiffies, msecs_to_jiffies } from '../../kernel/time/timekeeping';

/** Jiffies that pass while a task sleeps 1 s, and msecs_to_jiffies(5000), at @hz. */
async function one_second(hz: number | undefined): Promise<{ ticks: number; five_s: number; hz: number }> {
  let out = { ticks: 0, five_s: 0, hz: 0 };
  const r = await start_kernel(hz === undefined ? {} : { hz }, () => {
    user_task(async () => {
      const from = jiffies();
      await msleep(1000);
      out = { ticks: jiffies() - from, five_s: msecs_to_jiffies(5000), hz: HZ };
    }, 'x');
  });
  expect(r.stop).toBe('completed');
  return out;
}

describe('boot parameter hz', () => {
  it('is 1000 by default: a jiffy is a millisecond', async () => {
    const o = await one_second(undefined);
    expect(o.hz).toBe(1000);
    expect(o.five_s).toBe(5000);
    expect(o.ticks).toBeGreaterThanOrEqual(1000);
    expect(o.ticks).toBeLessThanOrEqual(1002);
  });

  it('ticks 250 and 100 times a second at HZ=250 and HZ=100, and msecs_to_jiffies follows', async () => {
    for (const hz of [250, 100]) {
      const o = await one_second(hz);
      expect(o.hz).toBe(hz);
      expect(o.five_s).toBe(5 * hz);
      expect(o.ticks).toBeGreaterThanOrEqual(hz);
      expect(o.ticks).toBeLessThanOrEqual(hz + 2);
    }
  });

  it('refuses a HZ the model does not build', async () => {
    await expect(start_kernel({ hz: 300 }, () => {})).rejects.toThrow(/CONFIG_HZ is 100, 250 or 1000/);
  });
});
