// Session 14 of the grader (issue #10): the classes left open by grader red team 13 and the items of
// /work/coord/s14/grader.md, and grader red team 14's attacks (/work/coord/s14/grader-redteam14.md).
// One test per class closed, each failing without its fix.
import { execFileSync } from 'node:child_process';
import { readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COURSE_ROOT, solution_dir } from '../../course/files';
import { grader_failure } from '../../grader/failure';
import { check_starters_fail, grade_submission, make_limiter, prepare_base, release_base } from '../../grader/grade';
import { starter_record_drift } from '../../grader/solved_starter';
import { main, run_grade } from '../../grader/main';
import { make_temp } from '../../grader/tree';
import { EX01, add_files, add_starter_with, new_submission } from './fixtures';
import { run_once } from '../../course/check_helpers';
import { read_manifest } from '../../course/files';
import { gem_world, WORLD_PARAMS } from '../../scenarios/i915_world';
import { i915_gem_object_create, i915_gem_object_get_pages, i915_gem_object_mark_active, __i915_gem_object_put_pages, i915_gem_object_set_madv, sg_table_page } from '../../kernel/drivers/gpu/drm/i915/i915_gem_object';
import { I915_MADV_DONTNEED, __I915_MADV_PURGED } from '../../kernel/drivers/gpu/drm/i915/i915_drv';
import { register_shrinker, unregister_shrinker, type shrinker } from '../../kernel/mm/vmscan';
import { atomic_long_t } from '../../kernel/lib/atomic';
import { kmalloc } from '../../kernel/mm/slab';
import { GFP_KERNEL } from '../../kernel/mm/gfp';
import { mutex_lock, mutex_unlock } from '../../kernel/locking/mutex';

/** A clone of the course's HEAD where the instructor committed @text over 01's first editable file (or left it as it is). */
function clone_with_committed_01(text: string | null): string {
  const clone = join(make_temp('shrinker-partly14-'), 'course');
  execFileSync('git', ['clone', '-q', '--shared', COURSE_ROOT, clone], { stdio: 'ignore' });
  symlinkSync(join(COURSE_ROOT, 'node_modules'), join(clone, 'node_modules'));
  if (text === null) return clone;
  writeFileSync(join(clone, 'exercises', EX01.id, EX01.files[0]!), text);
  const git = (...a: string[]) => execFileSync('git', ['-c', 'user.name=i', '-c', 'user.email=i@x', ...a], { cwd: clone, stdio: 'ignore' });
  git('commit', '-qam', 'try 01 my way');
  return clone;
}

/** Grader red team 13 #07's starter: the instructor's own attempt, the reference plus one cond_resched() at the top. */
function partly_solved_01(): string {
  const reference = readFileSync(join(solution_dir(EX01), EX01.files[0]!), 'utf8');
  const imported = reference.replace(/(import [^\n]*\n)(?!import)/, "$1import { cond_resched } from '../../kernel/sched/core';\n");
  const text = imported.replace(/(export async function i915_gem_shrinker_count\([^\n]*\{\n)/, '$1  await cond_resched(); // be nice to other tasks while we walk the lists\n');
  if (text === imported || imported === reference) throw new Error("the fixture no longer finds 01's count in the reference: update partly_solved_01()");
  return text;
}

describe('round 13 #07: a partly solved starter committed at HEAD is refused, naming the exercise and the checks that moved', () => {
  it('the record of what a starter fails is read strictly: a missing or unknown record refuses with what to do, the course\'s own agrees', () => {
    const clone = clone_with_committed_01(null);
    const record = JSON.parse(readFileSync(join(clone, EX01.checks.replace(/\.checks\.ts$/, '.starter.json')), 'utf8')) as { starter_fails: string[] };
    const passes = new Set(EX01.tests.map((t) => t.check).filter((id) => !record.starter_fails.includes(id)));
    expect(starter_record_drift(clone, EX01, passes)).toBeNull();
    // hidden checks the starter passes are not the record's business
    expect(starter_record_drift(clone, EX01, new Set([...passes, 'hidden/anything']))).toBeNull();
    execFileSync('git', ['rm', '-q', EX01.checks.replace(/\.checks\.ts$/, '.starter.json')], { cwd: clone });
    expect(starter_record_drift(clone, EX01, passes)).toMatch(new RegExp(`${EX01.id}: checks/${EX01.id}\\.starter\\.json is missing.*npm run starters -- 01`));
  });

  it('grading, class mode and export-student\'s guard run stop on the instructor\'s own attempt at 01 (the reference plus a cond_resched), which the older rules let through', async () => {
    const clone = clone_with_committed_01(partly_solved_01());
    const base = prepare_base(clone); // not a solution's text: the cheap test lets it by
    try {
      // class mode and export-student (and gradescope-zip) call this before anything is graded or written
      const setup = check_starters_fail(base, [EX01], {}, make_limiter(1));
      await expect(setup).rejects.toBeInstanceOf(grader_failure);
      await expect(setup).rejects.toThrow(new RegExp(`the starter exercises/${EX01.id}/ at git HEAD now passes counts-exactly-under-recursion, which the course's starter fails.*partly committed.*npm run golden -- 01`));
      // one submission: its own guard run (cached in the base) refuses before anything is reported
      const sub = new_submission('bob');
      add_files(sub, EX01, solution_dir(EX01));
      const graded = grade_submission(base, { submission: sub, exercises: ['01'], typecheck: false });
      await expect(graded).rejects.toThrow(/now passes counts-exactly-under-recursion/);
    } finally {
      release_base(base);
    }
  });

  it('the refusal\'s report is out of what a graded one is: the recorded guards are worth 0 (it said 0/12 for 01\'s 8)', async () => {
    const clone = clone_with_committed_01(partly_solved_01());
    const sub = new_submission('carol');
    add_files(sub, EX01, solution_dir(EX01));
    const out = join(make_temp('shrinker-partly14-out-'), 'out');
    const r = await run_grade({ root: clone, submission: sub, exercises: ['01'], typecheck: false }, out, true);
    const record = JSON.parse(readFileSync(join(clone, EX01.checks.replace(/\.checks\.ts$/, '.starter.json')), 'utf8')) as { starter_fails: string[] };
    const graded = EX01.tests.filter((t) => record.starter_fails.includes(t.check)).reduce((n, t) => n + t.points, 0);
    expect(graded).toBeLessThan(EX01.tests.reduce((n, t) => n + t.points, 0));
    expect({ score: r.score, max: r.max_score }).toEqual({ score: 0, max: graded });
    expect(r.exercises[0]!.message).toMatch(/starter in the instructor's course is already solved/);
  });

  it('the starter as committed passes its record: grading setup goes on', async () => {
    const base = prepare_base(clone_with_committed_01(null));
    try {
      await expect(check_starters_fail(base, [EX01], {}, make_limiter(1))).resolves.toBeUndefined();
    } finally {
      release_base(base);
    }
  });
});

const EX06 = read_manifest().exercises.find((e) => e.id.startsWith('06-'))!;

/** Grader red team 14 #01: 06's starter, its write through the pages it looked up made with KASAN's poison cleared, through a table literal. */
function page_freed_fake_sgt_06(): string {
  const starter = readFileSync(join(COURSE_ROOT, 'exercises', EX06.id, EX06.files[0]!), 'utf8');
  const write = "  relocate_entry(pages, 0, relocs, 'i915_gem_execbuffer_relocate');\n";
  if (!starter.includes(write)) throw new Error("the fixture no longer finds 06's write in the starter: update page_freed_fake_sgt_06()");
  return starter.replace(write, [
    '  const was = target.freed;',
    '  target.freed = false;',
    "  relocate_entry({ mem: relocs, pages: [target] }, 0, relocs, 'i915_gem_execbuffer_relocate');",
    '  target.freed = was;',
    '',
  ].join('\n'));
}

describe('round 14 #01: a struct page\'s poison and count are the allocator\'s, and a walk takes only the tables the kernel built', () => {
  it('page.freed, free_track and _refcount cannot be written or shadowed, a huge object\'s tail page\'s neither; a table literal is refused; the kernel\'s own table walks', async () => {
    const { value } = await run_once(WORLD_PARAMS, async () => {
      const w = gem_world({ release: '4.12' });
      const obj = (await i915_gem_object_create(w.i915, 4 * 4096))!;
      await mutex_lock(w.i915.struct_mutex);
      await i915_gem_object_get_pages(obj);
      mutex_unlock(w.i915.struct_mutex);
      const seen: string[] = [];
      const tries = (what: string, f: () => unknown): void => {
        try {
          f();
          seen.push(`${what}: done`);
        } catch (e) {
          seen.push(`${what}: ${(e as Error).constructor.name}`);
        }
      };
      const O = Object as unknown as Record<string, (...a: unknown[]) => unknown>;
      const define = O[['define', 'Property'].join('')]!;
      const p = obj.mm.pages!.pages[0]!;
      const r = p as unknown as Record<string, unknown>;
      for (const field of ['freed', 'free_track', '_refcount']) {
        tries(`${field} =`, () => {
          r[field] = field === '_refcount' ? 7 : field === 'freed' ? true : null;
        });
        tries(`${field} accessor`, () => define(p, field, { get: () => 0 }));
      }
      seen.push(`still: freed ${p.freed}, refcount ${p._refcount}`);
      const relocs = (await kmalloc(1024, GFP_KERNEL))!;
      tries('walk of a table literal', () => sg_table_page({ mem: relocs, pages: [p] }, 0, 'i915_gem_execbuffer_relocate'));
      tries('walk of a frozen copy', () => sg_table_page(Object.freeze({ ...obj.mm.pages! }), 0, 'i915_gem_execbuffer_relocate'));
      seen.push(`walk of obj->mm.pages: ${sg_table_page(obj.mm.pages!, 0, 'i915_gem_execbuffer_relocate') === p}`);
      return seen;
    });
    expect(value).toEqual([
      ...['freed', 'free_track', '_refcount'].flatMap((f) => [`${f} =: TypeError`, `${f} accessor: TypeError`]),
      'still: freed false, refcount 2', // the page cache's reference and the object's
      'walk of a table literal: TypeError',
      'walk of a frozen copy: TypeError',
      'walk of obj->mm.pages: true',
    ]);
  });

  it('the attack graded as a submission scores nothing: it fails no-use-after-free-under-reclaim, as the starter does', async () => {
    const base = prepare_base();
    try {
      const sub = new_submission('rt14-01');
      add_starter_with(sub, EX06, '');
      writeFileSync(join(sub, EX06.id, EX06.files[0]!), page_freed_fake_sgt_06());
      const r = await grade_submission(base, { submission: sub, exercises: ['06'] });
      const ex = r.exercises[0]!;
      expect(ex.checks.find((c) => c.id === 'no-use-after-free-under-reclaim')?.status, ex.message).toBe('failed');
      expect(ex.score).toBe(0);
    } finally {
      release_base(base);
    }
  }, 900_000);
});

describe('item 2: a GEM object\'s madvise and activity, and a shrinker\'s deferred-work counters, are the kernel\'s to write', () => {
  it('obj.mm.madv, obj.active_until and shrinker.nr_deferred (the field and its array) cannot be written or shadowed; madvise, mark_active and (un)register still set them', async () => {
    const { value } = await run_once(WORLD_PARAMS, async () => {
      const w = gem_world({ release: '4.12' });
      const obj = (await i915_gem_object_create(w.i915, 4 * 4096))!;
      const seen: string[] = [];
      const tries = (what: string, f: () => unknown): void => {
        try {
          f();
          seen.push(`${what}: done`);
        } catch (e) {
          seen.push(`${what}: ${(e as Error).constructor.name}`);
        }
      };
      const O = Object as unknown as Record<string, (...a: unknown[]) => unknown>;
      const define = O[['define', 'Property'].join('')]!;
      // 05's purge-instead-of-swap, 09's truncate-to-free, 13's reclaim-purges-needed: "DONTNEED, so it is purged"
      tries('madv =', () => {
        (obj.mm as { madv: number }).madv = I915_MADV_DONTNEED;
      });
      tries('madv accessor', () => define(obj.mm, 'madv', { get: () => I915_MADV_DONTNEED }));
      // 06's hide-as-busy: "busy on the GPU, so reclaim leaves it alone"
      tries('active_until =', () => {
        (obj as { active_until: number }).active_until = 1e9;
      });
      tries('active_until accessor', () => define(obj, 'active_until', { get: () => 1e9 }));
      const s: shrinker = { count_objects: () => 0, scan_objects: () => 0, seeks: 2, batch: 0, flags: 0, name: 'test' };
      seen.push(`register: ${register_shrinker(s)}`);
      const counters = s.nr_deferred!;
      tries('nr_deferred =', () => {
        s.nr_deferred = [new atomic_long_t(0)];
      });
      tries('nr_deferred[0] =', () => {
        counters[0] = new atomic_long_t(0);
      });
      tries('nr_deferred push', () => counters.push(new atomic_long_t(0)));
      // the kernel's own writers
      i915_gem_object_mark_active(obj, 77);
      i915_gem_object_set_madv(obj, I915_MADV_DONTNEED); // no pages: truncated at once, as the ioctl does
      seen.push(`kernel: active_until ${obj.active_until}, madv ${obj.mm.madv === __I915_MADV_PURGED ? 'purged' : obj.mm.madv}`);
      await unregister_shrinker(s);
      seen.push(`unregistered: ${s.nr_deferred}; again: ${register_shrinker(s)}, ${s.nr_deferred!.length} counter(s), new ones ${s.nr_deferred !== counters}`);
      await unregister_shrinker(s);
      return seen;
    });
    expect(value).toEqual([
      'madv =: TypeError',
      'madv accessor: TypeError',
      'active_until =: TypeError',
      'active_until accessor: TypeError',
      'register: 0',
      'nr_deferred =: TypeError',
      'nr_deferred[0] =: TypeError',
      'nr_deferred push: TypeError',
      'kernel: active_until 77, madv purged',
      'unregistered: null; again: 0, 1 counter(s), new ones true',
    ]);
  });
});

/** Grader red team 14 #05: 06's starter, its batch taken off the GEM lists for the length of its kmalloc and spliced back. */
function hide_from_lists_06(): string {
  const starter = readFileSync(join(COURSE_ROOT, 'exercises', EX06.id, EX06.files[0]!), 'utf8');
  const alloc = '  const relocs = await kmalloc(RELOC_BYTES, GFP_KERNEL); // copied in from userspace\n';
  if (!starter.includes(alloc)) throw new Error("the fixture no longer finds 06's kmalloc in the starter: update hide_from_lists_06()");
  return starter.replace(alloc, [
    '  const lists = [i915.mm.bound_list, i915.mm.unbound_list];',
    '  const where = lists.map((l) => l.indexOf(obj));',
    '  lists.forEach((l, i) => { if (where[i]! >= 0) l.splice(where[i]!, 1); });',
    alloc.trimEnd(),
    '  lists.forEach((l, i) => { if (where[i]! >= 0) l.splice(Math.min(where[i]!, l.length), 0, obj); });',
    '',
  ].join('\n'));
}

describe('round 14 #05: the GEM object lists are the GEM core\'s to change', () => {
  it('code handed the device cannot take an object with pages off bound_list/unbound_list, put one on, reorder, empty or replace them; i915_gem_shrink\'s list_del of an object whose pages were put still works', async () => {
    const { value } = await run_once(WORLD_PARAMS, async () => {
      const w = gem_world({ release: '4.12' });
      const a = (await i915_gem_object_create(w.i915, 4096))!;
      const b = (await i915_gem_object_create(w.i915, 4096))!;
      await mutex_lock(w.i915.struct_mutex);
      await i915_gem_object_get_pages(a);
      await i915_gem_object_get_pages(b);
      const seen: string[] = [];
      const tries = (what: string, f: () => unknown): void => {
        try {
          f();
          seen.push(`${what}: done`);
        } catch (e) {
          seen.push(`${what}: ${(e as Error).constructor.name}`);
        }
      };
      const list = w.i915.mm.unbound_list;
      const mm = w.i915.mm as unknown as Record<string, unknown>;
      seen.push(`on the list: ${list.length}`);
      tries('splice out an object with pages', () => list.splice(list.indexOf(a), 1));
      tries('Array.prototype.splice', () => Array.prototype.splice.call(list, 0, 1));
      tries('push', () => list.push(a));
      tries('index write', () => {
        list[0] = b;
      });
      tries('length = 0', () => {
        list.length = 0;
      });
      tries('reverse', () => list.reverse());
      tries('replace the list', () => {
        mm.unbound_list = [];
      });
      tries('replace the bound list', () => {
        mm.bound_list = [];
      });
      seen.push(`still on the list: ${w.i915.mm.unbound_list.length}`);
      __i915_gem_object_put_pages(a);
      tries('list_del_init of an object whose pages were put', () => list.splice(list.indexOf(a), 1));
      seen.push(`left: ${w.i915.mm.unbound_list.map((o) => o === b ? 'b' : 'a').join(',')}`);
      mutex_unlock(w.i915.struct_mutex);
      return seen;
    });
    expect(value).toEqual([
      'on the list: 2',
      'splice out an object with pages: TypeError',
      'Array.prototype.splice: TypeError',
      'push: TypeError',
      'index write: TypeError',
      'length = 0: TypeError',
      'reverse: TypeError',
      'replace the list: TypeError',
      'replace the bound list: TypeError',
      'still on the list: 2',
      'list_del_init of an object whose pages were put: done',
      'left: b',
    ]);
  });

  it('the attack graded as a 06 submission scores nothing: it fails no-use-after-free-under-reclaim, as the starter does', async () => {
    const base = prepare_base();
    try {
      const sub = new_submission('rt14-05');
      add_starter_with(sub, EX06, '');
      writeFileSync(join(sub, EX06.id, EX06.files[0]!), hide_from_lists_06());
      const r = await grade_submission(base, { submission: sub, exercises: ['06'] });
      const ex = r.exercises[0]!;
      expect(ex.checks.find((c) => c.id === 'no-use-after-free-under-reclaim')?.status, ex.message).toBe('failed');
      expect(ex.score).toBe(0);
    } finally {
      release_base(base);
    }
  }, 900_000);
});

describe('round 14 #06: export-student refuses a wrong target before it grades the starters', () => {
  it('a target inside the course is named at once: here the course also has a solution committed over 01\'s starter, which the grading would have refused first', async () => {
    const reference = readFileSync(join(solution_dir(EX01), EX01.files[0]!), 'utf8');
    const clone = clone_with_committed_01(reference);
    await expect(main(['export-student', join(clone, 'inside'), '--root', clone])).rejects.toThrow(/inside is inside the course .*export into a folder outside it/);
    await expect(main(['export-student', join(clone, 'exercises'), '--root', clone])).rejects.toThrow(/exercises is inside the course/);
  });
});

describe('round 14 #12: a guard run that does not finish is its own error, never a starter that changed', () => {
  it('with too little CPU for 01\'s starter, grading stops naming the guard run and --timeout, not "partly solved"', async () => {
    const base = prepare_base();
    try {
      const sub = new_submission('rt14-12');
      add_starter_with(sub, EX01, '');
      // 0.5 s of CPU: not even the child's start-up fits, so the guard run of the starter times out.
      const graded = grade_submission(base, { submission: sub, exercises: ['01'], timeout_ms: 500 });
      await expect(graded).rejects.toThrow(/guard run of exercise 01-[a-z-]+'s committed starter did not finish \(timeout\).*--timeout/s);
      await expect(graded).rejects.toSatisfy((e) => e instanceof grader_failure && e.kind === 'grader');
    } finally {
      release_base(base);
    }
  });
});
