// The graded realm gives dump_stack a stack source of its own (course/realm.ts
// install_stack_source). The model must ask it only while the trace is on:
// the runs that decide a verdict record no frames an answer could read.
import { describe, expect, it } from 'vitest';
import { user_task } from '../../kernel/fork';
import { start_kernel } from '../../kernel/init/main';
import { model_set_stack_source } from '../../kernel/lib/dump_stack';
import { mutex_init, mutex_lock } from '../../kernel/locking/mutex';
import { msleep } from '../../kernel/sched/core';

let asked = 0;
const STACK = [
  'Error',
  '    at host_capture (file:///elsewhere/course/realm.ts:150:7)',
  '    at save_stack_trace (kernel/lib/dump_stack.js:100:1)',
  '    at mutex_lock (kernel/locking/mutex.js:240:9)',
  '    at async i915_gem_shrinker_lock (exercises/03-reclaim-recursion/i915_gem_shrinker_lock.js:24:3)',
  '    at async <anonymous> (checks/03-reclaim-recursion.checks.js:68:9)',
].join('\n');
model_set_stack_source(() => {
  asked++;
  return STACK;
});

async function hung_waiter_trace(trace: boolean) {
  const r = await start_kernel({ trace, hung_task_timeout_secs: 1 }, () => {
    const m = mutex_init('&dev->struct_mutex');
    user_task(async () => {
      await mutex_lock(m);
      await msleep(5_000);
    }, 'holder');
    user_task(async () => {
      await mutex_lock(m);
    }, 'waiter');
  });
  return r.reports.find((x) => x.kind === 'hung_task' && x.title.includes('waiter'))!.call_trace;
}

describe("dump_stack with the realm's stack source", () => {
  it('records no frames while the trace is off, and never asks the source', async () => {
    asked = 0;
    expect(await hung_waiter_trace(false)).toEqual([]);
    expect(asked).toBe(0);
  });

  it("with the trace on, reads the source's frames as .ts files and leaves out the checks", async () => {
    const trace = await hung_waiter_trace(true);
    expect(asked).toBeGreaterThan(0);
    expect(trace).toContainEqual({ fn: 'i915_gem_shrinker_lock', file: 'exercises/03-reclaim-recursion/i915_gem_shrinker_lock.ts', line: 24 });
    expect(trace.every((f) => /^(kernel|exercises|solutions)\/.*\.ts$/.test(f.file))).toBe(true);
  });
});
