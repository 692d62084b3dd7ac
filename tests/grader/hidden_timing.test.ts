// The hidden suites' timing channel (red team 8 #04b; docs/instructors.md "Hidden tests"): an answer
// that spends CPU only when a guess about a hidden check holds tells a student one bit per
// submission through how long the run takes. With --hidden-from ahead no hidden child starts, and
// the grading of such an answer is the grading of a plain one: the same children, the same report.
// Counted in children started and report bytes, never in wall time.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { solution_dir } from '../../course/files';
import { workers_started } from '../../course/runner';
import { grade_submission, prepare_base, release_base, type grade_report, type grading_base } from '../../grader/grade';
import { hidden_from, main, parse_args, usage_error } from '../../grader/main';
import { add_files, EX01, new_submission } from './fixtures';
import { HIDDEN_NID, hidden_dir } from './hidden';

/** 01's reference solution; with @spin, it burns CPU whenever it is called with the hidden check's NUMA node. */
function answer(name: string, spin: boolean): string {
  const sub = new_submission(name);
  add_files(sub, EX01, solution_dir(EX01));
  const f = join(sub, EX01.id, EX01.files[0]!);
  const guess = `  if (sc.nid === ${HIDDEN_NID}) { let x = 0; for (let i = 0; i < 2_000_000_000; i++) x = (x + i) | 0; if (x === 42) return 1; }\n`;
  const text = readFileSync(f, 'utf8').replace(/(export async function i915_gem_shrinker_count\([^)]*?(\w+): shrink_control[^)]*\)[^{]*\{\n)/, (m, _h, sc: string) => `${m}${spin ? guess.replaceAll('sc.', `${sc}.`) : ''}`);
  expect(text.includes('2_000_000_000')).toBe(spin);
  writeFileSync(f, text);
  return sub;
}

/** @r without what differs between two submissions whatever they do (their names, times). */
const comparable = (r: grade_report) => JSON.stringify({ ...r, submission: '', execution_time: 0, exercises: r.exercises.map((e) => ({ ...e, ms: 0 })) });

describe('--hidden-from: before the date, the hidden suites cost nothing and say nothing', () => {
  let base: grading_base;
  beforeAll(() => {
    base = prepare_base(undefined, hidden_dir());
  });
  afterAll(() => release_base(base));

  it('an answer that spins only under a hidden check is graded exactly as a plain one, and no hidden child starts', async () => {
    const ahead = new Date(Date.now() + 30 * 24 * 3600_000);
    const opts = { exercises: ['01'], typecheck: false, starter_baseline: false, hidden_from: ahead };
    const h0 = workers_started('hidden');
    const spin = await grade_submission(base, { ...opts, submission: answer('spins-on-a-guess', true) });
    const plain = await grade_submission(base, { ...opts, submission: answer('plain', false) });
    expect(workers_started('hidden')).toBe(h0);
    expect(comparable(spin)).toBe(comparable(plain));
    const hidden = spin.exercises[0]!.checks.filter((c) => c.hidden);
    expect(hidden.map((c) => [c.id, c.score, c.message])).toEqual(
      ['empty-device-counts-zero', 'impossible'].map((id) => [`hidden/${id}`, 0, `not run yet: the hidden checks run from ${ahead.toISOString()} (a regrade after it grades them)`]),
    );
    // The visible checks are graded as ever: the reference passes them.
    expect(spin.exercises[0]!.checks.filter((c) => !c.hidden).every((c) => c.status === 'passed')).toBe(true);
  });

  it('from the date on they run (the control: the spinning answer then runs its loop in a hidden child)', async () => {
    const h0 = workers_started('hidden');
    const r = await grade_submission(base, { exercises: ['01'], typecheck: false, starter_baseline: false, hidden_from: new Date(Date.now() - 1000), submission: answer('plain-after', false) });
    expect(workers_started('hidden')).toBe(h0 + 1);
    expect(r.exercises[0]!.checks.find((c) => c.id === 'hidden/empty-device-counts-zero')?.status).toBe('passed');
  });

  it('--hidden-from takes a date or now; gradescope-zip --hidden makes the instructor choose', () => {
    expect(hidden_from(parse_args(['--hidden-from', '2026-12-18T23:59:00Z']))?.toISOString()).toBe('2026-12-18T23:59:00.000Z');
    expect(hidden_from(parse_args(['--hidden-from', 'now']))).toBeNull();
    expect(hidden_from(parse_args([]))).toBeUndefined();
    expect(() => hidden_from(parse_args(['--hidden-from', 'friday']))).toThrow(usage_error);
    return expect(main(['gradescope-zip', '--hidden', hidden_dir(), '--out', join(new_submission('zip'), 'ag.zip')])).rejects.toThrow(/--hidden needs --hidden-from: the due date/);
  });
});
