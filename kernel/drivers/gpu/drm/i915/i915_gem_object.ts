// Models: drivers/gpu/drm/i915/i915_gem_object.h and the page-handling half
// of i915_gem.c (get_pages/put_pages, pin/unpin, madvise, truncate,
// invalidate), v4.11.
//
// A GEM object's backing store is a shmem file. While the object has pages,
// it holds a reference on each of them (so reclaim cannot take them) and an
// sg_table listing them, allocated with kmalloc as in the kernel. Giving the
// pages up ("put_pages") frees the sg_table and drops the references: the
// pages go back to the shmem page cache and the LRU, where only swap can
// reclaim them, unless the object is purgeable (madv DONTNEED), in which case
// the file is truncated and the pages really become free.
//
// Simplified: one "VMA" per object, counted by bind_count and vma_pin_count;
// no tiling, no userptr, no stolen memory, no dma-buf.
import { GFP_KERNEL, __GFP_NORETRY, __GFP_NOWARN, type gfp_t } from '../../../../mm/gfp';
import { lockdep_assert_held } from '../../../../locking/lockdep';
import { kasan_check_read, kasan_check_write } from '../../../../mm/kasan';
import { put_page, type page } from '../../../../mm/page_alloc';
import {
  set_page_dirty,
  mark_page_accessed,
  shmem_file_setup,
  shmem_read_mapping_page_gfp,
  shmem_truncate_range,
  type shmem_file,
} from '../../../../mm/shmem';
import { kfree, kmalloc, type kmem_object } from '../../../../mm/slab';
import { MODEL_SHMEM_RANGE_PAGES, shmem_read_mapping_range_gfp } from '../../../../mm/shmem_range';
import { sg_block_pages } from './i915_gem_sg_blocks';
import { atomic_dec, atomic_inc, atomic_read, ATOMIC_INIT, type atomic_t } from '../../../../lib/atomic';
import { rcu_head } from '../../../../rcu/update';
import { register_initcall } from '../../../../init/initcall';
import { HZ, jiffies, time_after, time_after_eq, time_before } from '../../../../time/timekeeping';
import { __I915_MADV_PURGED, I915_MADV_DONTNEED, I915_MADV_WILLNEED, model_i915_objects, type drm_i915_private } from './i915_drv';
import { model_page_access, model_page_pins_changed } from './i915_gem_pages_debug';
import { model_struct } from '../../../../model_struct';
import { model_embedded, model_field_add, model_field_set, model_kernel_fields } from '../../../../model_fields';
import { model_gem_lists } from './i915_gem_lists';

export const PAGE_SHIFT = 12;
export const PAGE_SIZE = 1 << PAGE_SHIFT;

/** struct sg_table: the kmalloc'd list of an object's pages. */
export interface sg_table {
  mem: kmem_object;
  pages: page[];
  /** A huge object's entries (kernel/mm/shmem_range.ts): blocks of 2^order pages; `pages` is their read-only view. */
  blocks?: readonly page[];
}

/** struct drm_i915_gem_object, reduced. */
export interface drm_i915_gem_object {
  readonly i915: drm_i915_private;
  /** Object handle for messages ("obj 3"). */
  readonly id: number;
  /** The kmalloc'd struct itself, so KASAN can see use after free. */
  readonly mem: kmem_object;
  base: { size: number; filp: shmem_file; readonly refcount: number };
  mm: {
    /** The sg_table while the object has pages, else null. */
    pages: sg_table | null;
    /**
     * Users that need the pages to stay (bindings count too). An atomic_t as
     * in v4.11 (i915_gem_object.h, since v4.10's obj->mm): pread/pwrite, the
     * fault path and dma-buf pin and unpin under obj->mm.lock from other
     * CPUs, not under struct_mutex, so a plain ++ would lose their updates.
     * Change it only with i915_gem_object_pin_pages()/unpin_pages(); read it
     * with atomic_read() (a plain `.counter` access is a KCSAN data race).
     */
    readonly pages_pin_count: atomic_t;
    madv: number;
    /** The GPU may have written the pages: they must be written back (dirtied) on release. */
    dirty: boolean;
  };
  /** GTT bindings (each pins the pages once). */
  readonly bind_count: number;
  /** Bindings pinned for use (execbuf, scanout): never unbound by the shrinker. */
  readonly vma_pin_count: number;
  /** jiffies at which the GPU completes the object's last request (its breadcrumb passes; 0: never used). */
  active_until: number;
  /**
   * obj->active_count: set when a request uses the object
   * (i915_vma_move_to_active), cleared only when that request is retired
   * (i915_gem_object_retire__read), not when the GPU completes it: a
   * completed request stays on the engine's list until i915_gem_retire_requests()
   * or the retire worker runs. (The model has one engine: 0 or 1.)
   */
  readonly active_count: number;
  /** Scanout buffers are never shrunk while active. */
  readonly framebuffer_references: number;
  rcu: rcu_head;
  /**
   * Model: other GEM objects this one keeps alive, one reference each, dropped
   * when it is freed (a PRIME import holds the exporter's object through the
   * dma-buf until drm_prime_gem_destroy() in __i915_gem_free_objects). The
   * last one going sends that object through call_rcu() in turn: a cascade.
   * The GEM core's (model_i915_object_hold): a frozen list, replaced whole.
   */
  readonly references_held: readonly drm_i915_gem_object[];
}

let next_id = 1;
/** How many relocations were written into each page (page contents are not modelled otherwise). */
let relocations_written = new WeakMap<page, number>();

/** Reset per boot by the device setup (i915_gem.ts). */
export function model_i915_gem_object_reset_ids(): void {
  next_id = 1;
  relocations_written = new WeakMap(); // and pages start clean
}

/**
 * i915_gem_object_create - allocate an object of @size bytes backed by a
 * fresh shmem file. No pages are allocated until they are needed.
 */
/**
 * The objects __i915_gem_free_objects freed. Kept beside them (a WeakSet),
 * not as a field of the object: the checks judge a drain by it, and code
 * handed the objects can write any of their fields (grader red team 11 #10
 * marked every released object `freed` itself and passed 07's frees-every-
 * released-object with nothing freed).
 */
const freed_objects = new WeakSet<drm_i915_gem_object>();

/** model_i915_object_freed - has __i915_gem_free_objects freed @obj? */
export function model_i915_object_freed(obj: drm_i915_gem_object): boolean {
  return freed_objects.has(obj);
}

/** model_i915_object_mark_freed - __i915_gem_free_objects has freed @obj (its kmalloc goes back now). */
export function model_i915_object_mark_freed(obj: drm_i915_gem_object): void {
  freed_objects.add(obj);
}

/** The GEM core's own setter of each object's mm.pages (see model_pages_field). */
const pages_setters = new WeakMap<drm_i915_gem_object['mm'], (sg: sg_table | null) => void>();

/**
 * model_pages_field - obj->mm.pages, read by anyone, set only by the GEM
 * core (i915_gem_object_get_pages, __i915_gem_object_put_pages): a
 * non-configurable accessor over the core's own value. The checks judge
 * what a shrinker released by which objects lost their pages; a shrinker
 * that wrote `obj.mm.pages = null` itself told them it released pages it
 * never gave back (grader red team 11 #12). Such a write now throws, in
 * the kernel's words. Its table is frozen too (its page list is the
 * allocator's record of what the object holds).
 */
function model_pages_field(mm: drm_i915_gem_object['mm']): void {
  let pages: sg_table | null = mm.pages;
  pages_setters.set(mm, (sg) => {
    pages = sg;
  });
  Object.defineProperty(mm, 'pages', {
    get: () => pages,
    set: () => {
      throw new TypeError('obj->mm.pages is set only by the GEM core: i915_gem_object_get_pages() fills it and __i915_gem_object_put_pages() releases the pages and clears it; a write of your own would report pages released that were never given back');
    },
    enumerable: true,
    configurable: false,
  });
}

/**
 * The tables get_pages built. A walk takes only these: a table literal whose mem is a live buffer
 * walked past the one the shrinker had kfree'd, and KASAN never read the freed one (grader red
 * team 14 #01). In C a table is only ever reached through obj->mm.pages.
 */
const kernel_sg_tables = new WeakSet<sg_table>();

/** The GEM core sets @obj's pages (or clears them): frozen, as the allocator handed them out. */
function set_pages(obj: drm_i915_gem_object, sg: sg_table | null): void {
  if (sg) {
    if (!sg.blocks) Object.freeze(sg.pages); // a huge object's view refuses writes itself
    Object.freeze(sg);
    kernel_sg_tables.add(sg);
  }
  pages_setters.get(obj.mm)!(sg);
}

export async function i915_gem_object_create(i915: drm_i915_private, size: number): Promise<drm_i915_gem_object | null> {
  const mem = await kmalloc(512, GFP_KERNEL);
  if (!mem) return null;
  const id = next_id++;
  const obj: drm_i915_gem_object = {
    i915,
    id,
    mem,
    base: { size, filp: shmem_file_setup(`i915 obj ${id}`, size_to_pages(size)), refcount: 1 },
    mm: { pages: null, pages_pin_count: ATOMIC_INIT(0), madv: I915_MADV_WILLNEED, dirty: false },
    bind_count: 0,
    vma_pin_count: 0,
    active_until: 0,
    active_count: 0,
    framebuffer_references: 0,
    rcu: new rcu_head(),
    references_held: Object.freeze([]),
  };
  model_pages_field(obj.mm);
  // What the shrinker, KASAN and the judges decide with is the kernel's to write (kernel/model_fields.ts;
  // grader red team 13 #06 raised vma_pin_count around an unpinned kmalloc: 06's starter scored 11/13).
  // mm.madv too: userspace sets it with the madvise ioctl and the driver only when it truncates
  // (i915_gem_object_truncate, the kernel's call); a shrinker that marked a needed buffer DONTNEED
  // for the length of its walk and back released it as purgeable, past the madvise watch that
  // compares before and after (scenarios/userspace_madvise.ts). active_until is the request's, set by
  // i915_gem_object_mark_active: 06's decoy hide-as-busy made its batch look busy to reclaim.
  // references_held is the dma-buf's: a shrinker that emptied it (or hung objects on it) changed
  // which objects a free cascades to, and so what 07's drain must wait for.
  model_kernel_fields(obj, ['bind_count', 'vma_pin_count', 'active_count', 'framebuffer_references', 'active_until', 'references_held']);
  model_kernel_fields(obj.mm, ['madv']);
  model_kernel_fields(obj.base, ['refcount']);
  // What C embeds in the object (base, mm, rcu) or never re-points (base.dev, the handle, the slab
  // object, the shmem file, the size): non-writable. A shrinker put `{ ...obj.mm, pages: null }` in
  // obj.mm for the length of its kmalloc, so reclaim and 06's judge saw a batch without pages: the
  // starter with no pin scored 13/13 (grader red team 15).
  model_embedded(obj, ['i915', 'id', 'mem', 'base', 'mm', 'rcu']);
  model_embedded(obj.base, ['size', 'filp']);
  // The shmem file's name, size and mapping are fixed at shmem_file_setup() (an inode's i_mapping is
  // never re-pointed): obj_nr_pages() and every page count read them.
  Object.freeze(obj.base.filp);
  // A C struct has the fields its header declares: none can be added, at any depth a shrinker can
  // reach (red team 11 #11 hung a counter on i915.mm.bound_list[0].base, below the run-time watch).
  model_struct(obj.base);
  model_struct(obj.mm);
  model_struct(obj);
  // The pin count is the object's own atomic_t for its whole life: nobody swaps in another.
  Object.defineProperty(obj.mm, 'pages_pin_count', { writable: false, configurable: false });
  model_i915_objects(i915).push(obj);
  return obj;
}

/**
 * model_i915_object_hold - @holder keeps @held alive with a reference of its
 * own, dropped when @holder is freed (a PRIME import: the importer's dma-buf
 * attachment holds the exporter's object until drm_prime_gem_destroy()). The
 * caller hands over a reference it owns. The list is the GEM core's: code
 * handed the object reads a frozen copy and cannot add to it or empty it.
 */
export function model_i915_object_hold(holder: drm_i915_gem_object, held: drm_i915_gem_object): void {
  model_field_set(holder, 'references_held', Object.freeze([...holder.references_held, held]));
}

/** Pages of @obj (size >> PAGE_SHIFT). */
export function obj_nr_pages(obj: drm_i915_gem_object): number {
  return size_to_pages(obj.base.size);
}

/** @size bytes in pages: the kernel's 64-bit size >> PAGE_SHIFT (JS's >> is 32-bit: 8 GiB came out as 0 pages). */
function size_to_pages(size: number): number {
  return Math.floor(size / PAGE_SIZE);
}

/** i915_gem_object_has_pages. */
export function i915_gem_object_has_pages(obj: drm_i915_gem_object): boolean {
  return obj.mm.pages !== null;
}

/** A newly populated object joins the unbound list (i915_gem_object_get_pages: list_add_tail on obj->global_link). */
function link_unbound(obj: drm_i915_gem_object): void {
  const lists = model_gem_lists(obj.i915);
  if (!lists.unbound_list.includes(obj) && !lists.bound_list.includes(obj)) lists.unbound_list.push(obj);
}

/**
 * i915_gem_object_get_pages_gtt - read every page of the shmem file in and
 * build the sg_table. Like the kernel, try first without retrying hard
 * (__GFP_NORETRY | __GFP_NOWARN), then with the mapping's full GFP_KERNEL
 * mask. The caller holds struct_mutex: these allocations may recurse into
 * the shrinker (that is the point of the course).
 */
export async function i915_gem_object_get_pages(obj: drm_i915_gem_object): Promise<number> {
  if (obj.mm.pages) return 0;
  if (obj.mm.madv !== I915_MADV_WILLNEED) return -14; // -EFAULT: purged or purgeable
  if (obj_nr_pages(obj) > MODEL_SHMEM_RANGE_PAGES) return i915_gem_object_get_pages_blocks(obj);
  const pages: page[] = [];
  const gfp_first: gfp_t = GFP_KERNEL | __GFP_NORETRY | __GFP_NOWARN;
  for (let i = 0; i < obj_nr_pages(obj); i++) {
    let p = await shmem_read_mapping_page_gfp(obj.base.filp, i, gfp_first);
    if (!p) p = await shmem_read_mapping_page_gfp(obj.base.filp, i, GFP_KERNEL);
    if (!p) {
      for (const q of pages) put_page(q);
      return -12; // -ENOMEM
    }
    pages.push(p);
  }
  const sg = await kmalloc(16 * pages.length + 32, GFP_KERNEL);
  if (!sg) {
    for (const q of pages) put_page(q);
    return -12;
  }
  // Pinned pages on the LRU only waste vmscan's effort (Kuo-Hsin Yang's 2018 patch
  // marks them unevictable); v4.11 did not yet, so neither does the model.
  set_pages(obj, { mem: sg, pages });
  link_unbound(obj);
  return 0;
}

/**
 * A huge object's pages (kernel/mm/shmem_range.ts): read in as blocks, one
 * sg entry each (v4.11 i915_gem_object_get_pages_gtt coalesces consecutive
 * pages into one entry; the table is then trimmed, i915_sg_trim), so the
 * table is kmalloc'd for the blocks, not for every page.
 */
async function i915_gem_object_get_pages_blocks(obj: drm_i915_gem_object): Promise<number> {
  const blocks = await shmem_read_mapping_range_gfp(obj.base.filp.mapping, obj_nr_pages(obj), GFP_KERNEL);
  if (!blocks) return -12; // -ENOMEM, nothing kept
  const sg = await kmalloc(16 * blocks.length + 32, GFP_KERNEL);
  if (!sg) {
    for (const b of blocks) put_page(b);
    return -12;
  }
  set_pages(obj, { mem: sg, pages: sg_block_pages(blocks, obj.base.filp.mapping), blocks });
  link_unbound(obj);
  return 0;
}

/** i915_gem_object_pin_pages - get the pages if needed and keep them. */
export async function i915_gem_object_pin_pages(obj: drm_i915_gem_object): Promise<number> {
  const err = await i915_gem_object_get_pages(obj);
  if (err) return err;
  atomic_inc(obj.mm.pages_pin_count);
  model_page_pins_changed(obj);
  return 0;
}

/** i915_gem_object_unpin_pages - the shrinker may take the pages again. */
export function i915_gem_object_unpin_pages(obj: drm_i915_gem_object): void {
  atomic_dec(obj.mm.pages_pin_count);
  model_page_pins_changed(obj); // i915_gem_pages_debug.ts: an access after the last unpin, under watch
}

/**
 * i915_gem_object_get_page - the @n'th page of an object that has pages.
 * Reads the sg_table, so KASAN catches a caller whose pages were dropped
 * under it (the "pin before alloc" bug).
 */
export function i915_gem_object_get_page(obj: drm_i915_gem_object, n: number, where: string): page | null {
  const sg = obj.mm.pages;
  if (!sg) return null;
  kasan_check_read(sg.mem, where);
  model_page_access(sg, where);
  return sg.pages[n] ?? null;
}

/**
 * sg_table_page - the @n'th page listed in @sgt, an sg_table the caller
 * looked up earlier (obj->mm.pages, walked with for_each_sgt_page in the
 * kernel). Reads the table, so KASAN catches a caller that kept the table
 * across something that let the shrinker put the object's pages (and kfree
 * the table): the exercise-06 bug, "pin before alloc".
 */
export function sg_table_page(sgt: sg_table, n: number, where: string): page | null {
  if (!kernel_sg_tables.has(sgt)) throw new TypeError(`${where}: the sg_table walked is not one i915_gem_object_get_pages() built: walk the object's own table, obj->mm.pages, looked up while its pages are pinned`);
  kasan_check_read(sgt.mem, where);
  model_page_access(sgt, where);
  return sgt.pages[n] ?? null;
}

/** sizeof(struct drm_i915_gem_relocation_entry) (include/uapi/drm/i915_drm.h): 32 bytes. */
export const RELOCATION_ENTRY_BYTES = 32;
/** The relocation entries one relocate_entry() call applies (the batch's relocation list, copied in from userspace). */
export const RELOCATIONS_PER_BATCH = 32;

/**
 * relocate_entry - the store that relocate_entry() (i915_gem_execbuffer.c,
 * v4.11) makes through a kmap of a batch page: find page @n through @sgt
 * (a walk of the table, which KASAN checks), read the batch's
 * RELOCATIONS_PER_BATCH entries from the relocation buffer @relocs (checked
 * too, for their whole length: a buffer too small for them is a
 * slab-out-of-bounds read) and write the target's GPU address into the page
 * (checked too). Model: page contents are not modelled, so the page only
 * counts the relocations written into it, which is how a check sees that a
 * batch was really relocated (model_relocations_written). Returns the page
 * written, or null.
 */
export function relocate_entry(sgt: sg_table, n: number, relocs: kmem_object, where: string): page | null {
  const p = sg_table_page(sgt, n, where);
  kasan_check_read(relocs, where, RELOCATIONS_PER_BATCH * RELOCATION_ENTRY_BYTES);
  if (!p) return null;
  kasan_check_write(p, where);
  relocations_written.set(p, (relocations_written.get(p) ?? 0) + 1);
  return p;
}

/** model_relocations_written - relocations relocate_entry() wrote into @p (model instrumentation for checks). */
export function model_relocations_written(p: page): number {
  return relocations_written.get(p) ?? 0;
}

/**
 * Model of the retire worker (i915_gem_retire_work_handler, v4.11): while
 * the GPU is awake it runs once a second, re-queued with
 * round_jiffies_up_relative(HZ), so on whole seconds, and retires every
 * completed request. A request completed at @completed is retired by it at
 * the first whole second after. Simplified: its mutex_trylock(struct_mutex)
 * is taken to succeed (the kernel's worker skips a round when the lock is held).
 */
export function model_retire_worker_runs_after(completed: number): number {
  return (Math.floor(completed / HZ) + 1) * HZ;
}

/**
 * i915_gem_object_is_active - obj->active_count: a request that used it is
 * not retired yet. The GPU may already have completed it: the object stays
 * active (skipped by the shrinker without I915_SHRINK_ACTIVE, not counted)
 * until i915_gem_retire_requests() or the retire worker retires the request.
 */
export function i915_gem_object_is_active(obj: drm_i915_gem_object, now: number): boolean {
  if (obj.active_count === 0) return false;
  return time_after(obj.active_until, now) || time_before(now, model_retire_worker_runs_after(obj.active_until));
}

/** i915_gem_request_completed on the object's last request: has the GPU finished with it (retired or not)? */
export function i915_gem_object_request_completed(obj: drm_i915_gem_object, now: number): boolean {
  return time_after_eq(now, obj.active_until); // wrap-safe, as i915_seqno_passed() is
}

/**
 * i915_gem_object_retire__read - the object's request is retired: it is
 * idle now. Called by i915_gem_retire_requests() for completed requests only.
 */
export function i915_gem_object_retire__read(obj: drm_i915_gem_object): void {
  model_field_set(obj, 'active_count', 0);
}

/** i915_gem_object_is_shrinkable - objects with a shmem backing store are. */
export function i915_gem_object_is_shrinkable(obj: drm_i915_gem_object): boolean {
  return !model_i915_object_freed(obj);
}

/**
 * i915_gem_object_truncate - purge: drop the backing store entirely. The
 * only release path that puts pages straight back on the free lists.
 */
export function i915_gem_object_truncate(obj: drm_i915_gem_object): void {
  shmem_truncate_range(obj.base.filp, 0, -1);
  model_field_set(obj.mm, 'madv', __I915_MADV_PURGED);
}

/** Pages each object had put while the GPU still used them, summed over its life (model instrumentation for checks). */
const pages_put_while_active = new WeakMap<drm_i915_gem_object, number>();

/** model_pages_put_while_active - pages of @obj released while it was active on the GPU, judged at each release (a running total). */
export function model_pages_put_while_active(obj: drm_i915_gem_object): number {
  return pages_put_while_active.get(obj) ?? 0;
}

/**
 * A page user on another CPU at the put: pread/pwrite, the fault path and
 * dma-buf attach pin the pages under obj->mm.lock, not struct_mutex. v4.11
 * __i915_gem_object_put_pages() takes obj->mm.lock and re-reads
 * pages_pin_count under it, so a pin taken between the shrinker's
 * can_release_pages() and the put keeps the pages: the put releases nothing,
 * and i915_gem_shrink() re-reads obj->mm.pages before it counts the object.
 * The model's put is synchronous (no schedule point where that CPU could
 * run), so a check puts the user there: model_other_cpu_pins_at_put(pick)
 * pins each object @pick names as its put begins, as
 * i915_gem_object_pin_pages() does when the pages are there; the check
 * unpins when the user is done. Not a kernel API; reset at every boot.
 */
let pin_at_put: ((obj: drm_i915_gem_object) => boolean) | null = null;
register_initcall('core', 'i915_pin_at_put', () => {
  pin_at_put = null;
});

/** model_other_cpu_pins_at_put - from now on, pin each object @pick names at the start of its put (null: stop). */
export function model_other_cpu_pins_at_put(pick: ((obj: drm_i915_gem_object) => boolean) | null): void {
  pin_at_put = pick;
}

/**
 * __i915_gem_object_put_pages - release the pages if nobody pins them.
 * Dirty pages are marked dirty in the page cache (they must be written to
 * swap before reclaim can free them); then the references go. Purgeable
 * objects are truncated. Returns true if the object no longer has pages.
 */
export function __i915_gem_object_put_pages(obj: drm_i915_gem_object): boolean {
  const sg = obj.mm.pages;
  if (!sg) return true;
  // mutex_lock_nested(&obj->mm.lock, I915_MM_SHRINKER): a page user on another CPU may have got in first (model_other_cpu_pins_at_put).
  if (pin_at_put?.(obj)) {
    atomic_inc(obj.mm.pages_pin_count);
    model_page_pins_changed(obj);
  }
  if (atomic_read(obj.mm.pages_pin_count) > 0) return false;
  // Judged when the pages go, not when the caller returns: a wait for the GPU afterwards protects nothing.
  if (!i915_gem_object_request_completed(obj, jiffies())) pages_put_while_active.set(obj, model_pages_put_while_active(obj) + sg.pages.length);
  set_pages(obj, null);
  if (obj.mm.madv === I915_MADV_DONTNEED) obj.mm.dirty = false;
  // A huge object's blocks are not on the LRU (shmem_range.ts): its hold on each block goes.
  for (const p of sg.blocks ?? sg.pages) {
    if (sg.blocks) {
      put_page(p);
      continue;
    }
    if (obj.mm.dirty) set_page_dirty(p);
    if (obj.mm.madv === I915_MADV_WILLNEED) mark_page_accessed(p);
    put_page(p);
  }
  obj.mm.dirty = false;
  kfree(sg.mem);
  if (obj.mm.madv === I915_MADV_DONTNEED) i915_gem_object_truncate(obj);
  return true;
}

/** i915_gem_object_pin_to_display_plane - pin @obj's binding for scanout (its vma's pin count): the shrinker leaves it alone. */
export function i915_gem_object_pin_to_display_plane(obj: drm_i915_gem_object): void {
  model_field_add(obj, 'vma_pin_count', 1);
}

/** intel_framebuffer_init - a drm_framebuffer now refers to @obj (obj->framebuffer_references++). */
export function intel_framebuffer_init(obj: drm_i915_gem_object): void {
  model_field_add(obj, 'framebuffer_references', 1);
}

/** i915_gem_object_set_madv - userspace's I915_GEM_MADVISE; purged objects stay purged. */
export function i915_gem_object_set_madv(obj: drm_i915_gem_object, madv: number): void {
  if (obj.mm.madv !== __I915_MADV_PURGED) model_field_set(obj.mm, 'madv', madv);
  if (obj.mm.madv === I915_MADV_DONTNEED && !obj.mm.pages) i915_gem_object_truncate(obj);
}

/** Bind the object into the GTT: pins its pages once per binding. */
export async function i915_gem_object_bind(obj: drm_i915_gem_object): Promise<number> {
  const err = await i915_gem_object_pin_pages(obj);
  if (err) return err;
  model_field_add(obj, 'bind_count', 1);
  const lists = model_gem_lists(obj.i915);
  const i = lists.unbound_list.indexOf(obj);
  if (i >= 0) lists.unbound_list.splice(i, 1);
  if (!lists.bound_list.includes(obj)) lists.bound_list.push(obj);
  return 0;
}

/**
 * i915_gem_object_unbind - drop every binding that is not pinned for use.
 * Returns 0, or -EBUSY if a binding is pinned. The caller must hold
 * struct_mutex: the bindings and the object lists are protected by it, and
 * v4.x unbind starts with lockdep_assert_held() on it, so a path that walks
 * the lists without the lock (a shrinker that thinks another task's lock is
 * its own) gets a WARN.
 */
export function i915_gem_object_unbind(obj: drm_i915_gem_object): number {
  lockdep_assert_held(obj.i915.struct_mutex, 'drivers/gpu/drm/i915/i915_gem.c i915_gem_object_unbind');
  if (obj.vma_pin_count > 0) return -16; // -EBUSY
  while (obj.bind_count > 0) {
    model_field_add(obj, 'bind_count', -1);
    i915_gem_object_unpin_pages(obj);
  }
  const lists = model_gem_lists(obj.i915);
  const i = lists.bound_list.indexOf(obj);
  if (i >= 0) {
    lists.bound_list.splice(i, 1);
    if (obj.mm.pages) lists.unbound_list.push(obj);
  }
  return 0;
}

/**
 * Mark the object as used by a GPU request that completes at @until
 * (jiffies), and as written (i915_vma_move_to_active): active until that
 * request is retired.
 */
export function i915_gem_object_mark_active(obj: drm_i915_gem_object, until: number): void {
  model_field_set(obj, 'active_until', until);
  model_field_set(obj, 'active_count', 1);
  obj.mm.dirty = true;
}
