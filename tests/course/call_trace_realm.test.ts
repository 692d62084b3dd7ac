// A failure found in the graded realm names the learner's line: the replay
// that explains it runs with the trace on, and the model's dump_stack reads
// the call chain through the realm's stack source (course/realm.ts).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run_isolated } from '../../course/isolate';

const repo = new URL('../../', import.meta.url).pathname.replace(/\/$/, '');
const EXERCISE = '03-reclaim-recursion';
const FILE = 'i915_gem_shrinker_lock.ts';

describe('call traces from the graded realm', () => {
  it("the starter's deadlock shows a Call Trace through the model down to the starter's mutex_lock line, and no course frame", async () => {
    const dir = join(repo, 'exercises', EXERCISE);
    const lock_line = readFileSync(join(dir, FILE), 'utf8').split('\n').findIndex((l) => /await mutex_lock\(/.test(l)) + 1;
    expect(lock_line).toBeGreaterThan(0);
    const run = await run_isolated({ root: repo, exercise: EXERCISE, dir, typecheck: false });
    expect(run.status).toBe('failed');
    const traced = run.results.filter((r) => r.message.includes('Call Trace:'));
    expect(traced.length).toBeGreaterThan(0);
    const msg = traced[0]!.message;
    expect(msg).toContain(` i915_gem_shrinker_lock (exercises/${EXERCISE}/${FILE}:${lock_line})   <- your code`);
    expect(msg).toMatch(/ mutex_lock \(kernel\/locking\/mutex\.ts:\d+\)/);
    const trace = msg.slice(msg.indexOf('Call Trace:'));
    expect(trace).not.toMatch(/\((checks|course|scenarios|explorer|tests)\//);
  });

  it("a value a generated workload judges wrong is explained by a replay with the trace on: each call of the learner's function with what it returned, and the learner's line", async () => {
    const id = '02-scan-must-say-stop';
    const file = 'i915_gem_shrinker_scan.ts';
    const dir = join(repo, 'exercises', id);
    const lock_line = readFileSync(join(dir, file), 'utf8').split('\n').findIndex((l) => /i915_gem_shrinker_lock\(/.test(l)) + 1;
    expect(lock_line).toBeGreaterThan(0);
    const run = await run_isolated({ root: repo, exercise: id, dir, typecheck: false });
    const explained = run.results.filter((r) => r.message.includes('The trace where your code ran'));
    expect(explained.length).toBeGreaterThan(0);
    const msg = explained[0]!.message;
    expect(msg).toMatch(/funcgraph_entry: func=i915_gem_shrinker_scan {3}<- your code/);
    expect(msg).toMatch(/funcgraph_exit: func=i915_gem_shrinker_scan retval=\d+ {3}<- your code/);
    expect(msg).toContain(` i915_gem_shrinker_scan (exercises/${id}/${file}:${lock_line})   <- your code`);
    expect(msg.slice(msg.indexOf('Call Trace:'))).not.toMatch(/\((checks|course|scenarios|explorer|tests)\//);
  });
});

