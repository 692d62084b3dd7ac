// End-to-end tests of `shrinker-lab watch` without a terminal (CI, pipes:
// plain text, no keys) and of `replay`, in their own copy of the course.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { format_schedule } from '../../explorer/schedule';
import { cli, EX01, make_course_copy, remove_copy, start_cli, TINY } from './course_copy';

let root = '';
beforeAll(() => {
  root = make_course_copy();
});
afterAll(() => remove_copy(root));

describe('shrinker-lab watch without a terminal', () => {
  it('--once checks the current exercise (the first not done), prints it, and exits 1 when it fails', async () => {
    const r = await cli(root, ['watch', '--once']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`Exercise ${EX01}`);
    expect(r.stdout).toContain('lesson: lessons/01-count-must-not-hide-memory.md');
    expect(r.stdout).toContain('0/2 exercises done');
    expect(r.stdout).toMatch(/FAIL\s+counts exactly for the struct_mutex/);
    expect(r.stdout).toContain('Full trace: npx shrinker-lab replay sl1:ex01-holder-allocates:');
    expect(r.stdout).toContain('more lines: npx shrinker-lab run 01 --full');
  });

  it('keeps watching, re-checks after each save, and prints every verdict', async () => {
    const w = start_cli(root, ['watch', '02', '--no-site']);
    try {
      let at = await w.wait_for(new RegExp(`--- \\S+ ${TINY}: failed ---\\n[^]*?returned -1, not 5`));
      writeFileSync(join(root, 'exercises', TINY, 'sum.ts'), 'export function sum(a: number, b: number): number {\n  return a + ;\n}\n');
      at = await w.wait_for(new RegExp(`--- \\S+ ${TINY}: compile_error ---\\n[^]*?sum\\.ts:2:\\d+ - error`), at);
      writeFileSync(join(root, 'exercises', TINY, 'sum.ts'), 'export function sum(a: number, b: number): number {\n  return a + b;\n}\n');
      at = await w.wait_for(new RegExp(`--- \\S+ ${TINY}: passed ---\\nALL 1 CHECKS PASS`), at);
      expect(w.output()).not.toContain('Study site');
    } finally {
      w.child.kill('SIGTERM');
    }
    const code = await new Promise<number | null>((res) => w.child.on('close', res));
    expect(code).toBe(0);
    const s = JSON.parse(readFileSync(join(root, '.shrinker-lab/state.json'), 'utf8')) as { exercises: Record<string, { status: string }> };
    expect(s.exercises[TINY]!.status).toBe('passed');
  });

  it('mentions the study site hook unless --no-site', async () => {
    const w = start_cli(root, ['watch', '02']);
    try {
      await w.wait_for(/--- \S+ 02-tiny-sum: passed ---/);
      expect(w.output()).toContain('Study site: run npm run build to build the study site.');
    } finally {
      w.child.kill('SIGTERM');
    }
    await new Promise((res) => w.child.on('close', res));
  });
});

describe('shrinker-lab replay', () => {
  it('prints the full trace of a failing check\'s schedule, run with the learner\'s current code', async () => {
    const r = await cli(root, ['replay', 'sl1:ex01-holder-allocates:m1:-:44cc']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`scenario "ex01-holder-allocates" from the checks of exercise ${EX01}`);
    expect(r.stdout).toContain('sched_process_fork: child_pid=1');
    // v4.11's OOM notifier waits out the 30 s scanout and purges (df7a508): the trace shows it, and what went
    // wrong is count's answer to the task holding struct_mutex.
    expect(r.stdout).toContain('Purging GPU memory, 48 pages freed');
    expect(r.stdout).toMatch(/What went wrong in this run:\n\s+scenario check failed: count returned 0 to i915_ioctl's reclaim/);
  });

  it('rejects a damaged schedule string and names unknown scenarios', async () => {
    const bad = await cli(root, ['replay', 'sl1:ex01-holder-allocates:m1:-:44cd']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('fails its checksum');
    const none = await cli(root, ['replay', format_schedule('ex09-x', [])]);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('No check builds a scenario "ex09-x"');
    expect(none.stderr).toContain('ex01-holder-allocates');
  });
});
