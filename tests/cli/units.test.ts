// The command's building blocks: the warm worker client (time limit,
// restart), the state file (atomic, validated), the diff, the arguments.
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { warm_worker } from '../../course/warm';
import { parse_args, usage_error } from '../../cli/args';
import { unified_diff } from '../../cli/diff';
import { failure_excerpt } from '../../cli/report';
import { locate_return, place_your_frames, wrong_return_of, your_return_line } from '../../cli/return_site';
import type { manifest_exercise } from '../../course/manifest';
import { fit } from '../../cli/term';
import { load_state, save_state, update_entry } from '../../cli/state';
import { make_course_copy, remove_copy, TINY } from './course_copy';

describe('warm worker', () => {
  let root = '';
  beforeAll(() => {
    root = make_course_copy();
  });
  afterAll(() => remove_copy(root));

  it('re-checks edited files in the same process, stops a request past its time limit, and restarts the worker', async () => {
    const dir = join(root, 'exercises', TINY);
    // Generous limits for the ordinary checks (a loaded machine must not turn them into timeouts);
    // the looping request alone gets a short one, and a timeout is its right answer however loaded.
    const w = new warm_worker({ root });
    try {
      const a = await w.check(TINY, dir);
      expect(a.run.status).toBe('failed');
      writeFileSync(join(dir, 'sum.ts'), 'export function sum(a: number, b: number): number {\n  return a + b;\n}\n');
      const b = await w.check(TINY, dir);
      expect(b.run.status).toBe('passed');
      expect(w.starts).toBe(1); // the edit was picked up without a new process
      writeFileSync(join(dir, 'sum.ts'), 'export function sum(a: number, b: number): number {\n  for (;;) a++;\n}\n');
      const c = await w.check(TINY, dir, { timeout_ms: 4000 });
      expect(c.run.status).toBe('timeout');
      expect(c.run.message).toContain('used 4 s of CPU time without finishing');
      writeFileSync(join(dir, 'sum.ts'), 'export function sum(a: number, b: number): number {\n  return b + a;\n}\n');
      const d = await w.check(TINY, dir);
      expect(d.run.status).toBe('passed');
      expect(w.starts).toBe(2);
    } finally {
      w.close();
    }
  });

  it('answers a request whose worker dies with "crashed", and serves the next one from a new worker', async () => {
    const dir = join(root, 'exercises', TINY);
    const w = new warm_worker({ root });
    try {
      writeFileSync(
        join(dir, 'sum.ts'),
        // The learner's code runs in the grading realm (no process to kill): exhausting the heap ends the worker.
        'export function sum(a: number, b: number): number {\n  const hoard: number[][] = [];\n  for (;;) hoard.push(new Array(1_000_000).fill(a + b));\n}\n',
      );
      const a = await w.check(TINY, dir);
      expect(a.run.status).toBe('crashed');
      expect(a.run.message).toMatch(/used more memory than allowed|ended before reporting/);
      writeFileSync(join(dir, 'sum.ts'), 'export function sum(a: number, b: number): number {\n  return a + b;\n}\n');
      const b = await w.check(TINY, dir);
      expect(b.run.status).toBe('passed');
    } finally {
      w.close();
    }
  });
});

describe('state file', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'shrinker-lab-state-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is missing at first, then written atomically and read back', () => {
    expect(load_state(dir).problem).toBe('missing');
    save_state(dir, { format: 1, exercises: {} });
    update_entry(dir, '01-x', (e) => ({ ...e, hints: 2 }));
    const l = load_state(dir);
    expect(l.problem).toBeNull();
    expect(l.state.exercises['01-x']).toEqual({ status: 'not_started', passed: false, hints: 2, checked_at: null });
    expect(readdirSync(join(dir, '.shrinker-lab'))).toEqual(['state.json']); // no temporary file left behind
  });

  it('reports truncated JSON, a wrong format and malformed entries as corrupt, never throws', () => {
    const p = join(dir, '.shrinker-lab/state.json');
    mkdirSync(join(dir, '.shrinker-lab'), { recursive: true });
    for (const bad of ['{"format": 1, "exerc', '[]', '{"format": 2, "exercises": {}}', '{"format": 1, "exercises": {"01-x": {"status": "great"}}}', '{"format": 1, "exercises": {"01-x": {"status": "passed", "passed": true, "hints": -1, "checked_at": null}}}']) {
      writeFileSync(p, bad);
      const l = load_state(dir);
      expect(l.problem).toHaveProperty('corrupt');
      expect(l.state.exercises).toEqual({});
    }
    expect(readFileSync(p, 'utf8')).toContain('hints'); // load_state never rewrites the file itself
  });
});

describe('unified_diff', () => {
  it('gives hunks with context and line numbers, and nothing for equal texts', () => {
    const a = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'].join('\n');
    const b = ['a', 'b', 'c', 'D', 'e', 'f', 'g', 'h', 'i', 'j', 'k'].join('\n');
    expect(unified_diff(a, a, 'x', 'y')).toBe('');
    const d = unified_diff(a, b, 'old', 'new', 1);
    expect(d).toBe(['--- old', '+++ new', '@@ -3,3 +3,3 @@', ' c', '-d', '+D', ' e', '@@ -10,1 +10,2 @@', ' j', '+k'].join('\n'));
  });
});

describe('parse_args', () => {
  it('takes positionals, boolean and valued flags, and refuses unknown ones by name', () => {
    const p = parse_args(['03', '--once', '--timeout=5', '--jobs', '2', '-y'], ['once', 'yes'], ['timeout', 'jobs']);
    expect(p.positional).toEqual(['03']);
    expect(p.flags.get('once')).toBe(true);
    expect(p.flags.get('timeout')).toBe('5');
    expect(p.flags.get('jobs')).toBe('2');
    expect(p.flags.get('yes')).toBe(true);
    expect(() => parse_args(['--frobnicate'], ['once'], [])).toThrow(usage_error);
    expect(() => parse_args(['--frobnicate'], ['once'], [])).toThrow(/unknown option --frobnicate \(this command takes: --once\)/);
  });
});

describe('the first screen', () => {
  it('fit cuts at a word near the width, and never past it', () => {
    expect(fit('short', 80)).toBe('short');
    const long = 'never reaches the OOM killer when the struct_mutex holder allocates under pressure';
    const cut = fit(long, 40);
    expect([...cut].length).toBeLessThanOrEqual(40);
    expect(cut).toBe('never reaches the OOM killer when the…');
    expect(fit('x'.repeat(100), 10)).toBe(`${'x'.repeat(9)}…`);
  });

  it("failure_excerpt keeps the headline and the kernel's key lines, and counts what it leaves for --full", () => {
    const message = [
      'scenario "s": lockdep: possible circular locking dependency detected',
      '  found with 1 preemption (no schedule with fewer shows it); explored 3 schedules',
      '',
      "The schedule, as departures from the kernel's default choice:",
      '  decision #1, step 9: kswapd0 ran instead of a',
      '',
      'Replay it: sl1:s:m1:-:ab',
      '',
      'The kernel said:',
      '  [    1.000000] ======================================================',
      '  [    1.000000] [ INFO: possible circular locking dependency detected ]',
      '  [    1.000000] 4.11.0-shrinkerlab #1 Not tainted',
      '',
      'End of the trace (replayed with trace on):',
      ...Array.from({ length: 40 }, (_, i) => `  line ${i}`),
    ].join('\n');
    const ex = failure_excerpt(message, 5);
    expect(ex.lines).toEqual(['scenario "s": lockdep: possible circular locking dependency detected', 'kernel: [ INFO: possible circular locking dependency detected ]']);
    expect(ex.hidden).toBe(message.split('\n').filter((l) => l.trim()).length - 2);
    expect(failure_excerpt(message, 1).lines).toHaveLength(1);
  });

  it('names the return statement that gave a wrong value when no Call Trace reaches the learner (cli/return_site.ts)', () => {
    const root = mkdtempSync(join(tmpdir(), 'sl-return-'));
    try {
      const e = { id: '99-x', files: ['count.ts', 'scan.ts'] } as unknown as manifest_exercise;
      mkdirSync(join(root, 'exercises', e.id), { recursive: true });
      writeFileSync(join(root, 'exercises', e.id, 'count.ts'), [
        'export async function i915_gem_shrinker_count(i915: { ok: boolean; n: number }): Promise<number> {',
        '  const locked = await Promise.resolve(i915.ok);',
        '  if (!locked) return 0;',
        '  let count = i915.n;',
        '  const inner = () => { return 0; };',
        '  inner();',
        '  return count;',
        '}',
      ].join('\n'));
      writeFileSync(join(root, 'exercises', e.id, 'scan.ts'), [
        'export const i915_gem_shrinker_scan = (n: number): number => {',
        '  if (n > 1) return n - 1;',
        '  if (n > 0) return n + 1;',
        '  return -1;',
        '};',
      ].join('\n'));
      const file = `exercises/${e.id}/count.ts`;
      // The funcgraph line names the function; the literal 0 is on line 3 (the nested arrow's return is not its).
      expect(wrong_return_of('      [ 1.0] i915_ioctl-1 [001] funcgraph_exit: func=i915_gem_shrinker_count retval=0   <- your code')).toEqual({ fn: 'i915_gem_shrinker_count', word: null, value: '0' });
      expect(locate_return(root, e, { fn: 'i915_gem_shrinker_count', word: null, value: '0' })).toEqual({ file, line: 3, fn: 'i915_gem_shrinker_count', is_return: true });
      // A value no literal gives: the one return that computes its value.
      expect(locate_return(root, e, { fn: 'i915_gem_shrinker_count', word: null, value: '7' })?.line).toBe(7);
      // The check's own words: "count returned 0" picks the export named for it among several.
      expect(your_return_line(root, e, 'scenario check failed: count returned 0 to i915_ioctl')).toBe(`your code: ${file}:3 in i915_gem_shrinker_count (returned 0)`);
      // Two computed returns cannot be told apart: the export's own line.
      expect(locate_return(root, e, { fn: 'i915_gem_shrinker_scan', word: null, value: '5' })).toEqual({ file: `exercises/${e.id}/scan.ts`, line: 1, fn: 'i915_gem_shrinker_scan', is_return: false });
      expect(locate_return(root, e, { fn: 'i915_gem_shrinker_scan', word: null, value: '-1' })?.line).toBe(4);
      // Nothing said about a return, or a function the exercise does not export: nothing named.
      expect(your_return_line(root, e, 'deadlock: a:1 -> b:2')).toBeNull();
      expect(locate_return(root, e, { fn: 'other', word: null, value: '0' })).toBeNull();
      // The first screen puts it right under the headline.
      const ex = failure_excerpt('with struct_mutex held by the caller itself, count returned 0; 8 pages can be released', 5, (m) => your_return_line(root, e, m));
      expect(ex.lines).toEqual(['with struct_mutex held by the caller itself, count returned 0; 8 pages can be released', `your code: ${file}:3 in i915_gem_shrinker_count (returned 0)`]);
      // course/explain.ts's frame of a function that made no call into the kernel gets the return's line, as a Call Trace frame;
      // a frame of a function the exercise does not export stays as it is.
      const trace = ['  Call Trace:', '   i915_gem_shrinker_count   <- your code (returned 0)', '   do_shrink_slab (kernel/mm/vmscan.ts:220)', '   other   <- your code (returned 0)'].join('\n');
      expect(place_your_frames(root, e, trace).split('\n')).toEqual(['  Call Trace:', `   i915_gem_shrinker_count (${file}:3)   <- your code`, '   do_shrink_slab (kernel/mm/vmscan.ts:220)', '   other   <- your code (returned 0)']);
      // A call that never returned (it slept for good) is placed at the function's own line.
      expect(place_your_frames(root, e, '   i915_gem_shrinker_scan   <- your code')).toBe(`   i915_gem_shrinker_scan (exercises/${e.id}/scan.ts:1)   <- your code`);
      // The first screen reads the learner's line from that Call Trace.
      const explained = ['count returned 0; 8 pages can be released', '', "The kernel's first call into your code on that workload (replayed with trace on):", trace].join('\n');
      // A paragraph that is a heading and its items shows its heading with the first item, not the heading alone.
      expect(failure_excerpt('scenario "s": OOM kill\n\nOther failures found:\n  count returned 3 to kswapd\n  count returned 4', 5).lines).toEqual(['scenario "s": OOM kill', 'Other failures found: count returned 3 to kswapd']);
      expect(failure_excerpt(place_your_frames(root, e, explained), 5).lines).toEqual(['count returned 0; 8 pages can be released', `your code: ${file}:3 in i915_gem_shrinker_count`]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
