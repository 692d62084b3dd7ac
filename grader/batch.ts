// Class mode: grade every submission folder of a directory with one shared
// pool of child processes, write each one's results under OUT/<name>/ and a
// CSV gradebook (submission, points per exercise, total, incidents). What is
// not graded is said: symbolic links (a link may lead anywhere: a
// classmate's folder, the course) and zip files (unpack them first) are
// listed as skipped, in the gradebook's skipped.txt and on the terminal.
import { lstatSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { strip_terminal } from './text';
import { failed_report, grade_submission, make_limiter, type grade_options, type grade_report, type grading_base } from './grade';
import { write_results } from './output';

export interface skipped_entry {
  name: string;
  why: string;
}

/** The submission folders of @dir, sorted by name, and what was left out and why. */
export function list_submissions(dir: string): { names: string[]; skipped: skipped_entry[] } {
  const names: string[] = [];
  const skipped: skipped_entry[] = [];
  for (const d of readdirSync(dir, { withFileTypes: true })) {
    if (d.name.startsWith('.')) continue;
    const st = lstatSync(join(dir, d.name));
    if (st.isSymbolicLink()) skipped.push({ name: d.name, why: 'a symbolic link, not graded (it could lead to another submission or the course): copy the folder itself' });
    else if (st.isDirectory()) names.push(d.name);
    else if (/\.zip$/i.test(d.name)) skipped.push({ name: d.name, why: 'a zip file, not graded: unpack it into a folder of the same name and run the batch again' });
    else skipped.push({ name: d.name, why: 'not a folder' });
  }
  const by_name = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return { names: names.sort(by_name), skipped: skipped.sort((a, b) => by_name(a.name, b.name)) };
}

const csv = (s: string) => (/[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

/** gradebook_csv - one row per report, columns: submission, each exercise, total, max, modified files, incidents. */
export function gradebook_csv(reports: grade_report[], exercise_ids: string[]): string {
  const head = ['submission', ...exercise_ids, 'total', 'max', 'modified_files', 'incidents'];
  const rows = reports.map((r) => {
    const by = new Map(r.exercises.map((e) => [e.id, e.score]));
    const incidents = r.exercises.reduce((s, e) => s + (e.incidents?.length ?? 0), 0);
    return [strip_terminal(r.submission), ...exercise_ids.map((id) => String(by.get(id) ?? 0)), String(r.score), String(r.max_score), r.modified.join(' '), String(incidents)];
  });
  return [head, ...rows].map((row) => row.map(csv).join(',')).join('\n') + '\n';
}

export interface batch_result {
  reports: grade_report[];
  skipped: skipped_entry[];
}

/** grade_batch - grade every submission in @dir; results under @out; returns the reports in name order and what was skipped. */
export async function grade_batch(base: grading_base, dir: string, out: string, opts: grade_options = {}): Promise<batch_result> {
  const limit = make_limiter(opts.jobs ?? 2);
  const { names, skipped } = list_submissions(dir);
  const reports = await Promise.all(
    names.map(async (name) => {
      let r: grade_report;
      try {
        r = await grade_submission(base, { ...opts, submission: join(dir, name) }, limit);
      } catch (e) {
        r = failed_report(name, `the grader failed on this submission: ${(e as Error).message}`, base.manifest);
      }
      write_results(r, join(out, name));
      return r;
    }),
  );
  const ids = base.manifest.exercises.filter((e) => !opts.exercises?.length || reports[0]?.exercises.some((x) => x.id === e.id)).map((e) => e.id);
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'gradebook.csv'), gradebook_csv(reports, ids));
  writeFileSync(join(out, 'skipped.txt'), skipped.map((s) => `${s.name}: ${s.why}\n`).join(''));
  const incidents = reports.flatMap((r) => r.exercises.flatMap((e) => (e.incidents ?? []).map((i) => `${r.submission} ${e.id}: ${i}\n`)));
  writeFileSync(join(out, 'incidents.txt'), incidents.join(''));
  return { reports, skipped };
}
