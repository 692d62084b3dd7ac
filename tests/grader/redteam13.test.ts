// Session 13 of the grader (issue #10): the classes left open by grader red team 12 and the items of
// /work/coord/s13/grader.md, and grader red team 13's attacks (/work/coord/s13/grader-redteam13.md).
// One test per class closed, each failing without its fix.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COURSE_ROOT, solution_dir } from '../../course/files';
import { export_student } from '../../grader/export_student';
import { grader_failure } from '../../grader/failure';
import { grade_submission, prepare_base, release_base } from '../../grader/grade';
import { make_temp } from '../../grader/tree';
import { EX01, add_files, new_submission } from './fixtures';

/** A clone of the course's HEAD where the instructor committed @text over 01's first editable file. */
function clone_with_committed_01(text: string): string {
  const clone = join(make_temp('shrinker-solved13-'), 'course');
  execFileSync('git', ['clone', '-q', '--shared', COURSE_ROOT, clone], { stdio: 'ignore' });
  symlinkSync(join(COURSE_ROOT, 'node_modules'), join(clone, 'node_modules'));
  writeFileSync(join(clone, 'exercises', EX01.id, EX01.files[0]!), text);
  const git = (...a: string[]) => execFileSync('git', ['-c', 'user.name=i', '-c', 'user.email=i@x', ...a], { cwd: clone, stdio: 'ignore' });
  git('commit', '-qam', 'try 01 myself');
  return clone;
}

describe('round 12 #09: a solution committed over a starter is refused, not shipped nor graded 0/0', () => {
  const reference = readFileSync(join(solution_dir(EX01), EX01.files[0]!), 'utf8');

  it('export-student and the grader\'s setup refuse a starter at HEAD that is the reference (CRLF and all), naming the file and what to do', () => {
    const clone = clone_with_committed_01(reference.replace(/\n/g, '\r\n'));
    const dest = join(make_temp('shrinker-export13-'), 'template');
    expect(() => export_student(clone, dest)).toThrow(new RegExp(`exercises/${EX01.id}/${EX01.files[0]} at git HEAD is solutions/${EX01.id}/${EX01.files[0]}.*git checkout`));
    expect(existsSync(dest)).toBe(false);
    let failure: unknown = null;
    try {
      release_base(prepare_base(clone));
    } catch (e) {
      failure = e;
    }
    expect(failure).toBeInstanceOf(grader_failure);
    expect((failure as grader_failure).kind).toBe('starter');
    expect((failure as Error).message).toContain(`exercises/${EX01.id}/`);
  });

  it('grading stops when the committed starter passes every check (an answer of the instructor\'s own), instead of making the exercise 0/0', async () => {
    const clone = clone_with_committed_01(`${reference}\n// my own try, not the reference's text\n`);
    const base = prepare_base(clone);
    try {
      const sub = new_submission('alice');
      add_files(sub, EX01, solution_dir(EX01));
      const graded = grade_submission(base, { submission: sub, exercises: ['01'], typecheck: false });
      await expect(graded).rejects.toBeInstanceOf(grader_failure);
      await expect(graded).rejects.toThrow(new RegExp(`the starter of ${EX01.id} passes every one of its ${EX01.tests.length} checks.*git checkout`));
    } finally {
      release_base(base);
    }
  }, 600_000);
});
