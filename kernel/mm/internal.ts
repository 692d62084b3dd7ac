// Models: mm/internal.h (ALLOC_* flags), include/linux/swap.h
// (SWAP_CLUSTER_MAX), include/linux/mmzone.h (DEF_PRIORITY,
// PAGE_ALLOC_COSTLY_ORDER) and mm/page_alloc.c (MAX_RECLAIM_RETRIES), v4.11.
// Constants shared by the allocator and reclaim.

/** The watermark an allocation must leave (ALLOC_WMARK_MIN/LOW/HIGH index zone.watermark). */
export const ALLOC_WMARK_MIN = 0;
export const ALLOC_WMARK_LOW = 1;
export const ALLOC_WMARK_HIGH = 2;
/** Ignore the watermarks entirely (PF_MEMALLOC, OOM victims, __GFP_MEMALLOC). */
export const ALLOC_NO_WATERMARKS = 0x04;
export const ALLOC_WMARK_MASK = ALLOC_NO_WATERMARKS - 1;
/** Try harder: may dip a quarter below the mark (__GFP_ATOMIC, rt tasks). */
export const ALLOC_HARDER = 0x10;
/** __GFP_HIGH: may dip half below the mark. Same value as __GFP_HIGH on purpose. */
export const ALLOC_HIGH = 0x20;
/** Check cpuset rules (the model has no cpusets: kept for the flag arithmetic). */
export const ALLOC_CPUSET = 0x40;

/** Orders above this are "costly": the allocator gives up on them sooner. */
export const PAGE_ALLOC_COSTLY_ORDER = 3;
/** No-progress reclaim rounds before the allocator considers OOM (v4.11: 16, in mm/page_alloc.c). */
export const MAX_RECLAIM_RETRIES = 16;
/** Pages reclaim tries to free per direct-reclaim call, and its LRU batch. */
export const SWAP_CLUSTER_MAX = 32;
/** Reclaim starts at this priority (scan lru_size >> priority) and counts down to 0. */
export const DEF_PRIORITY = 12;
