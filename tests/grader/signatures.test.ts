// The grader's type check holds each graded file's exports to the starter's
// types (grader/signatures.ts, issue #10 / red team 7 #05): a count that
// returns Promise<string>, or takes parameters of other types, or is not
// exported, is refused before any check runs, with the export, the expected
// and the found type named; a correct answer with helpers of its own, other
// parameter names or fewer parameters still passes.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { solution_dir } from '../../course/files';
import type { diagnostic } from '../../course/typecheck';
import { grade_submission, prepare_base, release_base, run_typecheck, type grading_base } from '../../grader/grade';
import { starter_twin } from '../../grader/signatures';
import { EX01, new_submission } from './fixtures';

const FILE = EX01.files[0]!;
const SOLUTION = readFileSync(join(solution_dir(EX01), FILE), 'utf8');
const HEAD = SOLUTION.slice(0, SOLUTION.indexOf('/**'));

/** The type check child's diagnostics for @text written as exercise 01's file (as probe @name) in the base, with its starter twin. */
async function typecheck(base: grading_base, name: string, text: string): Promise<diagnostic[]> {
  const file = join(base.dir, 'exercises', EX01.id, `${name}.ts`);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
  copyFileSync(join(base.dir, 'exercises', EX01.id, FILE), starter_twin(file));
  const r = await run_typecheck(base.dir, [file]);
  if (typeof r === 'string') throw new Error(r);
  return r;
}

describe('the type check holds the exports to the starter\'s types', () => {
  let base: grading_base;
  beforeAll(() => {
    base = prepare_base();
  });
  afterAll(() => release_base(base));

  it('passes a correct answer with extra helpers and exports, other parameter names and fewer parameters', async () => {
    const body = SOLUTION.slice(SOLUTION.indexOf('/**'))
      .replace('i915_gem_shrinker_count(i915: drm_i915_private, _sc: shrink_control)', 'i915_gem_shrinker_count(dev: drm_i915_private)')
      .replaceAll('i915.', 'dev.')
      .replace('i915_gem_shrinker_lock(i915)', 'i915_gem_shrinker_lock(dev)')
      .replace('i915_gem_shrinker_unlock(i915, unlock)', 'i915_gem_shrinker_unlock(dev, unlock)');
    expect(body).toContain('(dev: drm_i915_private)');
    const text = `${HEAD}export const HELPER_LIMIT = 3;\nexport function pages_of(n: number): number {\n  return n;\n}\nexport type counted = number;\n${body}`;
    expect(await typecheck(base, 'probe-correct', text)).toEqual([]);
  });

  it('refuses an export whose return type is not the starter\'s, naming the export, the expected and the found type', async () => {
    const text = `${HEAD}export async function i915_gem_shrinker_count(_i915: drm_i915_private, _sc: shrink_control): Promise<string> {\n  return '0';\n}\n`;
    const ds = await typecheck(base, 'probe-string', text);
    expect(ds).toHaveLength(1);
    expect(ds[0]!.code).toBe('SL-SIGNATURE');
    expect(ds[0]!.line).toBe(HEAD.split('\n').length);
    expect(ds[0]!.message).toContain('export i915_gem_shrinker_count does not have the starter\'s type');
    expect(ds[0]!.message).toMatch(/expected \(i915: drm_i915_private, _sc: shrink_control\): Promise<number>, found \(_i915: drm_i915_private, _sc: shrink_control\): Promise<string>$/);
  });

  it('refuses other parameters (one more required, or of another type) and a synchronous count', async () => {
    const extra = await typecheck(base, 'probe-extra', `${HEAD}export async function i915_gem_shrinker_count(_i915: drm_i915_private, _sc: shrink_control, budget: number): Promise<number> {\n  return budget;\n}\n`);
    expect(extra.map((d) => d.code)).toEqual(['SL-SIGNATURE']);
    expect(extra[0]!.message).toContain('found (_i915: drm_i915_private, _sc: shrink_control, budget: number): Promise<number>');
    const other = await typecheck(base, 'probe-other', `${HEAD}export async function i915_gem_shrinker_count(pages: number): Promise<number> {\n  return pages;\n}\n`);
    expect(other.map((d) => d.code)).toEqual(['SL-SIGNATURE']);
    const sync = await typecheck(base, 'probe-sync', `${HEAD}export const i915_gem_shrinker_count = (_i915: drm_i915_private, _sc: shrink_control): number => 0;\n`);
    expect(sync.map((d) => d.code)).toEqual(['SL-SIGNATURE']);
    expect(sync[0]!.message).toContain('found (_i915: drm_i915_private, _sc: shrink_control): number');
  });

  it('refuses a file that does not export the function (a constant under its name, or another name)', async () => {
    const renamed = await typecheck(base, 'probe-renamed', `${HEAD}export async function count(_i915: drm_i915_private, _sc: shrink_control): Promise<number> {\n  return 0;\n}\n`);
    expect(renamed.map((d) => d.message)).toEqual(['probe-renamed.ts must export i915_gem_shrinker_count: the checks call it as (i915: drm_i915_private, _sc: shrink_control): Promise<number>']);
    const constant = await typecheck(base, 'probe-constant', `${HEAD}export const i915_gem_shrinker_count = 4;\n`);
    expect(constant.map((d) => d.code)).toEqual(['SL-SIGNATURE']);
    expect(constant[0]!.message).toContain('found number');
  });

  it('in a real grade: the submission is "does not compile" with the signature message', async () => {
    const sub = new_submission('signature');
    mkdirSync(join(sub, EX01.id), { recursive: true });
    writeFileSync(join(sub, EX01.id, FILE), `${HEAD}export async function i915_gem_shrinker_count(_i915: drm_i915_private, _sc: shrink_control): Promise<string> {\n  return 'plenty';\n}\n`);
    const r = await grade_submission(base, { submission: sub, exercises: ['01'], starter_baseline: false });
    const e = r.exercises[0]!;
    expect(e.status).toBe('compile_error');
    expect(e.score).toBe(0);
    expect(e.message).toContain(`exercises/${EX01.id}/${FILE}:`);
    expect(e.message).toContain('error SL-SIGNATURE: export i915_gem_shrinker_count does not have the starter\'s type');
    expect(e.message).toContain('found (_i915: drm_i915_private, _sc: shrink_control): Promise<string>');
  });
});
