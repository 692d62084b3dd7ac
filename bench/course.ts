// The whole course: `shrinker-lab verify` (every exercise, in parallel child
// processes) and the grader on one full submission made of every reference
// solution. Both run in the course copy with the solutions installed, so
// every check runs to the end (a failing check may stop early). The grader
// runs after the starters are restored: it compares a submission with its
// own starters (a file identical to the starter scores 0, "unchanged").
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repeat_process } from './measure';
import { exercise_ids } from './learner';
import { exit_note, process_rows, type row } from './row';

/** install_solutions - copy solutions/<id>/<file> over exercises/<id>/<file> in @root; returns a function that puts the starters back. */
export function install_solutions(root: string): () => void {
  const saved: [string, string][] = [];
  for (const e of exercise_ids(root)) {
    for (const f of e.files) {
      const file = join(root, 'exercises', e.id, f);
      saved.push([file, readFileSync(file, 'utf8')]);
      copyFileSync(join(root, 'solutions', e.id, f), file);
    }
  }
  return () => {
    for (const [file, text] of saved) writeFileSync(file, text);
  };
}

/** submission_dir - an `exercises/`-style submission (<id>/<file>) of every reference solution, under @parent. */
export function submission_dir(root: string, parent: string): string {
  const dir = join(parent, 'submission');
  for (const e of exercise_ids(root)) {
    mkdirSync(join(dir, e.id), { recursive: true });
    for (const f of e.files) copyFileSync(join(root, 'solutions', e.id, f), join(dir, e.id, f));
  }
  return dir;
}

export async function verify(root: string, reps: number, floor = 'floor.vitest_cold'): Promise<row[]> {
  const r = await repeat_process(reps, process.execPath, [join(root, 'bin/shrinker-lab.js'), 'verify'], root);
  const n = exercise_ids(root).length;
  const summary = /(\d+) passed, (\d+) not passing; (\S+) points/.exec(r.tail);
  const note = [exit_note(r.codes), summary ? `${summary[1]} passed, ${summary[3]} points` : 'no summary line'].filter(Boolean).join('; ');
  return process_rows('course.verify', `shrinker-lab verify (${n} exercises, solved)`, r, { floor, note });
}

export async function grade(root: string, sub: string, out: string, reps: number): Promise<row[]> {
  const r = await repeat_process(reps, 'npm', ['run', '-s', 'grade', '--', '--submission', sub, '--out', out], root);
  // The grader exits 0 whatever the score: the points line says whether it graded what we think.
  const points = /Points (\S+)/.exec(r.tail)?.[1] ?? 'no Points line';
  const note = [exit_note(r.codes), `points ${points}`].filter(Boolean).join('; ');
  return process_rows('course.grade', 'npm run grade, all reference solutions', r, { floor: 'floor.node', note });
}
