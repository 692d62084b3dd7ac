// Grader red team, round 11 (/work/coord/s11/grader-redteam11.md; attacks in /work/gr11-attacks/): one
// test per class closed this round, each failing without its fix.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run_once } from '../../course/check_helpers';
import { COURSE_ROOT } from '../../course/files';
import { find_exercise } from '../../course/manifest';
import { grade_submission, prepare_base, release_base } from '../../grader/grade';
import { gem_world, populate, WORLD_PARAMS } from '../../scenarios/i915_world';
import { manifest, new_submission } from './fixtures';

/** Every own string key starting with model_ on an object reachable from @roots (own data fields, @depth levels). */
function model_fields_reachable(roots: readonly [unknown, string][], depth: number): string[] {
  const found: string[] = [];
  const seen = new Set<object>();
  let level = [...roots];
  for (let d = 0; d <= depth && level.length > 0; d++) {
    const next: [unknown, string][] = [];
    for (const [o, path] of level) {
      if (o === null || (typeof o !== 'object' && typeof o !== 'function') || seen.has(o)) continue;
      seen.add(o);
      const iterable = o instanceof Map || o instanceof Set ? [...o.values()] : [];
      iterable.forEach((v, i) => next.push([v, `${path}[${i}]`]));
      for (const k of Reflect.ownKeys(o)) {
        const desc = Reflect.getOwnPropertyDescriptor(o, k)!;
        if (typeof k === 'string' && k.startsWith('model_')) found.push(`${path}.${k}`);
        if ('value' in desc) next.push([desc.value, `${path}.${String(k)}`]);
      }
    }
    level = next;
  }
  return found;
}

describe('round 11, 01: the model keeps its plumbing beside the kernel\'s objects, where no spelling reaches it', () => {
  it('no object the kernel hands a shrinker (the device, its locks, work items, lockdep maps) has a model_ field', async () => {
    const found: string[] = [];
    await run_once(WORLD_PARAMS, async () => {
      const w = gem_world({ release: '4.12' });
      await populate(w);
      found.push(...model_fields_reachable([[w.i915, 'i915']], 6));
    });
    expect(found).toEqual([]);
  });

  it('red team 11 #01 (null the work item\'s queue fields, found by value, around Andrea\'s flush_work()) scores what the starter does on 08, not 9/9', async () => {
    const e = find_exercise(manifest, '08');
    const base = prepare_base();
    try {
      const sub = new_submission('null-pwq-by-value');
      mkdirSync(join(sub, e.id), { recursive: true });
      writeFileSync(join(sub, e.id, e.files[0]!), readFileSync(join(COURSE_ROOT, 'tests/grader/fixtures/attacks/null-pwq-by-value.txt'), 'utf8'));
      const r = await grade_submission(base, { submission: sub, exercises: ['08'], policy: true, typecheck: false, starter_baseline: false });
      const x = r.exercises[0]!;
      // The starter passes only the guard (keeps-outer-frame-lock); so does this file now.
      expect(x.checks.filter((c) => c.status === 'passed').map((c) => c.id)).toEqual(['keeps-outer-frame-lock']);
      expect(x.checks.find((c) => c.id === 'no-flush-from-reclaim')?.status).toBe('failed');
    } finally {
      release_base(base);
    }
  }, 900_000);
});
