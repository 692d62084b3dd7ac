import { describe, expect, it } from 'vitest';
import { user_task } from '../../kernel/fork';
import { start_kernel } from '../../kernel/init/main';
import { msleep } from '../../kernel/sched/core';
import { task_ptr } from '../../kernel/sched/task';

/** The task_struct addresses of @n tasks created in one boot with @seed, in pid order. */
async function addresses(seed: number, n = 6): Promise<Array<{ pid: number; addr: number }>> {
  const out: Array<{ pid: number; addr: number }> = [];
  await start_kernel({ seed }, () => {
    for (let i = 0; i < n; i++) {
      const t = user_task(() => msleep(1), `t${i}`);
      out.push({ pid: t.pid, addr: task_ptr(t) });
    }
  });
  return out;
}

describe('task_ptr: where the slab put each task_struct (kernel/fork.c dup_task_struct)', () => {
  it('is 64-byte aligned, below 2^31, distinct per task and stable for a task', async () => {
    const a = await addresses(1);
    for (const { addr } of a) {
      expect(addr % 0x40).toBe(0);
      expect(addr).toBeGreaterThanOrEqual(0x40000000);
      expect(addr).toBeLessThan(2 ** 31);
      expect(addr & ~7).toBe(addr); // the mutex flag bits are free
    }
    expect(new Set(a.map((x) => x.addr)).size).toBe(a.length);
  });

  it('is the same for the same boot seed and differs with another seed', async () => {
    expect(await addresses(7)).toEqual(await addresses(7));
    expect((await addresses(7)).map((x) => x.addr)).not.toEqual((await addresses(8)).map((x) => x.addr));
  });

  it('is not a function of the pid: no base and stride map pids to addresses, in one boot or across boots', async () => {
    const a = await addresses(1);
    const stride = (a[1]!.addr - a[0]!.addr) / (a[1]!.pid - a[0]!.pid);
    const affine = a.every(({ pid, addr }) => addr === a[0]!.addr + (pid - a[0]!.pid) * stride);
    expect(affine).toBe(false);
    const b = await addresses(2);
    expect(b[0]!.pid).toBe(a[0]!.pid);
    expect(b[0]!.addr).not.toBe(a[0]!.addr);
  });
});
