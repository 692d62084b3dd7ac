// "Your answer behaves like a known wrong answer": each exercise's decoys
// (solutions/<id>/decoys/) are plausible wrong fixes with a reviewer's note
// on why each is wrong. When a learner's failing verdict fails the same
// checks in the same way as a decoy, the loop shows that decoy's note: the
// comment a reviewer would have made on that mistake.
//
// The learner's copy of the course may have no solutions/ (the instructor's
// student template leaves them out), so `npm run golden` records each
// decoy's verdict signature and note next to the checks, in
// checks/<id>.known-wrong.json; the authoring tests prove the file current.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { check_result } from './checks';
import { COURSE_ROOT } from './files';
import type { manifest_exercise } from './manifest';

export interface known_wrong_answer {
  /** The decoy's name (solutions/<id>/decoys/<name>/). */
  name: string;
  /** The reviewer's note: why one might try it, and why it is wrong. */
  why: string;
  /** verdict_signature() of the decoy's results. */
  signature: string;
}

/**
 * verdict_signature - which checks failed, and how: each failing check's id
 * with the first line of its message, numbers and quoted names blanked out
 * (a different workload or task name is the same mistake).
 */
export function verdict_signature(results: readonly check_result[]): string {
  return results
    .filter((r) => r.status === 'failed')
    .map((r) => {
      const first = (r.message.split('\n')[0] ?? '').replace(/"[^"]*"/g, '"…"').replace(/\d+(\.\d+)?/g, '#');
      return `${r.id}: ${first}`;
    })
    .sort()
    .join('\n');
}

/** known_wrong_path - checks/<id>.known-wrong.json, beside the suite. */
export function known_wrong_path(e: manifest_exercise, root = COURSE_ROOT): string {
  return join(root, e.checks.replace(/\.checks\.ts$/, '.known-wrong.json'));
}

/** read_known_wrong - the recorded wrong answers of @e ([] if there is no file or it is unreadable). */
export function read_known_wrong(e: manifest_exercise, root = COURSE_ROOT): known_wrong_answer[] {
  const path = known_wrong_path(e, root);
  if (!existsSync(path)) return [];
  try {
    const data = JSON.parse(readFileSync(path, 'utf8')) as unknown;
    return Array.isArray(data) ? (data as known_wrong_answer[]).filter((d) => typeof d?.signature === 'string' && typeof d?.why === 'string') : [];
  } catch {
    return []; // a damaged hint file must never break a verdict
  }
}

/** match_known_wrong - the known wrong answers of @e whose verdict @results reproduces exactly (none for a pass). */
export function match_known_wrong(e: manifest_exercise, results: readonly check_result[], root = COURSE_ROOT): known_wrong_answer[] {
  const sig = verdict_signature(results);
  if (!sig) return [];
  return read_known_wrong(e, root).filter((d) => d.signature === sig);
}

/** known_wrong_source - the text of checks/<id>.known-wrong.json for @answers. */
export function known_wrong_source(answers: readonly known_wrong_answer[]): string {
  return `${JSON.stringify([...answers].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)), null, 2)}\n`;
}
