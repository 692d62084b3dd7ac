// Models: include/linux/mm_types.h (struct page, struct address_space) and
// include/linux/page-flags.h (PG_* bits), v4.11.
//
// A page here is a small object with the state reclaim cares about: its flags,
// its reference count, who owns it (a file's page cache, a shmem file, a
// process's anonymous memory) and which LRU list it sits on. Page contents are
// not modelled. Model choice: free pages are not kept as objects; a page object
// is created the first time its frame is handed out and reused afterwards
// (see zone.ts), so a boot costs nothing per page of RAM.
//
// Left out: compound pages (a higher-order allocation is one page object with
// an order), mapcount, memcg, page locks, page_private except as the swap slot.
import type { task_struct } from '../sched/task';

export const PAGE_SHIFT = 12;
export const PAGE_SIZE = 1 << PAGE_SHIFT;

// Page flag bits, numbered as in v4.11 include/linux/page-flags.h (enum pageflags).
export const PG_locked = 1 << 0;
export const PG_referenced = 1 << 2;
export const PG_uptodate = 1 << 3;
export const PG_dirty = 1 << 4;
export const PG_lru = 1 << 5;
export const PG_active = 1 << 6;
export const PG_slab = 1 << 8;
export const PG_writeback = 1 << 14;
export const PG_reclaim = 1 << 17;
export const PG_swapbacked = 1 << 18;
export const PG_unevictable = 1 << 19;
/** PG_swapcache is an alias of PG_owner_priv_1 (bit 9) in v4.11. */
export const PG_swapcache = 1 << 9;

/** The five LRU lists of a node (enum lru_list). */
export const LRU_INACTIVE_ANON = 0;
export const LRU_ACTIVE_ANON = 1;
export const LRU_INACTIVE_FILE = 2;
export const LRU_ACTIVE_FILE = 3;
export const LRU_UNEVICTABLE = 4;
export const NR_LRU_LISTS = 5;
export const LRU_ACTIVE = 1;
export const LRU_FILE = 2;
export const lru_names = ['inactive_anon', 'active_anon', 'inactive_file', 'active_file', 'unevictable'] as const;

/** AS_UNEVICTABLE in address_space.flags (mapping_set_unevictable). */
export const AS_UNEVICTABLE = 1 << 3;

/**
 * struct address_space - the page cache of one file: index -> page. shmem
 * files also remember which indices were written to swap (their swap slots).
 */
export class address_space {
  readonly kind = 'file' as const;
  readonly pages = new Map<number, page>();
  /** Swap slots of indices whose page was swapped out (shmem only). */
  readonly swap = new Map<number, number>();
  flags = 0;
  constructor(
    /** A name for messages: the file, e.g. "i915 obj 3". */
    public readonly host: string,
    /** shmem/tmpfs: pages are swap-backed (anon LRU), written to swap, not to a disk. */
    public readonly swapbacked: boolean,
  ) {
    // What the inode is never changes (its page cache and swap maps are its own for life; `readonly`
    // in the type is no guard at run time): a GEM object's mapping is reachable as obj.base.filp.mapping.
    // flags stays writable: AS_UNEVICTABLE is set with mapping_set_unevictable(), which drivers call.
    for (const f of ['kind', 'pages', 'swap', 'host', 'swapbacked'] as const) Object.defineProperty(this, f, { writable: false });
    Object.preventExtensions(this);
  }
}

/** struct mm_struct, reduced to the anonymous memory of one process. */
export class mm_struct {
  readonly kind = 'anon' as const;
  /** Resident anonymous pages (MM_ANONPAGES). */
  readonly pages = new Set<page>();
  /** Swap slots holding pages of this process that were swapped out (MM_SWAPENTS). */
  readonly swap_slots: number[] = [];
  /** MMF_OOM_SKIP: the OOM reaper is done with this mm. */
  oom_skip = false;
  constructor(public readonly owner: task_struct) {
    // As address_space's: what the mm is never changes (oom_skip is the reaper's flag, left as is).
    for (const f of ['kind', 'pages', 'swap_slots', 'owner'] as const) Object.defineProperty(this, f, { writable: false });
    Object.preventExtensions(this);
  }
}

/** What page->mapping points to. */
export type page_mapping = address_space | mm_struct;

/** Who freed a page or an object (for KASAN's "Freed:" section). */
export interface free_track {
  pid: number;
  comm: string;
  /** The freeing call: "kfree", "put_page", "__free_pages"... */
  how: string;
}

/** The fields of a page that only the allocator writes (model_page_set). */
export type page_kernel_field = 'freed' | 'free_track' | '_refcount';

/**
 * model_page_set - the allocator writes a page's KASAN poison (freed, free_track)
 * or its reference count: rmqueue, __free_pages, get_page/put_page, the page
 * cache and LRU isolation. Set once by the class below; graded files cannot
 * name it (the import policy refuses every `model_` name).
 */
export let model_page_set!: <K extends page_kernel_field>(p: page, field: K, value: page[K]) => void;

/** model_page_ref_add - page_ref_add(): @n more references on @p (n < 0: fewer); returns the new count. */
export function model_page_ref_add(p: page, n: number): number {
  const v = p._refcount + n;
  model_page_set(p, '_refcount', v);
  return v;
}

function read_only(field: string): TypeError {
  return new TypeError(`Cannot assign to read only property '${field}' of object '#<page>'`);
}

/** struct page. */
export class page {
  flags = 0;
  /** The owner: a file's page cache, or a process's anon memory (PageAnon). */
  mapping: page_mapping | null = null;
  /** Offset in the file, in pages. */
  index = 0;
  /** page_private: the swap slot while in the swap cache. */
  private = 0;
  /** Allocation order (the model keeps a 2^order block as one page object). */
  order = 0;
  /** For PG_slab pages: the slab this page holds (mm/slab.ts). */
  slab: unknown = null;
  // LRU list membership (the kernel's page->lru list_head).
  /** Which of the node's LRU lists the page is on, or -1. */
  lru = -1;
  lru_prev: page | null = null;
  lru_next: page | null = null;

  // KASAN's poison (freed, free_track) and the reference count are the
  // allocator's: code handed a page reads them and cannot write them. As
  // plain fields, 06's starter cleared target.freed around its write through
  // a table the shrinker had freed, and KASAN saw no use after free (grader
  // red team 14 #01); a _refcount += 1 would keep put_page() from freeing a
  // page nobody pinned. They live in private fields behind accessors on the
  // class, and the page refuses new properties, so neither a write nor an
  // own property of the same name reaches them. (Accessors defined on each
  // page, as on the structs made a few at a time, doubled the model's CPU:
  // pages are made and read by the thousand.)
  #refcount = 0;
  #freed = true;
  #free_track: free_track | null = null;
  /** A huge GEM object's tail page reads its block's poison (i915_gem_sg_blocks.ts). */
  readonly #head: page | null;

  /** _refcount: 0 while free. */
  get _refcount(): number {
    return this.#refcount;
  }
  set _refcount(_: number) {
    throw read_only('_refcount');
  }
  /** Set while the page is free (KASAN: accessing it is a use after free). */
  get freed(): boolean {
    return this.#head ? this.#head.freed : this.#freed;
  }
  set freed(_: boolean) {
    throw read_only('freed');
  }
  get free_track(): free_track | null {
    return this.#head ? this.#head.free_track : this.#free_track;
  }
  set free_track(_: free_track | null) {
    throw read_only('free_track');
  }

  /** @head: the head page of the block this tail page belongs to: freed and poisoned with its block. */
  constructor(
    public readonly pfn: number,
    head: page | null = null,
  ) {
    this.#head = head;
    Object.preventExtensions(this);
  }

  static {
    model_page_set = (p, field, value) => {
      if (field === '_refcount') p.#refcount = value as number;
      else if (p.#head) throw read_only(field); // a tail page is poisoned with its block
      else if (field === 'freed') p.#freed = value as boolean;
      else p.#free_track = value as free_track | null;
    };
  }
}

/** page_address - the page's kernel virtual address, as %p prints it (x86-64 direct map). */
export function page_address(p: page): string {
  return 'ffff8800' + (p.pfn * PAGE_SIZE).toString(16).padStart(8, '0');
}

/** The address of the struct page itself (vmemmap), as dump_page prints it. */
export function page_struct_address(p: page): string {
  return 'ffffea00' + (p.pfn * 64).toString(16).padStart(8, '0');
}

export function PageAnon(p: page): boolean {
  return p.mapping !== null && p.mapping.kind === 'anon';
}
export function PageSwapBacked(p: page): boolean {
  return (p.flags & PG_swapbacked) !== 0;
}
export function PageSwapCache(p: page): boolean {
  return (p.flags & PG_swapcache) !== 0;
}
export function PageDirty(p: page): boolean {
  return (p.flags & PG_dirty) !== 0;
}
export function PageWriteback(p: page): boolean {
  return (p.flags & PG_writeback) !== 0;
}
export function PageLRU(p: page): boolean {
  return (p.flags & PG_lru) !== 0;
}
export function PageActive(p: page): boolean {
  return (p.flags & PG_active) !== 0;
}
export function PageUnevictable(p: page): boolean {
  return (p.flags & PG_unevictable) !== 0;
}
export function PageSlab(p: page): boolean {
  return (p.flags & PG_slab) !== 0;
}
/** page_count - the reference count. */
export function page_count(p: page): number {
  return p._refcount;
}

/** page_is_file_cache - a page of an ordinary file (not anon, not shmem). */
export function page_is_file_cache(p: page): boolean {
  return (p.flags & PG_swapbacked) === 0;
}

/** mapping_unevictable - is the file marked unevictable (ramfs, SHM_LOCK, i915 since 2018)? */
export function mapping_unevictable(m: page_mapping | null): boolean {
  return m !== null && m.kind === 'file' && (m.flags & AS_UNEVICTABLE) !== 0;
}

/** page_evictable - may reclaim ever take this page? (v4.11 mm/vmscan.c; no mlock in the model) */
export function page_evictable(p: page): boolean {
  return !mapping_unevictable(p.mapping);
}

/** The flags as dump_page prints them, "flags: 0x...(dirty|lru|...)". */
export function format_page_flags(flags: number): string {
  const names: Array<[number, string]> = [
    [PG_locked, 'locked'],
    [PG_referenced, 'referenced'],
    [PG_uptodate, 'uptodate'],
    [PG_dirty, 'dirty'],
    [PG_lru, 'lru'],
    [PG_active, 'active'],
    [PG_slab, 'slab'],
    [PG_swapcache, 'swapcache'],
    [PG_writeback, 'writeback'],
    [PG_reclaim, 'reclaim'],
    [PG_swapbacked, 'swapbacked'],
    [PG_unevictable, 'unevictable'],
  ];
  const set = names.filter(([m]) => flags & m).map(([, n]) => n);
  return `0x${flags.toString(16)}(${set.join('|')})`;
}
