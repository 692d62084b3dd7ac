// Models: fs/nfs/direct.c (nfs_direct_IO for a swap file's write, through
// nfs_file_direct_write and nfs_direct_wait) and fs/nfs/pagelist.c
// (nfs_create_request -> nfs_page_alloc), v4.11.
//
// (In kernel/nfs/, not kernel/fs/nfs/: the lint keeps a path segment named fs, Node's module, out of the model.)
//
// Swap over NFS (SWP_FILE): __swap_writepage hands each page to the file's
// ->direct_IO with a synchronous kiocb. The write needs an NFS request for
// the page, allocated with GFP_NOIO (nfs_page_alloc); without one it fails
// with -ENOMEM, and page_io.c's comment says why that happens to swap: "a
// temporary failure if the system has limited memory for allocating transmit
// buffers". Under PF_MEMALLOC the allocation takes the reserves and fails
// only once they are gone (or when fault injection, failslab, says so).
// Otherwise the request goes to the server and the task waits for the reply
// (nfs_direct_wait), modelled as the model disk's write time.
//
// Simplified: one allocation per page (the nfs_page; the nfs_direct_req and
// the RPC's buffers are left out), no short writes, no server errors.
import { GFP_NOIO } from '../mm/gfp';
import type { page } from '../mm/mm_types';
import { test_set_page_writeback } from '../mm/page_writeback';
import { kfree, kmalloc } from '../mm/slab';
import { complete, init_completion, wait_for_completion } from '../sched/completion';

/** -ENOMEM. */
const ENOMEM = 12;
/** PAGE_SIZE: what a whole page's write returns. */
const PAGE_SIZE = 4096;
/** sizeof(struct nfs_page) on x86-64, v4.11 (about 100 bytes: kmalloc-128). */
const NFS_PAGE_SIZE = 128;

/**
 * nfs_direct_IO - write @p (2^order pages) to the swap file, synchronously. Returns its size (PAGE_SIZE << order),
 * or -ENOMEM if no NFS request could be allocated (nothing was sent). Sets
 * PG_writeback while the write is out and clears it when the reply comes.
 */
export async function nfs_direct_IO(p: page): Promise<number> {
  const req = await kmalloc(NFS_PAGE_SIZE, GFP_NOIO); // nfs_create_request -> nfs_page_alloc
  if (!req) return -ENOMEM;
  const reply = init_completion('nfs_direct_req');
  test_set_page_writeback(p, () => complete(reply)); // the request goes out; the reply completes it
  await wait_for_completion(reply); // nfs_direct_wait (a sync kiocb)
  kfree(req);
  return PAGE_SIZE << p.order;
}
