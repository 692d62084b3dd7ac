// Models: block/bio.c (bio_alloc_bioset behind bio_alloc, bio_put, bio_endio,
// init_bio's fs_bio_set), block/blk-core.c (submit_bio) and
// include/linux/bio.h (BIO_POOL_SIZE), v4.11, reduced to what a swap write
// needs: one bio for one page.
//
// bio_alloc() takes its bio from fs_bio_set's mempool (kernel/mm/mempool.ts):
// the bio slab first, without reclaim; then the pool's BIO_POOL_SIZE
// reserved bios; then the slab again with the caller's mask, which may enter
// direct reclaim unless the task has PF_MEMALLOC; then it waits for a bio to
// complete. A submitted bio is in flight until the model's disk completes it
// (kernel/mm/page_writeback.ts: WRITEBACK_JIFFIES later, from a timer, as a
// bio completes from an interrupt); its end_io then runs and the bio goes
// back to the pool or the slab.
import { register_initcall } from '../init/initcall';
import { mempool_alloc, mempool_create, mempool_free, type mempool } from '../mm/mempool';
import type { gfp_t } from '../mm/gfp';
import type { page } from '../mm/mm_types';
import { kmem_cache_alloc, kmem_cache_create, kmem_cache_free, type kmem_cache, type kmem_object } from '../mm/slab';

/** BIO_POOL_SIZE - bios fs_bio_set keeps in reserve (include/linux/bio.h). */
export const BIO_POOL_SIZE = 2;
/** sizeof(struct bio) plus its BIO_INLINE_VECS (4) inline bio_vecs on x86_64, v4.11, rounded: the "bio-0" slab's object size. */
const BIO_SLAB_SIZE = 200;

/** struct bio, reduced: the page it writes and what runs when the write completes. */
export interface bio {
  page: page | null;
  end_io: ((b: bio) => void) | null;
  /** The bio slab object behind it; null for a reserve bio allocated at boot (kernel/mm/mempool.ts). */
  readonly slab_object: kmem_object | null;
}

let bio_slab: kmem_cache | null = null;
let fs_bio_set: mempool<bio> | null = null;

// init_bio (a subsys_initcall) creates the bio slab and fs_bio_set = bioset_create(BIO_POOL_SIZE, 0) at
// boot; the model makes them on first use, which nothing can tell apart: the reserve bios are boot memory.
register_initcall('core', 'block_bio', () => {
  bio_slab = null;
  fs_bio_set = null;
});

function bioset(): mempool<bio> {
  bio_slab ??= kmem_cache_create('bio-0', BIO_SLAB_SIZE);
  const slab = bio_slab;
  fs_bio_set ??= mempool_create<bio>(
    'fs_bio_set',
    Array.from({ length: BIO_POOL_SIZE }, () => ({ page: null, end_io: null, slab_object: null })),
    async (gfp) => {
      const o = await kmem_cache_alloc(slab, gfp);
      return o ? { page: null, end_io: null, slab_object: o } : null;
    },
    (b) => {
      if (b.slab_object) kmem_cache_free(slab, b.slab_object);
    },
  );
  return fs_bio_set;
}

/** bio_alloc - a bio from fs_bio_set with @gfp_mask (mempool_alloc's rules), or null. */
export async function bio_alloc(gfp_mask: gfp_t): Promise<bio | null> {
  const b = await mempool_alloc(bioset(), gfp_mask);
  if (b) {
    b.page = null;
    b.end_io = null;
  }
  return b;
}

/** bio_put - the last reference to @b: back to fs_bio_set's reserve if it is short, else to the slab. */
export function bio_put(b: bio): void {
  b.page = null;
  b.end_io = null;
  mempool_free(b, bioset());
}

/** bio_endio - the I/O of @b finished: run its end_io. */
export function bio_endio(b: bio): void {
  b.end_io?.(b);
}
