// Class mode: grade every submission folder of a directory with one shared
// pool of child processes, write each one's results under OUT/<name>/ and a
// CSV gradebook (submission, points per exercise, total, incidents). What is
// not graded is said: symbolic links (a link may lead anywhere: a
// classmate's folder, the course) and zip files (unpack them first) are
// listed as skipped, in the gradebook's skipped.txt and on the terminal.
import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { failure_detail, shown_failure } from './failure';
import { shown_name, strip_terminal } from './text';
import { failed_report, grade_submission, hidden_pending, known_guards, make_limiter, type grade_options, type grade_report, type grading_base } from './grade';
import { write_results } from './output';
import { write_result_file } from './safe_write';

export interface skipped_entry {
  name: string;
  why: string;
}

/**
 * raw_name - a folder name as the file system holds it (bytes) shown as text: UTF-8 when it is,
 * else each byte of 0x80 and above written \xNN ("Jos\xe9"), never a guess at its encoding.
 */
export function raw_name(bytes: Buffer): { text: string; utf8: boolean } {
  const text = bytes.toString('utf8');
  if (Buffer.from(text, 'utf8').equals(bytes)) return { text, utf8: true };
  return { text: [...bytes].map((b) => (b < 0x80 ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`)).join(''), utf8: false };
}

/**
 * The submission folders of @dir, sorted by name, and what was left out and why. Names are read as
 * the bytes they are: a name that is not UTF-8 ("José" in Latin-1, as unzip of a Windows archive
 * makes it) decoded to "Jos\ufffd", which names no folder, and its lstat ended the whole batch
 * before anyone was graded (red team 10 #04). Such a folder, and any entry that cannot be examined,
 * is listed as skipped with why; the class is graded.
 */
export function list_submissions(dir: string): { names: string[]; skipped: skipped_entry[] } {
  const names: string[] = [];
  const skipped: skipped_entry[] = [];
  for (const bytes of readdirSync(dir, { encoding: 'buffer' })) {
    const { text: name, utf8 } = raw_name(bytes);
    if (!utf8) {
      skipped.push({ name, why: 'a name that is not UTF-8 text (an archive unpacked with another encoding?), not graded: rename the folder and run the batch again' });
      continue;
    }
    let st;
    try {
      st = lstatSync(join(dir, name));
    } catch (e) {
      skipped.push({ name, why: `not graded: it cannot be examined (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})` });
      continue;
    }
    // Said, not skipped silently (red team 9 #17: a folder ".carol" had no row anywhere).
    if (name.startsWith('.')) skipped.push({ name, why: "a name starting with '.', not graded (hidden folders and files are not submissions): rename it to grade it" });
    else if (st.isSymbolicLink()) skipped.push({ name, why: 'a symbolic link, not graded (it could lead to another submission or the course): copy the folder itself' });
    else if (st.isDirectory()) names.push(name);
    else if (/\.zip$/i.test(name)) skipped.push({ name, why: 'a zip file, not graded: unpack it into a folder of the same name and run the batch again' });
    else skipped.push({ name, why: 'not a folder' });
  }
  const by_name = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return { names: names.sort(by_name), skipped: skipped.sort((a, b) => by_name(a.name, b.name)) };
}

/**
 * One CSV cell. A cell that starts with = + - @ (or a tab or CR) is a formula
 * to a spreadsheet (=HYPERLINK(...), @SUM(...)|cmd: DDE): a folder named so
 * would run in the instructor's gradebook. Prefix it with ' (OWASP's advice),
 * which spreadsheets show as text.
 */
const csv = (cell: string) => {
  const s = /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** gradebook_csv - one row per report, columns: submission, each exercise, total, max, modified files, incidents. */
export function gradebook_csv(reports: grade_report[], exercise_ids: string[]): string {
  const head = ['submission', ...exercise_ids, 'total', 'max', 'modified_files', 'incidents'];
  const rows = reports.map((r) => {
    const by = new Map(r.exercises.map((e) => [e.id, e.score]));
    const incidents = r.exercises.reduce((s, e) => s + (e.incidents?.length ?? 0), 0);
    return [shown_name(r.submission), ...exercise_ids.map((id) => String(by.get(id) ?? 0)), String(r.score), String(r.max_score), r.modified.join(' '), String(incidents)];
  });
  return [head, ...rows].map((row) => row.map(csv).join(',')).join('\n') + '\n';
}

export interface batch_result {
  reports: grade_report[];
  skipped: skipped_entry[];
  /** Submission name to the folder of OUT holding its results (its own name, unless that is one of the batch's files). */
  folders: Map<string, string>;
}

/** The files a batch writes into OUT itself: a submission of one of these names must not take its place. */
export const BATCH_FILES = ['gradebook.csv', 'skipped.txt', 'incidents.txt'] as const;

/**
 * results_folders - where each submission's results go under OUT: its own
 * name, except a name that is one of BATCH_FILES (case-insensitively: a
 * folder "gradebook.csv" would stop the gradebook being written, and the
 * whole batch with it), which gets "<name>.results" (numbered if taken).
 */
export function results_folders(names: readonly string[]): Map<string, string> {
  const taken = new Set(names.map((n) => n.toLowerCase()));
  const out = new Map<string, string>();
  for (const n of names) {
    if (!(BATCH_FILES as readonly string[]).includes(n.toLowerCase())) {
      out.set(n, n);
      continue;
    }
    let f = `${n}.results`;
    for (let i = 2; taken.has(f.toLowerCase()); i++) f = `${n}.results-${i}`;
    taken.add(f.toLowerCase());
    out.set(n, f);
  }
  return out;
}

/** batch_lines - what the terminal shows after a batch: names printed with shown_name() (no escape sequence of a folder name reaches it). */
export function batch_lines(b: batch_result, out: string): string[] {
  const lines: string[] = [];
  for (const r of b.reports) {
    const folder = b.folders.get(r.submission) ?? r.submission;
    lines.push(`${shown_name(r.submission)}: ${r.score}/${r.max_score}${folder !== r.submission ? ` (results in ${shown_name(folder)}/: the name is one of the batch's own files)` : ''}`);
  }
  for (const s of b.skipped) lines.push(`skipped ${shown_name(s.name)}: ${s.why}`);
  for (const r of b.reports) for (const e of r.exercises) for (const i of e.incidents ?? []) lines.push(strip_terminal(`incident in ${shown_name(r.submission)} ${e.id}: ${i}`));
  for (const r of b.reports) if (r.failure_detail) lines.push(strip_terminal(`not graded ${shown_name(r.submission)}: ${r.failure_detail.split('\n')[0]} (incidents.txt has the whole error)`));
  lines.push(`gradebook: ${join(out, 'gradebook.csv')}`);
  return lines;
}

/**
 * Submissions being graded at once, per child process allowed: each holds a
 * grading tree on disk (~6 MB, 460 files) from its start to its end. With
 * every submission started at once, a class of 1000 made 1000 trees (6 GB)
 * before the first child ran, the event loop blocked while it did.
 */
export const SUBMISSIONS_PER_JOB = 2;

/** grade_batch - grade every submission in @dir; results under @out; returns the reports in name order and what was skipped. @grade: the tests' stand-in for grade_submission. */
export async function grade_batch(base: grading_base, dir: string, out: string, opts: grade_options = {}, grade: typeof grade_submission = grade_submission): Promise<batch_result> {
  // --hidden-from is decided once for the whole class: a batch that runs across the date grades every
  // submission by one rule (red team 9 #24).
  opts = { ...opts, hidden_pending: hidden_pending(opts) };
  const jobs = opts.jobs ?? 2;
  const limit = make_limiter(jobs);
  const in_flight = make_limiter(Math.max(2, jobs * SUBMISSIONS_PER_JOB));
  const { names, skipped } = list_submissions(dir);
  const folders = results_folders(names);
  const reports = await Promise.all(
    names.map((name) =>
      in_flight(async () => {
        let r: grade_report;
        try {
          r = await grade(base, { ...opts, submission: join(dir, name) }, limit);
        } catch (e) {
          // The student's results say a fixed sentence; the error is the instructor's (incidents.txt, the terminal).
          // Out of what a graded report is: the starter's guards worth 0 (main.ts ran the guard run before the class).
          const wanted = base.manifest.exercises.filter((x) => !opts.exercises?.length || opts.exercises.some((q) => x.id === q || x.id.startsWith(`${q}-`)));
          r = failed_report(name, shown_failure(e), base.manifest, failure_detail(e), opts.exercises, await known_guards(base, wanted, opts));
        }
        // One submission's results that cannot be written (red team 8 #02: a report too big for a
        // string) cost that submission its files, never the class its gradebook.
        try {
          write_results(r, out, folders.get(name)!);
        } catch (e) {
          r = failed_report(name, `the grader could not write this submission's results: ${(e as Error).message}`, base.manifest, undefined, opts.exercises);
          try {
            write_results(r, out, folders.get(name)!);
          } catch {
            /* the gradebook row below still says it */
          }
        }
        return r;
      }),
    ),
  );
  const ids = base.manifest.exercises.filter((e) => !opts.exercises?.length || reports[0]?.exercises.some((x) => x.id === e.id)).map((e) => e.id);
  write_result_file(out, 'gradebook.csv', gradebook_csv(reports, ids));
  write_result_file(out, 'skipped.txt', skipped.map((s) => `${shown_name(s.name)}: ${s.why}\n`).join(''));
  const incidents = [
    ...reports.flatMap((r) => r.exercises.flatMap((e) => (e.incidents ?? []).map((i) => strip_terminal(`${shown_name(r.submission)} ${e.id}: ${i}`) + '\n'))),
    ...reports.filter((r) => r.failure_detail).map((r) => strip_terminal(`${shown_name(r.submission)}: not graded: ${r.failure_detail}`) + '\n'),
  ];
  write_result_file(out, 'incidents.txt', incidents.join(''));
  return { reports, skipped, folders };
}
