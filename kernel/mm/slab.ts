// Models: mm/slab_common.c and mm/slub.c (kmalloc, kzalloc, kfree,
// kmem_cache_create, kmem_cache_alloc, kmem_cache_free, allocate_slab,
// discard_slab, slab_out_of_memory), v4.11.
//
// Slab objects are carved out of real model pages. kmalloc picks a size
// class (kmalloc-8 ... kmalloc-4096); each cache keeps slabs of one page
// holding PAGE_SIZE / size objects. When no slab has room, a new page is
// allocated with the caller's gfp mask, so kmalloc(GFP_KERNEL) can enter
// direct reclaim (and the shrinkers) and sleep, while kmalloc(GFP_ATOMIC)
// never parks the task. Requests larger than a page go to the page allocator
// directly (kmalloc_large).
//
// When the last object of a slab is freed, the page goes back to the zone at
// once and, if the freeing task is in reclaim (current->reclaim_state set),
// counts in reclaimed_slab: that is how slab frees become reclaim progress
// (lessons/sources.md §3; mm/slub.c __free_slab adds the pages to
// current->reclaim_state->reclaimed_slab, checked against v4.11).
//
// Model choices: slabs are order-0 (SLUB often uses higher orders), no
// per-cpu slabs, no min_partial (SLUB keeps up to 5-10 empty slabs per node;
// the model frees an empty slab at once, which makes the accounting easy to
// follow), no kmalloc-96/192 alignment subtleties, no redzones. Every
// allocation is a new JavaScript object, so KASAN (kasan.ts) keeps catching a
// stale reference even after its memory was reused, as if the quarantine
// were infinite.
import { register_initcall } from '../init/initcall';
import { fs_reclaim_acquire, fs_reclaim_release, lockdep_trace_alloc } from '../locking/lockdep';
import { pr_err, pr_warn } from '../printk/printk';
import { model_task_context, current, might_sleep } from '../sched/core';
import { failslab_set, should_failslab } from './failslab';
import { gfpflags_allow_blocking, __GFP_COMP, __GFP_NOWARN, __GFP_ZERO, type gfp_t } from './gfp';
import { kasan_slab_free, kasan_track, type kasan_object } from './kasan';
import { page_address, PAGE_SIZE, PG_slab, type free_track, type page } from './mm_types';
import { gfp_hex, gfp_names } from './oom_kill';
import { __free_pages, alloc_pages } from './page_alloc';
import { __ratelimit, ratelimit_state } from './ratelimit';
import { node_stat } from './vmstat';
import { model_field_set, model_kernel_fields } from '../model_fields';

export { failslab_set };

/** One slab: a page of objects. */
interface slab {
  readonly page: page;
  readonly cache: kmem_cache;
  /** Objects in use. */
  inuse: number;
  /** Free object slots, the most recently freed last (reused first). */
  readonly free: number[];
}

/** struct kmem_cache, reduced. */
/** The allocator counts a cache's slabs and objects (cache_add/cache_sub below). */
let cache_add!: (c: kmem_cache, slabs: number, objects: number) => void;

export class kmem_cache {
  /** Slabs with at least one free object, the most recently used last. */
  readonly partial: slab[] = [];
  // The counts are the allocator's (/proc/slabinfo's active_objs, num_slabs): code handed a
  // buffer reaches its cache (mem.cache) and could lower nr_objects after leaking one, and the
  // checks' leak rules (06's relocation buffers, 10's slab objects) count by it. Private fields
  // behind class accessors: a kmalloc pays one call, no closure.
  #nr_slabs = 0;
  #nr_objects = 0;
  get nr_slabs(): number {
    return this.#nr_slabs;
  }
  set nr_slabs(_: number) {
    throw new TypeError("Cannot assign to read only property 'nr_slabs' of object '#<kmem_cache>': the slab allocator counts its slabs");
  }
  get nr_objects(): number {
    return this.#nr_objects;
  }
  set nr_objects(_: number) {
    throw new TypeError("Cannot assign to read only property 'nr_objects' of object '#<kmem_cache>': the slab allocator counts its objects");
  }
  readonly objs_per_slab: number;
  constructor(
    public readonly name: string,
    public readonly object_size: number,
  ) {
    this.objs_per_slab = Math.max(1, Math.floor(PAGE_SIZE / object_size));
    Object.freeze(this); // name, size, partial list and slab geometry fixed for the cache's life
  }
  static {
    cache_add = (c, slabs, objects) => {
      c.#nr_slabs += slabs;
      c.#nr_objects += objects;
    };
  }
}

/** A kmalloc'd object. KASAN checks accesses through it (kasan_check_read/write). */
export class kmem_object implements kasan_object {
  /** KASAN's record: the kernel's to write (model_field_set), never code handed the object (grader red team 13 #14 kept a counter on it). */
  readonly freed: boolean = false;
  readonly alloc_track: free_track | null = null;
  readonly free_track: free_track | null = null;
  constructor(
    /** The size asked for. */
    public readonly size: number,
    public readonly cache: kmem_cache | null,
    private readonly slab: slab | null,
    /** Slot in its slab, or the order of a kmalloc_large block. */
    public readonly index: number,
    /** kmalloc_large: the pages themselves. */
    public readonly large: page | null,
  ) {
    model_kernel_fields<kmem_object>(this, ['freed', 'alloc_track', 'free_track']);
    // Its size, cache, slot and pages are fixed at allocation: frozen, not only sealed (the KASAN
    // record above stays the kernel's accessors). A buffer whose size field said 1024 passed every
    // bounds check KASAN makes against it (kasan_check_read with a length), whatever was allocated.
    Object.freeze(this);
  }
  get addr(): string {
    const p = this.slab ? this.slab.page : this.large!;
    const base = parseInt(page_address(p).slice(8), 16);
    const off = this.slab ? this.index * this.cache!.object_size : 0;
    return 'ffff8800' + (base + off).toString(16).padStart(8, '0');
  }
  get cache_name(): string {
    return this.cache ? this.cache.name : 'kmalloc_large';
  }
  get object_size(): number {
    return this.cache ? this.cache.object_size : PAGE_SIZE << this.index;
  }
  /** @internal the slab holding this object. */
  model_slab(): slab | null {
    return this.slab;
  }
}

/** The kmalloc size classes (KMALLOC_MIN_SIZE 8 .. PAGE_SIZE). */
const KMALLOC_SIZES = [8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096];

let kmalloc_caches: kmem_cache[] = [];
let all_caches: kmem_cache[] = [];
const slub_oom_rs = new ratelimit_state();
/**
 * (model) The slab pages discard_slab() counted into each reclaim_state, kept where only this file writes: the
 * record of what reclaimed_slab should say, since the field itself is one any code can write (a shrinker that
 * "reports progress" there lies to shrink_node(): vmscan.ts compares the two).
 */
let slab_counted = new WeakMap<object, number>();

/** model_slab_counted - slab pages discard_slab() has added to @reclaim_state since it was made or last reset (the model's record, not a kernel API). */
export function model_slab_counted(reclaim_state: object): number {
  return slab_counted.get(reclaim_state) ?? 0;
}

/** model_slab_counted_reset - shrink_node() has taken @reclaim_state's count and zeroed the field. */
export function model_slab_counted_reset(reclaim_state: object): void {
  slab_counted.delete(reclaim_state);
}

register_initcall('core', 'mm_slab', () => {
  slab_counted = new WeakMap();
  kmalloc_caches = KMALLOC_SIZES.map((s) => new kmem_cache(`kmalloc-${s}`, s));
  all_caches = [...kmalloc_caches];
  slub_oom_rs.begin = 0;
  slub_oom_rs.printed = 0;
});

/** kmalloc_slab - the cache kmalloc uses for @size bytes. */
export function kmalloc_slab(size: number): kmem_cache {
  for (const c of kmalloc_caches) if (size <= c.object_size) return c;
  return kmalloc_caches[kmalloc_caches.length - 1]!;
}

/** Every cache of this boot (kmalloc-* first), for tests and /proc/slabinfo-like views. */
export function slab_caches(): readonly kmem_cache[] {
  return all_caches;
}

/** kmem_cache_create - a cache of @size-byte objects named @name. */
export function kmem_cache_create(name: string, size: number, align = 0, flags = 0): kmem_cache {
  void align, flags;
  const c = new kmem_cache(name, Math.max(8, size));
  all_caches.push(c);
  return c;
}

/** kmem_cache_destroy - the cache must be empty ("Slab cache still has objects" otherwise). */
export function kmem_cache_destroy(c: kmem_cache | null): void {
  if (!c) return;
  if (c.nr_objects > 0) {
    pr_err(`kmem_cache_destroy ${c.name}: Slab cache still has objects`);
    return;
  }
  const i = all_caches.indexOf(c);
  if (i >= 0) all_caches.splice(i, 1);
}

/** slab_out_of_memory - SLUB's report when it cannot get a page for a new slab. */
function slab_out_of_memory(c: kmem_cache, gfp: gfp_t): void {
  if (gfp & __GFP_NOWARN || !__ratelimit(slub_oom_rs)) return;
  const nr_free = c.nr_slabs * c.objs_per_slab - c.nr_objects;
  pr_warn(
    [
      `SLUB: Unable to allocate memory on node -1, gfp=${gfp_hex(gfp)}(${gfp_names(gfp)})`,
      `  cache: ${c.name}, object size: ${c.object_size}, buffer size: ${c.object_size}, default order: 0, min order: 0`,
      `  node 0: slabs: ${c.nr_slabs}, objs: ${c.nr_slabs * c.objs_per_slab}, free: ${nr_free}`,
    ].join('\n'),
  );
}

/** slab_pre_alloc_hook - fault injection, lockdep's might-reclaim annotation, might_sleep. */
function slab_pre_alloc_hook(size: number, gfp: gfp_t, call: string): boolean {
  model_task_context(call);
  lockdep_trace_alloc(gfp, call); // v4.11 mm/slab.h; v4.14 takes fs_reclaim instead
  fs_reclaim_acquire(gfp, call);
  fs_reclaim_release(gfp, call);
  if (gfpflags_allow_blocking(gfp)) might_sleep(call, 'mm/slub.c');
  return !should_failslab(size, gfp);
}

/**
 * kmem_cache_alloc - an object from @c. Needs a new slab page when every
 * slab is full: that allocation uses @gfp and may sleep and reclaim.
 */
export function kmem_cache_alloc(c: kmem_cache, gfp: gfp_t): Promise<kmem_object | null> {
  return slab_alloc(c, gfp, c.object_size, 'kmem_cache_alloc');
}

async function slab_alloc(c: kmem_cache, gfp: gfp_t, size: number, call: string): Promise<kmem_object | null> {
  if (!slab_pre_alloc_hook(size, gfp, call)) return null;
  let s = c.partial[c.partial.length - 1];
  if (!s) {
    // allocate_slab: a fresh page. __GFP_ZERO is for objects, not for the slab page.
    const p = await alloc_pages(gfp & ~__GFP_ZERO, 0);
    if (!p) {
      slab_out_of_memory(c, gfp);
      return null;
    }
    p.flags |= PG_slab;
    const free: number[] = [];
    for (let i = c.objs_per_slab - 1; i >= 0; i--) free.push(i);
    s = { page: p, cache: c, inuse: 0, free };
    p.slab = s;
    c.partial.push(s);
    cache_add(c, 1, 0);
    node_stat.nr_slab++;
  }
  const index = s.free.pop()!;
  s.inuse++;
  cache_add(c, 0, 1);
  if (s.free.length === 0) c.partial.splice(c.partial.indexOf(s), 1);
  const o = new kmem_object(size, c, s, index, null);
  model_field_set(o, 'alloc_track', kasan_track(call));
  return o;
}

/** kmem_cache_zalloc - kmem_cache_alloc, zeroed. */
export function kmem_cache_zalloc(c: kmem_cache, gfp: gfp_t): Promise<kmem_object | null> {
  return kmem_cache_alloc(c, gfp | __GFP_ZERO);
}

/**
 * discard_slab - the slab is empty: its page goes back to the zone. A task
 * in reclaim counts it as reclaimed slab (the progress reclaim reports).
 */
function discard_slab(s: slab): void {
  const c = s.cache;
  const i = c.partial.indexOf(s);
  if (i >= 0) c.partial.splice(i, 1);
  cache_add(c, -1, 0);
  node_stat.nr_slab--;
  s.page.flags &= ~PG_slab;
  s.page.slab = null;
  if (current.reclaim_state) {
    current.reclaim_state.reclaimed_slab += 1;
    slab_counted.set(current.reclaim_state, model_slab_counted(current.reclaim_state) + 1);
  }
  __free_pages(s.page, 0);
}

/** kmem_cache_free - give @o back to @c. A double free is a KASAN report. */
export function kmem_cache_free(c: kmem_cache, o: kmem_object): void {
  __kmem_cache_free(c, o, 'kmem_cache_free');
}

function __kmem_cache_free(c: kmem_cache, o: kmem_object, how: string): void {
  if (kasan_slab_free(o)) return;
  model_field_set(o, 'freed', true);
  model_field_set(o, 'free_track', kasan_track(how));
  const s = o.model_slab()!;
  const was_full = s.free.length === 0;
  s.free.push(o.index);
  s.inuse--;
  cache_add(c, 0, -1);
  if (s.inuse === 0) discard_slab(s);
  else if (was_full) c.partial.push(s);
}

/** get_order - the order of the smallest block holding @size bytes. */
export function get_order(size: number): number {
  let order = 0;
  while (PAGE_SIZE << order < size) order++;
  return order;
}

/**
 * kmalloc - allocate @size bytes. May sleep (direct reclaim) if @gfp allows
 * it; with GFP_ATOMIC/GFP_NOWAIT it never parks the task. Returns null on
 * failure (or when failslab says so).
 */
export async function kmalloc(size: number, gfp: gfp_t): Promise<kmem_object | null> {
  if (size > PAGE_SIZE) {
    // kmalloc_large: whole pages from the page allocator.
    if (!slab_pre_alloc_hook(size, gfp, 'kmalloc')) return null;
    const order = get_order(size);
    const p = await alloc_pages(gfp | __GFP_COMP, order);
    if (!p) return null;
    const o = new kmem_object(size, null, null, order, p);
    model_field_set(o, 'alloc_track', kasan_track('kmalloc'));
    return o;
  }
  return slab_alloc(kmalloc_slab(size), gfp, size, 'kmalloc');
}

/** kzalloc - kmalloc, zeroed. */
export function kzalloc(size: number, gfp: gfp_t): Promise<kmem_object | null> {
  return kmalloc(size, gfp | __GFP_ZERO);
}

/** kfree - free an object from kmalloc (null is ignored). Never sleeps. */
export function kfree(o: kmem_object | null): void {
  if (!o) return;
  if (o.large) {
    if (kasan_slab_free(o)) return;
    model_field_set(o, 'freed', true);
    model_field_set(o, 'free_track', kasan_track('kfree'));
    __free_pages(o.large, o.index);
    return;
  }
  __kmem_cache_free(o.cache!, o, 'kfree');
}

/** ksize - the usable size of @o (its cache's object size). */
export function ksize(o: kmem_object): number {
  return o.cache ? o.cache.object_size : PAGE_SIZE << o.index;
}

