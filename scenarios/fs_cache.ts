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
//
// On a machine with several nodes (per_node), the caches are per node as in
// the kernel: the dentry and inode LRUs are list_lrus with one list per node,
// super_cache_count counts and super_cache_scan prunes sc->nid's lists only
// (list_lru_shrink_count / list_lru_shrink_walk), and alloc_super registers
// the shrinker SHRINKER_NUMA_AWARE, so reclaim keeps its deferred work per node.
import { __GFP_FS } from '../kernel/mm/gfp';
import { DEFAULT_SEEKS, register_shrinker, SHRINK_STOP, SHRINKER_NUMA_AWARE, type shrink_control, type shrinker } from '../kernel/mm/vmscan';

export interface fs_cache {
  shrinker: shrinker;
  /** Cached objects (dentries + inodes) still in memory (on every node). */
  objects: number;
  /** Cached objects per node (per_node caches only; else [objects]). */
  node_objects: number[];
  /** nr_to_scan of every scan_objects call, in order (GFP_NOFS calls included). */
  scan_requests: number[];
  /** The node (sc->nid) of every scan_objects call, in order. */
  scan_nids: number[];
  /** count_objects calls. */
  counts: number;
}

export interface fs_cache_options {
  /** Objects in all (ignored with per_node). */
  objects: number;
  /** Objects on each node: a NUMA-aware cache whose lists are per node (the machine needs that many nodes, nr_node_ids). */
  per_node?: readonly number[];
  /** DEFAULT_SEEKS unless given. */
  seeks?: number;
  /** 0: SHRINK_BATCH. */
  batch?: number;
  /** Answer 0 to count_objects (a cache that cannot tell, or is being torn down). */
  count_says_zero?: boolean;
  /**
   * Scan under GFP_NOFS too, and say SHRINK_STOP only while @contended() holds: a shrinker like i915's, whose
   * i915_gem_shrinker_scan never looks at __GFP_FS and stops when i915_gem_shrinker_lock() finds struct_mutex taken.
   */
  like_i915?: { contended: () => boolean };
}

/** register_fs_cache - from scenario setup: a super_block's caches, registered as a shrinker. */
export function register_fs_cache(opts: fs_cache_options): fs_cache {
  const node_objects = opts.per_node ? [...opts.per_node] : [opts.objects];
  const total = () => node_objects.reduce((a, b) => a + b, 0);
  const cache: fs_cache = { shrinker: undefined as never, objects: total(), node_objects, scan_requests: [], scan_nids: [], counts: 0 };
  // The lists of sc->nid (a cache that is not NUMA aware has one list, and reclaim passes nid 0).
  const node = (sc: shrink_control) => (opts.per_node ? sc.nid : 0);
  cache.shrinker = {
    // super_cache_count: the dentry and inode LRU lengths on sc->nid (plus fs-private objects).
    count_objects: (_s: shrinker, sc: shrink_control) => {
      cache.counts++;
      return opts.count_says_zero ? 0 : (node_objects[node(sc)] ?? 0);
    },
    // super_cache_scan: nothing without __GFP_FS; else prune sc->nid's lists, return what was freed.
    scan_objects: (_s: shrinker, sc: shrink_control) => {
      cache.scan_requests.push(sc.nr_to_scan);
      cache.scan_nids.push(sc.nid);
      if (opts.like_i915 ? opts.like_i915.contended() : !(sc.gfp_mask & __GFP_FS)) return SHRINK_STOP;
      const nid = node(sc);
      const freed = Math.min(sc.nr_to_scan, node_objects[nid] ?? 0);
      node_objects[nid] = (node_objects[nid] ?? 0) - freed;
      cache.objects = total();
      return freed;
    },
    seeks: opts.seeks ?? DEFAULT_SEEKS,
    batch: opts.batch ?? 0,
    flags: opts.per_node ? SHRINKER_NUMA_AWARE : 0,
    name: 'super_cache_scan',
  };
  if (register_shrinker(cache.shrinker) !== 0) throw new Error('check setup: register_shrinker failed');
  return cache;
}
