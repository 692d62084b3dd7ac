// The learner's progress: one small file, .shrinker-lab/state.json.
//
//   { "format": 1,
//     "exercises": { "01-count-must-not-hide-memory":
//                      { "status": "failed", "passed": false, "hints": 1, "checked_at": "2026-..." } } }
//
// status is the verdict of the last check ('not_started' before any);
// passed says the exercise has passed at least once (it unlocks `solution`
// and `n`); hints is how many hints were shown. Every change re-reads the
// file, changes one entry and writes it back atomically (a temporary file,
// then rename), so `hint` in one terminal and `watch` in another do not
// undo each other, and a crash mid-write never leaves half a file.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { course_manifest } from '../course/manifest';
import type { exercise_status } from '../course/outcome';

export const STATE_DIR = '.shrinker-lab';
export const STATE_FILE = 'state.json';
export const STATE_FORMAT = 1;

export type learner_status = exercise_status | 'not_started';

export interface exercise_state {
  status: learner_status;
  passed: boolean;
  hints: number;
  /** ISO time of the last check, or null. */
  checked_at: string | null;
}

export interface learner_state {
  format: number;
  exercises: Record<string, exercise_state>;
}

const STATUSES: readonly learner_status[] = ['not_started', 'passed', 'failed', 'compile_error', 'crashed', 'timeout'];

export function state_dir(root: string): string {
  return join(root, STATE_DIR);
}
export function state_path(root: string): string {
  return join(root, STATE_DIR, STATE_FILE);
}

export function empty_entry(): exercise_state {
  return { status: 'not_started', passed: false, hints: 0, checked_at: null };
}

export interface loaded_state {
  state: learner_state;
  /** null: read fine; 'missing': no file; 'corrupt': a file we could not use (why). */
  problem: null | 'missing' | { corrupt: string };
}

function parse_entry(x: unknown): exercise_state | null {
  if (typeof x !== 'object' || x === null) return null;
  const o = x as Record<string, unknown>;
  if (typeof o.status !== 'string' || !STATUSES.includes(o.status as learner_status)) return null;
  if (typeof o.passed !== 'boolean' || typeof o.hints !== 'number' || !Number.isInteger(o.hints) || o.hints < 0) return null;
  if (o.checked_at !== null && typeof o.checked_at !== 'string') return null;
  return { status: o.status as learner_status, passed: o.passed, hints: o.hints, checked_at: o.checked_at };
}

/** load_state - read the state file; never throws (a bad file comes back as a problem and an empty state). */
export function load_state(root: string): loaded_state {
  const empty: learner_state = { format: STATE_FORMAT, exercises: {} };
  const path = state_path(root);
  if (!existsSync(path)) return { state: empty, problem: 'missing' };
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    return { state: empty, problem: { corrupt: `not valid JSON (${(e as Error).message})` } };
  }
  if (typeof data !== 'object' || data === null) return { state: empty, problem: { corrupt: 'not a JSON object' } };
  const d = data as Record<string, unknown>;
  if (d.format !== STATE_FORMAT) return { state: empty, problem: { corrupt: `unknown format ${JSON.stringify(d.format)}` } };
  if (typeof d.exercises !== 'object' || d.exercises === null || Array.isArray(d.exercises)) return { state: empty, problem: { corrupt: '"exercises" is not an object' } };
  const out: learner_state = { format: STATE_FORMAT, exercises: {} };
  for (const [id, x] of Object.entries(d.exercises as Record<string, unknown>)) {
    const e = parse_entry(x);
    if (!e) return { state: empty, problem: { corrupt: `the entry for "${id}" is malformed` } };
    out.exercises[id] = e;
  }
  return { state: out, problem: null };
}

/** save_state - write @state atomically (temporary file in the same folder, then rename). */
export function save_state(root: string, state: learner_state): void {
  mkdirSync(state_dir(root), { recursive: true });
  const path = state_path(root);
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(state, null, 2) + '\n');
  renameSync(tmp, path);
}

/** entry - the state of exercise @id (a fresh entry if it has none). */
export function entry(state: learner_state, id: string): exercise_state {
  return state.exercises[id] ?? empty_entry();
}

/**
 * update_entry - re-read the file, change the entry of @id with @fn, write
 * it back; returns the new state. A file that went bad meanwhile is replaced
 * (the caller already warned about it when it started).
 */
export function update_entry(root: string, id: string, fn: (e: exercise_state) => exercise_state): learner_state {
  const { state } = load_state(root);
  state.exercises[id] = fn(entry(state, id));
  save_state(root, state);
  return state;
}

/** The first exercise of the course that has not passed its last check, or null when all have. */
export function first_not_done(m: course_manifest, state: learner_state): string | null {
  return m.exercises.find((e) => entry(state, e.id).status !== 'passed')?.id ?? null;
}

/** Exercises whose last check passed. */
export function done_count(m: course_manifest, state: learner_state): number {
  return m.exercises.filter((e) => entry(state, e.id).status === 'passed').length;
}
