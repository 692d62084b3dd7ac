// Models: the page list of a huge GEM object's sg_table (include/linux/
// scatterlist.h for_each_sgt_page over entries of many pages each), as read
// through obj->mm.pages->pages[n].
//
// A huge object (more than MODEL_SHMEM_RANGE_PAGES pages, kernel/mm/
// shmem_range.ts) holds its pages as a few blocks; its table's `pages` is a
// read-only list of the object's length whose n'th entry is the struct page
// of that frame, made the first time a caller looks at it (a tail page of
// its block: the same frame number arithmetic as nth_page()). A tail page is
// freed when its block is (KASAN sees a use after free through it).
import { page } from '../../../../mm/mm_types';
import { model_page_set } from '../../../../mm/mm_types';

/** The read-only page list of @blocks (2^order pages each, in order), struct pages made on demand. */
export function sg_block_pages(blocks: readonly page[], mapping: page['mapping']): page[] {
  const starts: number[] = [];
  let nr = 0;
  for (const b of blocks) {
    starts.push(nr);
    nr += 1 << b.order;
  }
  const tails = new Map<number, page>();
  const nth = (n: number): page | undefined => {
    if (!Number.isInteger(n) || n < 0 || n >= nr) return undefined;
    let lo = 0;
    let hi = blocks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= n) lo = mid;
      else hi = mid - 1;
    }
    const head = blocks[lo]!;
    const off = n - starts[lo]!;
    if (off === 0) return head;
    let t = tails.get(n);
    if (!t) {
      t = new page(head.pfn + off, head); // freed with its block (KASAN's view of the frame)
      model_page_set(t, '_refcount', 1);
      t.mapping = mapping;
      t.index = n;
      tails.set(n, t);
    }
    return t;
  };
  const refuse = (): boolean => false; // frozen: the allocator's record of what the object holds
  return new Proxy<page[]>([], {
    get(target, prop, receiver) {
      if (prop === 'length') return nr;
      if (typeof prop === 'string' && /^(0|[1-9]\d*)$/.test(prop)) return nth(Number(prop));
      return Reflect.get(target, prop, receiver) as unknown;
    },
    has(target, prop) {
      if (typeof prop === 'string' && /^(0|[1-9]\d*)$/.test(prop)) return Number(prop) < nr;
      return Reflect.has(target, prop);
    },
    set: refuse,
    defineProperty: refuse,
    deleteProperty: refuse,
  });
}
