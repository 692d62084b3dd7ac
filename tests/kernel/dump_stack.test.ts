import { describe, expect, it } from 'vitest';
import { start_kernel } from '../../kernel/init/main';
import { user_task } from '../../kernel/fork';
import { format_call_trace, parse_v8_stack } from '../../kernel/lib/dump_stack';
import { mutex_init, mutex_lock } from '../../kernel/locking/mutex';
import { msleep } from '../../kernel/sched/core';

const ROOT = new URL('../../', import.meta.url).pathname;

describe('dump_stack: the Call Trace of a report', () => {
  it('keeps the model\'s and the exercise\'s frames with file:line, innermost first, and drops the course\'s machinery', () => {
    const stack = [
      'Error',
      `    at report (${ROOT}kernel/panic.ts:72:10)`,
      `    at async mutex_lock (${ROOT}kernel/locking/mutex.ts:217:3)`,
      `    at async i915_gem_shrinker_lock (file://${ROOT}exercises/03-reclaim-recursion/i915_gem_shrinker_lock.ts:24:3)`,
      `    at async measure_call (${ROOT}course/invariants.ts:35:17)`,
      `    at async Object.i915_gem_shrinker_count (${ROOT}kernel/drivers/gpu/drm/i915/i915_gem_shrinker.ts:200:30)`,
      `    at async <anonymous> (${ROOT}checks/03-reclaim-recursion.checks.ts:68:9)`,
      `    at async <anonymous> (${ROOT}kernel/sched/core.ts:231:7)`,
      '    at process.processTicksAndRejections (node:internal/process/task_queues:105:5)',
      '    at async run (/elsewhere/kernel/x.ts:1:1)',
    ].join('\n');
    const frames = parse_v8_stack(stack);
    expect(frames).toEqual([
      { fn: 'report', file: 'kernel/panic.ts', line: 72 },
      { fn: 'mutex_lock', file: 'kernel/locking/mutex.ts', line: 217 },
      { fn: 'i915_gem_shrinker_lock', file: 'exercises/03-reclaim-recursion/i915_gem_shrinker_lock.ts', line: 24 },
      { fn: 'i915_gem_shrinker_count', file: 'kernel/drivers/gpu/drm/i915/i915_gem_shrinker.ts', line: 200 },
    ]);
    expect(format_call_trace(frames.slice(1))).toEqual([
      'Call Trace:',
      ' mutex_lock (kernel/locking/mutex.ts:217)',
      ' i915_gem_shrinker_lock (exercises/03-reclaim-recursion/i915_gem_shrinker_lock.ts:24)   <- your code',
      ' i915_gem_shrinker_count (kernel/drivers/gpu/drm/i915/i915_gem_shrinker.ts:200)',
    ]);
    expect(format_call_trace([])).toEqual([]);
  });

  it('records a report\'s chain through every await, and a hung task\'s where it went to sleep (when tracing)', async () => {
    const r = await start_kernel({ trace: true, hung_task_timeout_secs: 1 }, () => {
      const m = mutex_init('&dev->struct_mutex');
      user_task(async () => {
        await mutex_lock(m);
        await msleep(5_000);
      }, 'holder');
      user_task(async () => {
        await mutex_lock(m);
      }, 'waiter');
    });
    const hung = r.reports.find((x) => x.kind === 'hung_task' && x.comm !== 'holder' && x.title.includes('waiter'));
    expect(hung).toBeDefined();
    expect(hung!.call_trace.map((f) => f.fn)).toEqual(expect.arrayContaining(['mutex_lock']));
    expect(hung!.call_trace.every((f) => /^(kernel|exercises|solutions)\//.test(f.file) && f.line > 0)).toBe(true);
    // The report's own lines (dmesg) are unchanged: the trace is kept beside them.
    expect(hung!.lines.some((l) => l.startsWith('Call Trace'))).toBe(false);
  });
});
