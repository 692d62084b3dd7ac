// "Your answer behaves like a known wrong answer": a learner whose file is
// one of the course's decoys is shown that decoy's reviewer note, and the
// signature that matches it ignores workload numbers and task names.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { check_result } from '../../course/checks';
import { read_manifest } from '../../course/files';
import { read_known_wrong, verdict_signature } from '../../course/known_wrong';
import { find_exercise } from '../../course/manifest';
import { cli, make_course_copy, remove_copy } from './course_copy';

const failed = (id: string, message: string): check_result => ({ id, name: id, status: 'failed', message });
const passed = (id: string): check_result => ({ id, name: id, status: 'passed', message: 'ok' });

describe('verdict signatures', () => {
  it('are the failing checks with their first message line, numbers and quoted names blanked', () => {
    const a = verdict_signature([passed('x'), failed('b', 'slept 3 time(s) while "kswapd0" held it\n  on the workload: 12 objects'), failed('a', 'returned 40, 12 expected')]);
    const b = verdict_signature([failed('a', 'returned 7, 9 expected'), failed('b', 'slept 1 time(s) while "Xorg" held it'), passed('x')]);
    expect(a).toBe(b);
    expect(a).toBe('a: returned #, # expected\nb: slept # time(s) while "…" held it');
    expect(verdict_signature([passed('x')])).toBe('');
  });
});

describe('the loop on a known wrong answer', () => {
  let root: string;
  beforeAll(() => {
    root = make_course_copy(true);
  });
  afterAll(() => remove_copy(root));

  it("shows the reviewer's note of the decoy the learner's answer behaves like", async () => {
    const e = find_exercise(read_manifest(root), '10');
    const decoy = read_known_wrong(e, root).find((k) => k.name === 'forget-the-early-return')!;
    expect(decoy, 'checks/10-….known-wrong.json records the decoy').toBeDefined();
    // A decoy lives two folders deeper than the learner's file: its imports say so.
    const text = readFileSync(join(root, 'solutions', e.id, 'decoys', decoy.name, e.files[0]!), 'utf8').replaceAll('../../../../kernel/', '../../kernel/');
    writeFileSync(join(root, 'exercises', e.id, e.files[0]!), text);
    // The first screen names it; the full report gives the reviewer's whole note.
    const r = await cli(root, ['run', '10']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('A known wrong answer fails this way: “forget-the-early-return”');
    const full = await cli(root, ['run', '10', '--full']);
    expect(full.stdout).toContain('A known wrong answer fails exactly this way.');
    expect(full.stdout).toContain(decoy.why.slice(0, 60));
  });

  it('shows no note for an answer that fails in a way no decoy does (the untouched starter)', async () => {
    const r = await cli(root, ['run', '11']);
    expect(r.code).toBe(1);
    expect(r.stdout).not.toContain('known wrong answer');
  });
});
