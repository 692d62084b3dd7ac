// Builds the grader's fixture submissions at test time from the real
// exercise files (see tests/grader/fixtures/README.md).
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { COURSE_ROOT, read_decoys, read_manifest, solution_dir, starter_dir, variant_dir } from '../../course/files';
import type { manifest_exercise } from '../../course/manifest';
import { make_temp } from '../../grader/tree';

export const manifest = read_manifest();
export const EX01 = manifest.exercises[0]!;
export const EX02 = manifest.exercises[1] ?? null;
const SNIPPETS = join(COURSE_ROOT, 'tests/grader/fixtures');

export function snippet(name: string): string {
  return readFileSync(join(SNIPPETS, name), 'utf8');
}

function put(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

/**
 * Copy @e's editable files from @from into @sub/<id>/. Files from an
 * alternative or a decoy (two folders deeper) get their imports re-rooted,
 * as a learner pasting that fix into the exercise would.
 */
export function add_files(sub: string, e: manifest_exercise, from: string): void {
  for (const f of e.files) {
    put(join(sub, e.id, f), readFileSync(join(from, f), 'utf8').replaceAll("'../../../../", "'../../"));
  }
}

/** @e's starter with @extra appended to its first file (the rest unchanged). */
export function add_starter_with(sub: string, e: manifest_exercise, extra: string): void {
  add_files(sub, e, starter_dir(e));
  const f = join(sub, e.id, e.files[0]!);
  put(f, readFileSync(f, 'utf8') + extra);
}

export function add_solution_with(sub: string, e: manifest_exercise, extra: string): void {
  add_files(sub, e, solution_dir(e));
  const f = join(sub, e.id, e.files[0]!);
  put(f, readFileSync(f, 'utf8') + extra);
}

export function new_submission(name: string): string {
  const d = join(make_temp('shrinker-fixture-'), name);
  mkdirSync(d, { recursive: true });
  return d;
}

export const fixtures = {
  all_solutions(): string {
    const s = new_submission('all-solutions');
    for (const e of manifest.exercises) add_files(s, e, solution_dir(e));
    return s;
  },
  all_starters(): string {
    const s = new_submission('all-starters');
    for (const e of manifest.exercises) add_files(s, e, starter_dir(e));
    return s;
  },
  /** 01 solved, 02 (when there is one) with its first decoy. */
  mix(): { dir: string; decoy: string | null } {
    const s = new_submission('mix');
    add_files(s, EX01, solution_dir(EX01));
    let decoy: string | null = null;
    if (EX02) {
      decoy = read_decoys(EX02)[0]?.name ?? null;
      add_files(s, EX02, decoy ? variant_dir(EX02, 'decoys', decoy) : starter_dir(EX02));
    }
    return { dir: s, decoy };
  },
  infinite_loop(): string {
    const s = new_submission('infinite-loop');
    add_starter_with(s, EX01, snippet('infinite-loop.txt'));
    if (EX02) add_files(s, EX02, solution_dir(EX02));
    return s;
  },
  process_exit(): string {
    const s = new_submission('process-exit');
    add_solution_with(s, EX01, snippet('process-exit.txt'));
    return s;
  },
  /** A whole repository: 01's starter with a comment, and a forged check suite that passes everything. */
  edits_test(): string {
    const s = new_submission('edits-test');
    add_starter_with(join(s, 'exercises'), EX01, '\n// I tried.\n');
    const forged = `import { define_checks, pass } from '../course/checks';\nexport default define_checks({ exercise: '${EX01.id}', exports: {}, checks: [${EX01.tests
      .map((t) => `{ id: '${t.check}', name: '${t.check}', run: async () => pass() }`)
      .join(', ')}] });\n`;
    put(join(s, EX01.checks), forged);
    cpSync(join(COURSE_ROOT, 'exercises/course.json'), join(s, 'exercises/course.json'));
    return s;
  },
  monkey_patch(): string {
    const s = new_submission('monkey-patch');
    add_starter_with(s, EX01, snippet('monkey-patch.txt'));
    return s;
  },
  syntax_error(): string {
    const s = new_submission('syntax-error');
    add_starter_with(s, EX01, snippet('syntax-error.txt'));
    return s;
  },
  missing_file(): string {
    const s = new_submission('missing-file');
    mkdirSync(join(s, EX01.id), { recursive: true });
    return s;
  },
};
