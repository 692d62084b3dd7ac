// Opening the course for a command: the manifest, the learner's state
// (rebuilt with a warning when it is corrupt or lost), and the pristine
// starter copies.
import { copyFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { COURSE_ROOT, read_manifest } from '../course/files';
import type { course_manifest, manifest_exercise } from '../course/manifest';
import { check_many, default_jobs, DEFAULT_TIMEOUT_S } from './checking';
import { keep_starters, is_untouched } from './starters';
import { empty_entry, entry, load_state, save_state, state_dir, state_path, type learner_state } from './state';
import { yellow } from './term';

export interface course_ctx {
  root: string;
  manifest: course_manifest;
  state: learner_state;
}

/** warn - a warning on stderr, so piped stdout stays clean. */
export function warn(text: string): void {
  process.stderr.write(`${yellow('warning:')} ${text}\n`);
}

/** stamp - a timestamp usable in a file name: 20260412-153012. */
export function stamp(d = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

/**
 * open_course - load everything a command needs. A state file that is
 * missing after earlier use, or corrupt, is rebuilt: exercises still equal
 * to their starter are "not started" (a starter never passes), every other
 * one is checked afresh. The corrupt file is kept beside it, not deleted.
 */
export async function open_course(root = COURSE_ROOT): Promise<course_ctx> {
  const manifest = read_manifest(root);
  const used_before = existsSync(state_dir(root));
  const loaded = load_state(root);
  const fresh = loaded.problem === 'missing' && !used_before;
  for (const e of manifest.exercises) {
    // The working file may serve as the starter only if the learner cannot have touched it yet.
    const seen = entry(loaded.state, e.id);
    const untouched = loaded.problem === null ? seen.checked_at === null && seen.hints === 0 : fresh;
    keep_starters(root, e, untouched);
  }
  if (loaded.problem === null) return { root, manifest, state: loaded.state };
  if (fresh) {
    save_state(root, loaded.state);
    return { root, manifest, state: loaded.state };
  }
  if (loaded.problem === 'missing') {
    warn(`the progress file ${state_path(root)} is missing; rebuilding it from a fresh check of your exercises.`);
  } else {
    const aside = `${state_path(root)}.corrupt-${stamp()}`;
    try {
      copyFileSync(state_path(root), aside);
    } catch {
      // keeping the bad file is a courtesy; rebuilding matters more
    }
    warn(`the progress file ${state_path(root)} is corrupt (${loaded.problem.corrupt}); kept it as ${aside} and rebuilding it from a fresh check of your exercises.`);
  }
  const state = await rebuild_state(root, manifest);
  return { root, manifest, state };
}

/** rebuild_state - a new state from the files on disk (hint counts start again at 0). */
async function rebuild_state(root: string, manifest: course_manifest): Promise<learner_state> {
  const state: learner_state = { format: 1, exercises: {} };
  const edited: manifest_exercise[] = [];
  for (const e of manifest.exercises) {
    state.exercises[e.id] = empty_entry();
    if (!is_untouched(root, e)) edited.push(e);
  }
  if (edited.length) {
    process.stderr.write(`  checking ${edited.length} exercise${edited.length === 1 ? '' : 's'} you have worked on: ${edited.map((e) => e.id.slice(0, 2)).join(', ')}\n`);
    const runs = await check_many(root, edited, default_jobs(), DEFAULT_TIMEOUT_S);
    for (const r of runs) {
      state.exercises[r.exercise] = { status: r.status, passed: r.status === 'passed', hints: 0, checked_at: new Date().toISOString() };
    }
  }
  save_state(root, state);
  return state;
}

/** exercise_files - absolute paths of the learner's files of @e. */
export function exercise_files(root: string, e: manifest_exercise): string[] {
  return e.files.map((f) => join(root, 'exercises', e.id, f));
}
