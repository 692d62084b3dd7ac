// What each starter is meant to fail, recorded beside its checks.
//
// Grading gives points only for checks the committed starter fails; the ones it
// passes are guards worth 0 (grader/grade.ts starter_passes). A starter that an
// instructor partly solved and committed (the reference plus one cond_resched())
// passes some checks it was written to fail: they silently become guards, and
// every student's points move with them (grader red team 13 #07). The checks
// the starter really fails are an authoring fact, so `npm run golden` (or
// `npm run starters`, for this record only) writes them to
// checks/NN-slug.starter.json, the authoring tests prove the file current, and
// export-student, gradescope-zip and grading refuse when the committed starter
// fails a different set (grader/solved_starter.ts starter_record_drift).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { check_result } from './checks';
import { COURSE_ROOT } from './files';
import type { manifest_exercise } from './manifest';

export interface starter_record {
  /** The visible checks the starter fails, in the manifest's order. */
  starter_fails: string[];
}

/** starter_record_path - checks/<id>.starter.json, beside the suite. */
export function starter_record_path(e: manifest_exercise, root = COURSE_ROOT): string {
  return join(root, e.checks.replace(/\.checks\.ts$/, '.starter.json'));
}

/** starter_fails_of - the ids of @e's checks that failed in @results, in the manifest's order. */
export function starter_fails_of(e: manifest_exercise, results: readonly check_result[]): string[] {
  const failed = new Set(results.filter((r) => r.status === 'failed').map((r) => r.id));
  return e.tests.map((t) => t.check).filter((id) => failed.has(id));
}

/** starter_record_source - the text of checks/<id>.starter.json for the starter's @results. */
export function starter_record_source(e: manifest_exercise, results: readonly check_result[]): string {
  const record = {
    generated_by: `npm run golden -- ${e.id.slice(0, 2)} (or npm run starters -- ${e.id.slice(0, 2)}): the checks exercises/${e.id}/ fails. Do not edit.`,
    starter_fails: starter_fails_of(e, results),
  };
  return `${JSON.stringify(record, null, 2)}\n`;
}

/**
 * read_starter_record - the recorded failing checks of @e's starter under @root: the record, or a
 * sentence saying why there is none usable (missing, not JSON, not the expected shape).
 */
export function read_starter_record(e: manifest_exercise, root = COURSE_ROOT): starter_record | string {
  const path = starter_record_path(e, root);
  const name = e.checks.replace(/\.checks\.ts$/, '.starter.json');
  if (!existsSync(path)) return `${name} is missing`;
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (x) {
    return `${name} is not JSON (${(x as Error).message})`;
  }
  const fails = (data as { starter_fails?: unknown } | null)?.starter_fails;
  if (!Array.isArray(fails) || !fails.every((f) => typeof f === 'string')) return `${name} has no "starter_fails" list of check ids`;
  return { starter_fails: fails as string[] };
}

/** starter_record_is_current - does the committed record of @e say exactly what @results say? */
export function starter_record_is_current(e: manifest_exercise, results: readonly check_result[], root = COURSE_ROOT): boolean {
  const path = starter_record_path(e, root);
  return existsSync(path) && readFileSync(path, 'utf8').replace(/\r\n/g, '\n') === starter_record_source(e, results);
}
