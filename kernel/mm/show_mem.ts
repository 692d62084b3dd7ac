// Models: lib/show_mem.c and show_free_areas() in mm/page_alloc.c, v4.11,
// much shortened: the "Mem-Info:" block that allocation failures and the OOM
// killer print. The model prints the global counters line by line as v4.11
// does, then one zone line with the fields the model has.
import { lru_size } from './swap';
import { nr_swap_used, get_total_swap_pages } from './swapfile';
import { LRU_ACTIVE_ANON, LRU_ACTIVE_FILE, LRU_INACTIVE_ANON, LRU_INACTIVE_FILE, LRU_UNEVICTABLE } from './mm_types';
import { node_stat } from './vmstat';
import { zone } from './zone';

const K = (pages: number): number => pages * 4;

/** show_mem - the Mem-Info lines. */
export function show_mem(): string[] {
  return [
    'Mem-Info:',
    `active_anon:${lru_size(LRU_ACTIVE_ANON)} inactive_anon:${lru_size(LRU_INACTIVE_ANON)} isolated_anon:0`,
    ` active_file:${lru_size(LRU_ACTIVE_FILE)} inactive_file:${lru_size(LRU_INACTIVE_FILE)} isolated_file:0`,
    ` unevictable:${lru_size(LRU_UNEVICTABLE)} dirty:0 writeback:${node_stat.nr_write_pending} unstable:0`,
    ` slab_reclaimable:0 slab_unreclaimable:${node_stat.nr_slab}`,
    ` mapped:${node_stat.nr_anon_mapped} shmem:${node_stat.nr_shmem} pagetables:0 bounce:0`,
    ` free:${zone.free_pages} free_pcp:0 free_cma:0`,
    `Node 0 Normal free:${K(zone.free_pages)}kB min:${K(zone.watermark[0])}kB low:${K(zone.watermark[1])}kB high:${K(zone.watermark[2])}kB` +
      ` active_anon:${K(lru_size(LRU_ACTIVE_ANON))}kB inactive_anon:${K(lru_size(LRU_INACTIVE_ANON))}kB` +
      ` active_file:${K(lru_size(LRU_ACTIVE_FILE))}kB inactive_file:${K(lru_size(LRU_INACTIVE_FILE))}kB` +
      ` unevictable:${K(lru_size(LRU_UNEVICTABLE))}kB writepending:${K(node_stat.nr_write_pending)}kB` +
      ` present:${K(zone.managed_pages)}kB managed:${K(zone.managed_pages)}kB`,
    `Free swap  = ${K(get_total_swap_pages() - nr_swap_used())}kB`,
    `Total swap = ${K(get_total_swap_pages())}kB`,
    `${zone.managed_pages} pages RAM`,
  ];
}
