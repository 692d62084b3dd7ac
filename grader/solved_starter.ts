// A starter must leave something to do. An instructor who tries an exercise in
// the authoring checkout and commits it ("git commit -am 'try 01 myself'")
// makes the answer "the starter" at HEAD: export-student and gradescope-zip
// then ship it to every student, and grading calls every check a guard the
// starter passes, so the exercise is worth 0/0 for the whole class, silently
// (grader red team 12 #09). Two tests, each refusing with what to do:
//   - cheap, before anything is written: the starter at HEAD is a solution of
//     the course (solutions/<id>/<file> or an alternative), up to import depth,
//     line endings and trailing blanks;
//   - by running it: the starter passes every visible check of its exercise
//     (grade.ts refuse_solved_starters, after the guard run grading does anyway).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { course_manifest, manifest_exercise } from '../course/manifest';
import { read_starter_record } from '../course/starter_record';

/** What two versions of a file must share to be "the same answer": imports re-rooted, CRLF, trailing blanks ignored. */
function normalised(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/(['"])(\.\.\/)+/g, '$1')
    .split('\n')
    .map((l) => l.trimEnd())
    .join('\n')
    .trim();
}

/** The solution files of exercise @id named @f: at git HEAD of @root, and in its working tree (reference and alternatives). */
function solution_texts(root: string, id: string, f: string): { path: string; text: string }[] {
  const out: { path: string; text: string }[] = [];
  let listed: string[] = [];
  try {
    listed = execFileSync('git', ['ls-tree', '-r', '--name-only', 'HEAD', '--', `./solutions/${id}`], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 16 << 20 }).split('\n');
  } catch {
    // No git (an exported template, a Gradescope image): no solutions at HEAD.
  }
  // ls-tree names paths from the repository's top: keep those under solutions/<id>/ that are the file itself, or an alternative's.
  const wanted = (p: string) => {
    const i = p.indexOf(`solutions/${id}/`);
    if (i < 0 || basename(p) !== f) return null;
    const rel = p.slice(i);
    return rel === `solutions/${id}/${f}` || /^solutions\/[^/]+\/alternatives\/[^/]+\/[^/]+$/.test(rel) ? rel : null;
  };
  for (const p of listed) {
    const rel = wanted(p);
    if (!rel) continue;
    try {
      out.push({ path: rel, text: execFileSync('git', ['show', `HEAD:./${rel}`], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 16 << 20 }) });
    } catch {
      // Listed but unreadable: nothing to compare.
    }
  }
  const working = join(root, 'solutions', id, f);
  if (existsSync(working)) out.push({ path: `solutions/${id}/${f}`, text: readFileSync(working, 'utf8') });
  return out;
}

/**
 * starters_that_are_solutions - for each editable file of @m whose starter (@starter_of: the text
 * at HEAD, or as the template recorded it) is one of the course's solutions, a sentence naming both.
 */
export function starters_that_are_solutions(root: string, m: course_manifest, starter_of: (id: string, f: string) => string): string[] {
  const found: string[] = [];
  for (const e of m.exercises) {
    for (const f of e.files) {
      const starter = normalised(starter_of(e.id, f));
      const same = solution_texts(root, e.id, f).find((s) => normalised(s.text) === starter);
      if (same) found.push(`the starter exercises/${e.id}/${f} at git HEAD is ${same.path}`);
    }
  }
  return found;
}

/** What to do about solved starters, for every refusal. */
export function solved_starter_advice(ids: readonly string[]): string {
  const paths = ids.map((id) => `exercises/${id}/`).join(' ');
  return `is a solution committed over the starter? Put the starter back and commit it (git log -- ${paths} finds the commit; git checkout <commit before it> -- ${paths}), then run this again`;
}

/** solved_starter_error - the refusal for starters that are solutions (@found: starters_that_are_solutions). */
export function solved_starter_error(what: string, found: readonly string[]): string {
  const ids = [...new Set(found.map((s) => /exercises\/([^/]+)\//.exec(s)?.[1] ?? ''))];
  return `${what}: ${found.join('; ')}: every student would get the answer, and the exercise would be worth nothing (a submission equal to the starter scores 0, and every check the starter passes is worth 0). ${solved_starter_advice(ids)}`;
}

/**
 * passes_every_check - exercise @e's starter passes every visible check (@passes: the ids the guard
 * run saw pass), so nothing is left for a student to earn: the sentence saying so, or null.
 */
export function passes_every_check(e: manifest_exercise, passes: ReadonlySet<string>): string | null {
  if (!e.tests.length || !e.tests.every((t) => passes.has(t.check))) return null;
  return `the starter of ${e.id} passes every one of its ${e.tests.length} checks`;
}

/**
 * starter_record_drift - exercise @e's committed starter (@passes: the ids the guard run saw pass,
 * 'hidden/<id>' ignored) fails another set of visible checks than the course recorded for its
 * starter (checks/<id>.starter.json under @root, written by npm run golden): the sentence saying
 * which checks now pass and which now fail, or null when they agree. A partly solved starter
 * committed at HEAD passes checks it was written to fail: they would become guards worth 0, and
 * every student's points would move to other checks without a word (grader red team 13 #07).
 */
export function starter_record_drift(root: string, e: manifest_exercise, passes: ReadonlySet<string>): string | null {
  const nn = e.id.slice(0, 2);
  const record = read_starter_record(e, root);
  if (typeof record === 'string') return `${e.id}: ${record}, so the grader cannot tell whether the starter at git HEAD is the one the course was written for (run npm run starters -- ${nn} on a checkout whose exercises/${e.id}/ is the starter, and commit the file)`;
  const recorded_fails = new Set(record.starter_fails);
  const now_pass = e.tests.map((t) => t.check).filter((id) => recorded_fails.has(id) && passes.has(id));
  const now_fail = e.tests.map((t) => t.check).filter((id) => !recorded_fails.has(id) && !passes.has(id));
  const unknown = record.starter_fails.filter((id) => !e.tests.some((t) => t.check === id));
  if (!now_pass.length && !now_fail.length && !unknown.length) return null;
  const said: string[] = [];
  if (now_pass.length) said.push(`now passes ${now_pass.join(', ')}, which the course's starter fails (each would become a guard worth 0, its points lost to every student)`);
  if (now_fail.length) said.push(`now fails ${now_fail.join(', ')}, which the course's starter passes (each would be worth points the starter already earns)`);
  if (unknown.length) said.push(`the record names ${unknown.join(', ')}, which exercise ${nn} no longer has`);
  return `the starter exercises/${e.id}/ at git HEAD ${said.join('; and ')}: is a solution partly committed over the starter? Put the starter back and commit it (git log -- exercises/${e.id}/ finds the commit); if you changed the starter or its checks on purpose, run npm run golden -- ${nn} (or npm run starters -- ${nn}) and commit ${e.checks.replace(/\.checks\.ts$/, '.starter.json')}`;
}
