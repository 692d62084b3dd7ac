// Models: include/linux/vm_event_item.h, include/linux/mmzone.h (node
// stat items) and mm/vmstat.c (count_vm_event, /proc/vmstat), v4.11.
//
// The counters tests and the study site read: how much reclaim scanned and
// stole, how many slab objects shrinkers were asked to scan, how often
// allocations stalled, how many OOM kills. Plain numbers: the model has one
// CPU's worth of counters (no per-cpu diffs to fold).
//
// oom_kill is a vm event only since v4.13 (Konstantin Khlebnikov); the model
// counts it anyway because tests want it.
import { register_initcall } from '../init/initcall';

/** enum vm_event_item, the ones the model counts (names as in /proc/vmstat). */
export interface vm_event_counters {
  pgalloc: number;
  pgfree: number;
  pgactivate: number;
  pgdeactivate: number;
  pgrotated: number;
  pgscan_kswapd: number;
  pgscan_direct: number;
  pgsteal_kswapd: number;
  pgsteal_direct: number;
  pswpin: number;
  pswpout: number;
  slabs_scanned: number;
  kswapd_high_wmark_hit_quickly: number;
  pageoutrun: number;
  allocstall: number;
  oom_kill: number;
  unevictable_pgs_culled: number;
  unevictable_pgs_rescued: number;
}

/** Node counters that are not simply the size of a list (enum node_stat_item). */
export interface node_stat_counters {
  /** NR_FILE_DIRTY + NR_WRITEBACK of file and swap-backed pages: NR_ZONE_WRITE_PENDING. */
  nr_write_pending: number;
  /** NR_SHMEM: pages in shmem files' page caches. */
  nr_shmem: number;
  /** NR_SLAB_RECLAIMABLE + NR_SLAB_UNRECLAIMABLE, in pages. */
  nr_slab: number;
  /** NR_ANON_MAPPED: resident anonymous pages of processes. */
  nr_anon_mapped: number;
  /** NR_FILE_PAGES: pages in any page cache (file, shmem, swap cache). */
  nr_file_pages: number;
}

function fresh_events(): vm_event_counters {
  return {
    pgalloc: 0,
    pgfree: 0,
    pgactivate: 0,
    pgdeactivate: 0,
    pgrotated: 0,
    pgscan_kswapd: 0,
    pgscan_direct: 0,
    pgsteal_kswapd: 0,
    pgsteal_direct: 0,
    pswpin: 0,
    pswpout: 0,
    slabs_scanned: 0,
    kswapd_high_wmark_hit_quickly: 0,
    pageoutrun: 0,
    allocstall: 0,
    oom_kill: 0,
    unevictable_pgs_culled: 0,
    unevictable_pgs_rescued: 0,
  };
}

function fresh_node_stats(): node_stat_counters {
  return { nr_write_pending: 0, nr_shmem: 0, nr_slab: 0, nr_anon_mapped: 0, nr_file_pages: 0 };
}

/** The vm event counters of this boot (read them; count with count_vm_events). */
export const vm_events: vm_event_counters = fresh_events();
/** The node's counters of this boot. */
export const node_stat: node_stat_counters = fresh_node_stats();

register_initcall('core', 'mm_vmstat', () => {
  Object.assign(vm_events, fresh_events());
  Object.assign(node_stat, fresh_node_stats());
});

/** count_vm_events - add @delta to the vm event @item. */
export function count_vm_events(item: keyof vm_event_counters, delta: number): void {
  vm_events[item] += delta;
}

/** count_vm_event - count one @item. */
export function count_vm_event(item: keyof vm_event_counters): void {
  vm_events[item]++;
}
