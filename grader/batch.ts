// Class mode: grade every submission folder of a directory with one shared
// pool of child processes, write each one's results under OUT/<name>/ and a
// CSV gradebook (submission, points per exercise, total).
import { readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { failed_report, grade_submission, make_limiter, type grade_options, type grade_report, type grading_base } from './grade';
import { write_results } from './output';

/** The submission folders of @dir, sorted by name. */
export function list_submissions(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && !d.name.startsWith('.'))
    .map((d) => d.name)
    .sort();
}

const csv = (s: string) => (/[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

/** gradebook_csv - one row per report, columns: submission, each exercise, total, max, modified files. */
export function gradebook_csv(reports: grade_report[], exercise_ids: string[]): string {
  const head = ['submission', ...exercise_ids, 'total', 'max', 'modified_files'];
  const rows = reports.map((r) => {
    const by = new Map(r.exercises.map((e) => [e.id, e.score]));
    return [r.submission, ...exercise_ids.map((id) => String(by.get(id) ?? 0)), String(r.score), String(r.max_score), r.modified.join(' ')];
  });
  return [head, ...rows].map((row) => row.map(csv).join(',')).join('\n') + '\n';
}

/** grade_batch - grade every submission in @dir; results under @out; returns the reports in name order. */
export async function grade_batch(base: grading_base, dir: string, out: string, opts: grade_options = {}): Promise<grade_report[]> {
  const limit = make_limiter(opts.jobs ?? 2);
  const names = list_submissions(dir);
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
  const ids = reports[0]?.exercises.map((e) => e.id) ?? base.manifest.exercises.map((e) => e.id);
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'gradebook.csv'), gradebook_csv(reports, ids));
  return reports;
}
