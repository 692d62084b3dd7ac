// Where an exercise's files live, and loading them (Node side).
//
//   exercises/<id>/<file>                the learner's copy (starts with the bug)
//   solutions/<id>/<file>                the reference solution
//   solutions/<id>/alternatives/<name>/  other accepted solutions (must pass too)
//   solutions/<id>/decoys/<name>/        plausible wrong fixes (must be rejected)
//   solutions/<id>/decoys.json           why each decoy is wrong, and which checks reject it
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { check_suite, exercise_impl } from './checks';
import { validate_manifest, MANIFEST_PATH, manifest_error, type course_manifest, type manifest_exercise } from './manifest';

/** The root of this course checkout. */
export const COURSE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** read_manifest - load and validate exercises/course.json under @root. */
export function read_manifest(root = COURSE_ROOT): course_manifest {
  const path = join(root, MANIFEST_PATH);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new manifest_error(`${MANIFEST_PATH}: cannot read the course manifest (looked in ${root}). Restore it from git: git checkout -- ${MANIFEST_PATH}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new manifest_error(`${MANIFEST_PATH}: not valid JSON: ${(e as Error).message}`);
  }
  return validate_manifest(data, MANIFEST_PATH);
}

/** load_suite - import an exercise's check suite. */
export async function load_suite(e: manifest_exercise, root = COURSE_ROOT): Promise<check_suite> {
  const mod = (await import(pathToFileURL(join(root, e.checks)).href)) as { default?: check_suite };
  if (!mod.default || !Array.isArray(mod.default.checks)) throw new manifest_error(`${e.checks}: must export default define_checks({...})`);
  return mod.default;
}

/** load_impl - import every editable file of @e from @dir and merge their exports. */
export async function load_impl(e: manifest_exercise, dir: string): Promise<exercise_impl> {
  const impl: exercise_impl = {};
  for (const f of e.files) {
    const path = join(dir, f);
    if (!existsSync(path)) throw new Error(`${path}: missing. Restore the starter with: npx shrinker-lab reset ${e.id.slice(0, 2)}`);
    Object.assign(impl, await import(pathToFileURL(path).href));
  }
  return impl;
}

export interface target {
  /** 'starter', 'solution', 'alternative:<name>' or 'decoy:<name>'. */
  kind: string;
  dir: string;
}

export interface decoy_note {
  name: string;
  /** Why a learner might try it, and why it is wrong. */
  why: string;
  /** Checks that must reject it (the right reason). */
  rejected_by: string[];
}

/** The decoys of @e with their notes (solutions/<id>/decoys.json). */
export function read_decoys(e: manifest_exercise, root = COURSE_ROOT): decoy_note[] {
  const path = join(root, 'solutions', e.id, 'decoys.json');
  if (!existsSync(path)) return [];
  return JSON.parse(readFileSync(path, 'utf8')) as decoy_note[];
}

/** Sub-folders of solutions/<id>/<group>/. */
export function list_variants(e: manifest_exercise, group: 'decoys' | 'alternatives', root = COURSE_ROOT): string[] {
  const dir = join(root, 'solutions', e.id, group);
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
}

export function starter_dir(e: manifest_exercise, root = COURSE_ROOT): string {
  return join(root, 'exercises', e.id);
}
export function solution_dir(e: manifest_exercise, root = COURSE_ROOT): string {
  return join(root, 'solutions', e.id);
}
export function variant_dir(e: manifest_exercise, group: 'decoys' | 'alternatives', name: string, root = COURSE_ROOT): string {
  return join(root, 'solutions', e.id, group, name);
}

/** golden_path - where the reference's recorded outcomes for @e's checks live (checks/NN-slug.golden.ts). */
export function golden_path(e: manifest_exercise, root = COURSE_ROOT): string {
  return join(root, e.checks.replace(/\.checks\.ts$/, '.golden.ts'));
}
