// The starter version of each exercise file, for `reset` and for telling an
// untouched exercise from an edited one.
//
// Where it comes from, in order:
//   1. .shrinker-lab/starters/<id>/<file>: a pristine copy this command
//      keeps. It is taken the first time the command sees the exercise,
//      from git (the committed version, `git show HEAD:exercises/<id>/<file>`)
//      when the checkout is a git repository that tracks the file, otherwise
//      from the file itself (a course exported without .git: the command
//      runs before the learner edits anything, since `npm start` is the way
//      in). Keeping our own copy means a learner who commits their work
//      can still reset to the starter, which HEAD no longer holds.
//   2. git HEAD, if the copy is missing (e.g. .shrinker-lab/ was deleted).
// Delete .shrinker-lab/starters/ to take fresh copies (after a course update).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { manifest_exercise } from '../course/manifest';
import { STATE_DIR } from './state';

function snapshot_path(root: string, e: manifest_exercise, file: string): string {
  return join(root, STATE_DIR, 'starters', e.id, file);
}

/** git_starter - the committed version of exercises/<id>/<file>, or null (no git, not tracked). */
export function git_starter(root: string, e: manifest_exercise, file: string): string | null {
  try {
    return execFileSync('git', ['show', `HEAD:./exercises/${e.id}/${file}`], { cwd: root, stdio: ['ignore', 'pipe', 'ignore'], encoding: 'utf8' });
  } catch {
    return null;
  }
}

/** starter_text - the starter of @file of @e, or null when no source has it. */
export function starter_text(root: string, e: manifest_exercise, file: string): string | null {
  const snap = snapshot_path(root, e, file);
  if (existsSync(snap)) return readFileSync(snap, 'utf8');
  return git_starter(root, e, file);
}

/**
 * keep_starters - take the pristine copy of every file of @e that has none
 * yet. @untouched says the learner has not worked on @e according to the
 * state file, so the working file may serve when git has no version.
 */
export function keep_starters(root: string, e: manifest_exercise, untouched: boolean): void {
  for (const f of e.files) {
    const snap = snapshot_path(root, e, f);
    if (existsSync(snap)) continue;
    let text = git_starter(root, e, f);
    if (text === null && untouched) {
      const work = join(root, 'exercises', e.id, f);
      if (existsSync(work)) text = readFileSync(work, 'utf8');
    }
    if (text === null) continue;
    mkdirSync(dirname(snap), { recursive: true });
    writeFileSync(snap, text);
  }
}

/** is_untouched - every file of @e is present and equal to its starter (false when a starter is unknown). */
export function is_untouched(root: string, e: manifest_exercise): boolean {
  return e.files.every((f) => {
    const work = join(root, 'exercises', e.id, f);
    const start = starter_text(root, e, f);
    return start !== null && existsSync(work) && readFileSync(work, 'utf8') === start;
  });
}
