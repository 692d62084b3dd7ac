// Which files make up the course the grader trusts, and building a grading
// tree from them: a temporary copy of the grader's own course (never a
// learner's copy of the model, the checks or the configuration), without
// solutions/, into which one submission's editable files are dropped.
//
// Why a whole tree and not "import the learner's file from where it is": the
// learner's files import the model by relative path ('../../kernel/...').
// Placed anywhere else they would load a second copy of every kernel module
// (a second scheduler, a second set of initcalls) and nothing would work.
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import type { course_manifest } from '../course/manifest';
import { REALM_PACKAGES } from '../course/realm';

/** Folders whose every file is part of the trusted course (model, explorer, harness, checks). */
export const PROTECTED_DIRS = ['kernel', 'explorer', 'scenarios', 'course', 'grader', 'checks'] as const;
/** Single files that are part of it (configuration). */
export const PROTECTED_FILES = ['exercises/course.json', 'package.json', 'package-lock.json', 'tsconfig.json'] as const;
/** The checksum manifest itself (not part of what it lists). */
export const CHECKSUMS_PATH = 'grader/checksums.json';

/** Scratch files authors keep around, editor droppings, build output: never part of the course. */
function ignored(name: string): boolean {
  return name.startsWith('.') || name.endsWith('.tmp.ts') || name === 'node_modules' || name.endsWith('.js') || name.endsWith('~');
}

function walk(root: string, rel: string, out: string[]): void {
  const abs = join(root, rel);
  if (!existsSync(abs)) return;
  for (const d of readdirSync(abs, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    if (ignored(d.name)) continue;
    const r = `${rel}/${d.name}`;
    if (d.isDirectory()) walk(root, r, out);
    else if (d.isFile()) out.push(r);
  }
}

/** protected_files - the trusted files under @root (relative, '/'-separated, sorted), checksums.json excluded. */
export function protected_files(root: string): string[] {
  const out: string[] = [];
  for (const d of PROTECTED_DIRS) walk(root, d, out);
  for (const f of PROTECTED_FILES) if (existsSync(join(root, f))) out.push(f);
  return out.filter((f) => f !== CHECKSUMS_PATH).sort();
}

/** Editable files of every exercise, as 'exercises/<id>/<file>'. */
export function editable_files(m: course_manifest): string[] {
  return m.exercises.flatMap((e) => e.files.map((f) => `exercises/${e.id}/${f}`));
}

/** Every other file of exercises/<id>/ (READMEs): copied from the grader's course, never from a submission. */
function exercise_extras(root: string, m: course_manifest): string[] {
  const out: string[] = [];
  for (const e of m.exercises) walk(root, `exercises/${e.id}`, out);
  const editable = new Set(editable_files(m));
  return out.filter((f) => !editable.has(f));
}

/** sha256 of a file's bytes, with CRLF read as LF (a Windows checkout must not look tampered with). */
export function file_digest(path: string): string {
  const text = readFileSync(path).toString('latin1').replace(/\r\n/g, '\n');
  return createHash('sha256').update(text, 'latin1').digest('hex');
}

export interface checksum_manifest {
  /** What the digests cover and how to regenerate them. */
  about: string;
  algorithm: 'sha256';
  files: Record<string, string>;
}

/** compute_checksums - the checksum manifest of @root's protected files. */
export function compute_checksums(root: string): checksum_manifest {
  const files: Record<string, string> = {};
  for (const f of protected_files(root)) files[f] = file_digest(join(root, f));
  return {
    about: 'sha256 of the tests, model, harness and configuration the grader trusts (CRLF read as LF). Regenerate with: npm run grade -- checksums --write',
    algorithm: 'sha256',
    files,
  };
}

export interface checksum_diff {
  modified: string[];
  missing: string[];
  added: string[];
}

/** diff_checksums - how @actual differs from @expected (file names, sorted). */
export function diff_checksums(expected: checksum_manifest, actual: checksum_manifest): checksum_diff {
  const modified: string[] = [];
  const missing: string[] = [];
  for (const [f, h] of Object.entries(expected.files)) {
    if (!(f in actual.files)) missing.push(f);
    else if (actual.files[f] !== h) modified.push(f);
  }
  const added = Object.keys(actual.files).filter((f) => !(f in expected.files));
  return { modified: modified.sort(), missing: missing.sort(), added: added.sort() };
}

/** read_checksums - the committed manifest under @root, or null when there is none. */
export function read_checksums(root: string): checksum_manifest | null {
  const p = join(root, CHECKSUMS_PATH);
  if (!existsSync(p)) return null;
  return JSON.parse(readFileSync(p, 'utf8')) as checksum_manifest;
}

/** write_checksums - regenerate grader/checksums.json under @root. */
export function write_checksums(root: string): checksum_manifest {
  const c = compute_checksums(root);
  writeFileSync(join(root, CHECKSUMS_PATH), `${JSON.stringify(c, null, 2)}\n`);
  return c;
}

/** Temporary folders made and not yet removed: an interrupted grader removes them (cleanup_temps). */
const temps = new Set<string>();

/** make_temp - a fresh temporary folder (the caller removes it with remove()). */
export function make_temp(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  temps.add(d);
  return d;
}

/** cleanup_temps - remove every temporary folder still registered (SIGINT/SIGTERM handlers). Returns how many. */
export function cleanup_temps(): number {
  const n = temps.size;
  for (const d of [...temps]) remove(d);
  return n;
}

/**
 * copy_course - copy @root's trusted course into @dest: the protected files,
 * the exercises' READMEs and starters, and (@packages) a real copy of the
 * packages the grading realm loads (course/realm.ts REALM_PACKAGES). Never
 * solutions/, never lessons or the CLI, and never a symbolic link: a link
 * back into the course would hand the learner's process a path to it
 * (`<tree>/node_modules/../solutions`).
 */
export function copy_course(root: string, dest: string, m: course_manifest, packages = true): void {
  const files = [...protected_files(root), ...exercise_extras(root, m), ...editable_files(m)];
  for (const f of files) {
    const src = join(root, f);
    if (!existsSync(src)) continue;
    mkdirSync(dirname(join(dest, f)), { recursive: true });
    cpSync(src, join(dest, f));
  }
  if (!packages) return;
  for (const name of REALM_PACKAGES) {
    const src = join(root, 'node_modules', name);
    if (!existsSync(src)) continue;
    // realpath: node_modules itself may be a link (a test's course copy); what lands in the tree is files.
    cpSync(realpathSync(src), join(dest, 'node_modules', name), { recursive: true, dereference: true });
  }
}

/** remove - delete a temporary tree, ignoring errors. */
export function remove(dir: string): void {
  temps.delete(dir);
  try {
    rmSync(dir, { recursive: true, force: true });
  } catch {
    /* best effort */
  }
}

/** to_posix - a relative path with '/' separators. */
export function rel_posix(from: string, to: string): string {
  return relative(from, to).split(sep).join('/');
}

export function is_dir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}
