// A filesystem's dentry and inode caches as reclaim sees them: one
// shrinker per super_block (fs/super.c, super_cache_count and
// super_cache_scan, v4.11).
//
// The rule that matters for the VM side of the shrinker contract: without
// __GFP_FS in the reclaim's gfp_mask, super_cache_scan cannot touch the
// filesystem (the allocating task may be inside it, holding its locks), so
// it returns SHRINK_STOP at once and do_shrink_slab defers the work to a
// later caller. Objects here are counted, not pages: what reclaim
// "evicts" is cached dentries and inodes a later lookup must rebuild.
import { __GFP_FS } from '../kernel/mm/gfp';
import { DEFAULT_SEEKS, register_shrinker, SHRINK_STOP, type shrink_control, type shrinker } from '../kernel/mm/vmscan';

export interface fs_cache {
  shrinker: shrinker;
  /** Cached objects (dentries + inodes) still in memory. */
  objects: number;
  /** nr_to_scan of every scan_objects call, in order (GFP_NOFS calls included). */
  scan_requests: number[];
  /** count_objects calls. */
  counts: number;
}

export interface fs_cache_options {
  objects: number;
  /** DEFAULT_SEEKS unless given. */
  seeks?: number;
  /** 0: SHRINK_BATCH. */
  batch?: number;
  /** Answer 0 to count_objects (a cache that cannot tell, or is being torn down). */
  count_says_zero?: boolean;
}

/** register_fs_cache - from scenario setup: a super_block's caches, registered as a shrinker. */
export function register_fs_cache(opts: fs_cache_options): fs_cache {
  const cache: fs_cache = { shrinker: undefined as never, objects: opts.objects, scan_requests: [], counts: 0 };
  cache.shrinker = {
    // super_cache_count: the dentry and inode LRU lengths (plus fs-private objects).
    count_objects: () => {
      cache.counts++;
      return opts.count_says_zero ? 0 : cache.objects;
    },
    // super_cache_scan: nothing without __GFP_FS; else prune in proportion, return what was freed.
    scan_objects: (_s: shrinker, sc: shrink_control) => {
      cache.scan_requests.push(sc.nr_to_scan);
      if (!(sc.gfp_mask & __GFP_FS)) return SHRINK_STOP;
      const freed = Math.min(sc.nr_to_scan, cache.objects);
      cache.objects -= freed;
      return freed;
    },
    seeks: opts.seeks ?? DEFAULT_SEEKS,
    batch: opts.batch ?? 0,
    flags: 0,
    name: 'super_cache_scan',
  };
  if (register_shrinker(cache.shrinker) !== 0) throw new Error('check setup: register_shrinker failed');
  return cache;
}
