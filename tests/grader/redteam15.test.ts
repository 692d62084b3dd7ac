// Session 15 of the grader (issue #10): the class left open by session 14, "kernel state a verdict
// depends on that code handed the struct can still write" (its note: free_list.items,
// references_held, struct_mutex, free_work, free_count), and grader red team 15's attacks
// (the files are tests/grader/fixtures/attacks/rt15-*.txt).
// One test per closed field family, each failing without its fix, and each attack that beat the
// starter graded as a submission.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run_once } from '../../course/check_helpers';
import { COURSE_ROOT } from '../../course/files';
import { find_exercise } from '../../course/manifest';
import { grade_submission, prepare_base, release_base, type grading_base } from '../../grader/grade';
import { i915_gem_object_put } from '../../kernel/drivers/gpu/drm/i915/i915_gem';
import { i915_gem_object_create, i915_gem_object_get_pages, model_i915_object_freed, model_i915_object_hold } from '../../kernel/drivers/gpu/drm/i915/i915_gem_object';
import { atomic_long_t } from '../../kernel/lib/atomic';
import { mm_struct } from '../../kernel/mm/mm_types';
import { current } from '../../kernel/sched/core';
import { mutex_init, mutex_lock, mutex_unlock } from '../../kernel/locking/mutex';
import { rcu_barrier } from '../../kernel/rcu/update';
import { flush_work, schedule_work, work_pending } from '../../kernel/workqueue';
import { gem_world, WORLD_PARAMS } from '../../scenarios/i915_world';
import { manifest, new_submission } from './fixtures';

/** Each of @attempts run, and what happened: "done" or the error's class. */
function attempts(list: [string, () => unknown][]): string[] {
  return list.map(([what, f]) => {
    try {
      f();
      return `${what}: done`;
    } catch (e) {
      return `${what}: ${(e as Error).constructor.name}`;
    }
  });
}

const O = Object as unknown as Record<string, (...a: unknown[]) => unknown>;
const define = O[['define', 'Property'].join('')]!;
const w_ = (o: unknown): Record<string, unknown> => o as Record<string, unknown>;

describe('round 15 A1, A2, A3: what C embeds in a struct cannot be made another', () => {
  it('obj.mm, obj.base, obj.rcu (and obj.i915, id, mem, base.size, base.filp, the shmem file\'s fields, a queued head\'s RCU callback, a slab object\'s size and its cache\'s counts, the mapping\'s identity), i915.mm, i915.struct_mutex and mm\'s free_list, free_work, shrinker, oom_notifier cannot be written or redefined; the device still works', async () => {
    const { value } = await run_once(WORLD_PARAMS, async () => {
      const w = gem_world({ release: '4.12' });
      const i915 = w.i915;
      const obj = (await i915_gem_object_create(i915, 4 * 4096))!;
      await mutex_lock(i915.struct_mutex);
      await i915_gem_object_get_pages(obj);
      const real = { mm: obj.mm, base: obj.base, dev_mm: i915.mm, lock: i915.struct_mutex, work: i915.mm.free_work };
      const seen = attempts([
        // A3: 06's starter, '{ ...obj.mm, pages: null }' for the length of its kmalloc (13/13)
        ['obj.mm =', () => void (w_(obj).mm = { ...obj.mm, pages: null })],
        ['obj.mm accessor', () => define(obj, 'mm', { get: () => ({ pages: null }) })],
        ['obj.base =', () => void (w_(obj).base = { ...obj.base })],
        ['obj.rcu =', () => void (w_(obj).rcu = {})],
        ['obj.i915 =', () => void (w_(obj).i915 = {})],
        ['obj.id =', () => void (w_(obj).id = 99)],
        ['obj.mem =', () => void (w_(obj).mem = {})],
        ['obj.base.size =', () => void (w_(obj.base).size = 0)],
        ['obj.base.filp =', () => void (w_(obj.base).filp = null)],
        ['filp.nr_pages =', () => void (w_(obj.base.filp).nr_pages = 0)],
        ['filp.mapping =', () => void (w_(obj.base.filp).mapping = null)],
        ['obj.rcu.func =', () => void (w_(obj.rcu).func = () => {})],
        ['obj.mem.size =', () => void (w_(obj.mem).size = 1 << 20)],
        ['obj.mem.cache.nr_objects =', () => void (w_(obj.mem.cache).nr_objects = 0)],
        ['mapping.swapbacked =', () => void (w_(obj.base.filp.mapping).swapbacked = false)],
        ['mapping.pages =', () => void (w_(obj.base.filp.mapping).pages = new Map())],
        ['anon mm.pages =', () => void (w_(new mm_struct(current)).pages = new Set())],
        // A1: i915.mm replaced by a copy whose lists lack the batch (5/13)
        ['i915.mm =', () => void (w_(i915).mm = { ...i915.mm, bound_list: [], unbound_list: [] })],
        ['i915.struct_mutex =', () => void (w_(i915).struct_mutex = mutex_init('&dev->struct_mutex'))],
        // A2: mm.free_work pointed at a copy carrying a lockdep map of its own (12: 8/8)
        ['mm.free_work =', () => void (w_(i915.mm).free_work = { ...i915.mm.free_work })],
        ['mm.free_work accessor', () => define(i915.mm, 'free_work', { get: () => ({}) })],
        ['mm.free_list =', () => void (w_(i915.mm).free_list = { items: [] })],
        ['mm.shrinker =', () => void (w_(i915.mm).shrinker = { ...i915.mm.shrinker })],
        ['mm.oom_notifier =', () => void (w_(i915.mm).oom_notifier = { notifier_call: () => 0 })],
      ]);
      const same = obj.mm === real.mm && obj.base === real.base && i915.mm === real.dev_mm && i915.struct_mutex === real.lock && i915.mm.free_work === real.work;
      seen.push(`unchanged: ${same}, pages ${obj.mm.pages !== null}`);
      mutex_unlock(i915.struct_mutex);
      return seen;
    });
    expect(value).toEqual([
      'obj.mm =: TypeError',
      'obj.mm accessor: TypeError',
      'obj.base =: TypeError',
      'obj.rcu =: TypeError',
      'obj.i915 =: TypeError',
      'obj.id =: TypeError',
      'obj.mem =: TypeError',
      'obj.base.size =: TypeError',
      'obj.base.filp =: TypeError',
      'filp.nr_pages =: TypeError',
      'filp.mapping =: TypeError',
      'obj.rcu.func =: TypeError',
      'obj.mem.size =: TypeError',
      'obj.mem.cache.nr_objects =: TypeError',
      'mapping.swapbacked =: TypeError',
      'mapping.pages =: TypeError',
      'anon mm.pages =: TypeError',
      'i915.mm =: TypeError',
      'i915.struct_mutex =: TypeError',
      'mm.free_work =: TypeError',
      'mm.free_work accessor: TypeError',
      'mm.free_list =: TypeError',
      'mm.shrinker =: TypeError',
      'mm.oom_notifier =: TypeError',
      'unchanged: true, pages true',
    ]);
  });
});

describe('session 14\'s still-live list: the free path\'s entries and counts, and the references an object holds', () => {
  it('mm.free_list\'s entries, mm.free_count and obj.references_held cannot be written or emptied; the GEM core still frees a cascade and counts it down to 0', async () => {
    const { value } = await run_once(WORLD_PARAMS, async () => {
      const w = gem_world({ release: '4.12' });
      const i915 = w.i915;
      const holder = (await i915_gem_object_create(i915, 4096))!;
      const held = (await i915_gem_object_create(i915, 4096))!;
      model_i915_object_hold(holder, held); // the creator's reference handed over (a PRIME import)
      const list = i915.mm.free_list;
      const seen = attempts([
        ['free_list.items =', () => void (w_(list).items = [])],
        ['free_list.items.length = 0', () => void ((list.items as unknown[]).length = 0)],
        ['free_list.items.push', () => void (list.items as unknown[]).push(holder)],
        ['free_list own items', () => define(list, 'items', { value: [] })],
        ['free_count =', () => void (w_(i915.mm).free_count = 0)],
        ['free_count accessor', () => define(i915.mm, 'free_count', { get: () => 0 })],
        ['references_held =', () => void (w_(holder).references_held = [])],
        ['references_held.length = 0', () => void ((holder.references_held as unknown[]).length = 0)],
        ['references_held.push', () => void (holder.references_held as unknown[]).push(holder)],
      ]);
      i915_gem_object_put(holder);
      seen.push(`released: free_count ${i915.mm.free_count}, on the free list ${list.items.length}`);
      await rcu_barrier();
      await flush_work(i915.mm.free_work);
      await rcu_barrier();
      await flush_work(i915.mm.free_work);
      seen.push(`freed: holder ${model_i915_object_freed(holder)}, held ${model_i915_object_freed(held)}, free_count ${i915.mm.free_count}, references_held ${holder.references_held.length}`);
      return seen;
    });
    expect(value).toEqual([
      'free_list.items =: TypeError',
      'free_list.items.length = 0: TypeError',
      'free_list.items.push: TypeError',
      'free_list own items: TypeError',
      'free_count =: TypeError',
      'free_count accessor: TypeError',
      'references_held =: TypeError',
      'references_held.length = 0: TypeError',
      'references_held.push: TypeError',
      'released: free_count 1, on the free list 0',
      'freed: holder true, held true, free_count 0, references_held 0',
    ]);
  });
});

describe('round 15 (06-shrinker-count-off, 10-count-off-during-writeback, A4): what reclaim calls through, a work item\'s state and the lock\'s owner word and name', () => {
  it('i915\'s registered shrinker and OOM notifier, free_work\'s func and pending bit, and struct_mutex\'s owner word and name cannot be written; queue and flush still set and clear pending', async () => {
    const { value } = await run_once(WORLD_PARAMS, async () => {
      const w = gem_world({ release: '4.12' });
      const i915 = w.i915;
      const s = i915.mm.shrinker;
      const nb = i915.mm.oom_notifier;
      const work = i915.mm.free_work;
      const seen = attempts([
        ['shrinker.count_objects =', () => void (w_(s).count_objects = () => 0)],
        ['shrinker.scan_objects =', () => void (w_(s).scan_objects = () => 0)],
        ['shrinker.seeks =', () => void (w_(s).seeks = 0)],
        ['oom_notifier.notifier_call =', () => void (w_(nb).notifier_call = () => 0)],
        ['oom_notifier.priority =', () => void (w_(nb).priority = -1)],
        ['oom_notifier new field', () => void (w_(nb).state = 1)],
        ['free_work.func =', () => void (w_(work).func = async () => {})],
        ['free_work.pending =', () => void (w_(work).pending = true)],
        ['free_work.pending accessor', () => define(work, 'pending', { get: () => true })],
        ['struct_mutex.owner =', () => void (w_(i915.struct_mutex).owner = new atomic_long_t(0))],
        // A4 (02): renamed around a sleeping mutex_lock(), so judges picking struct_mutex's calls out by name saw none
        ['struct_mutex.name =', () => void (w_(i915.struct_mutex).name = 'i915_gem_shrinker_scan')],
      ]);
      seen.push(`schedule_work: ${schedule_work(work)}, pending ${work_pending(work)}`);
      await flush_work(work);
      seen.push(`flushed: pending ${work_pending(work)}`);
      return seen;
    });
    expect(value).toEqual([
      'shrinker.count_objects =: TypeError',
      'shrinker.scan_objects =: TypeError',
      'shrinker.seeks =: TypeError',
      'oom_notifier.notifier_call =: TypeError',
      'oom_notifier.priority =: TypeError',
      'oom_notifier new field: TypeError',
      'free_work.func =: TypeError',
      'free_work.pending =: TypeError',
      'free_work.pending accessor: TypeError',
      'struct_mutex.owner =: TypeError',
      'struct_mutex.name =: TypeError',
      'schedule_work: true, pending true',
      'flushed: pending false',
    ]);
  });
});

/** The checks a graded submission of @fixture (tests/grader/fixtures/attacks/<fixture>.txt over exercise @id's file) passes beyond its starter's, and its score. */
async function graded(base: grading_base, id: string, fixture: string): Promise<{ fixture: string; beyond_starter: string[]; score: number }> {
  const e = find_exercise(manifest, id);
  const sub = new_submission(fixture);
  mkdirSync(join(sub, e.id), { recursive: true });
  writeFileSync(join(sub, e.id, e.files[0]!), readFileSync(join(COURSE_ROOT, `tests/grader/fixtures/attacks/${fixture}.txt`), 'utf8'));
  const r = await grade_submission(base, { submission: sub, exercises: [id], typecheck: false });
  const ex = r.exercises[0]!;
  const starter_fails = (JSON.parse(readFileSync(join(COURSE_ROOT, e.checks.replace(/\.checks\.ts$/, '.starter.json')), 'utf8')) as { starter_fails: string[] }).starter_fails;
  return { fixture, beyond_starter: ex.checks.filter((c) => c.status === 'passed' && starter_fails.includes(c.id)).map((c) => c.id), score: ex.score };
}

describe('round 15: the attacks that beat the starter, graded as submissions', () => {
  it('A3 (06, obj.mm swapped: 13/13), A1 (06, i915.mm swapped: 5/13), A2 (12, free_work swapped: 8/8) and A4 (02, struct_mutex renamed: 6/12) pass nothing their starter fails and score 0', async () => {
    const base = prepare_base();
    try {
      const attacks = [['06', 'rt15-06-obj-mm-swapped'], ['06', 'rt15-06-replace-mm-filtered'], ['12', 'rt15-12-own-map-swapped-work'], ['02', 'rt15-02-toctou-mutex-lock-renamed']] as const;
      for (const [id, fixture] of attacks) expect(await graded(base, id, fixture)).toEqual({ fixture, beyond_starter: [], score: 0 });
    } finally {
      release_base(base);
    }
  }, 900_000);
});
