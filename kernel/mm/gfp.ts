// Models: include/linux/gfp.h, v4.11 (flag values of that release).
// GFP flags say what an allocation may do to find memory: sleep and reclaim
// directly (__GFP_DIRECT_RECLAIM), wake kswapd (__GFP_KSWAPD_RECLAIM), start
// I/O (__GFP_IO), call into filesystems (__GFP_FS), and how hard to try.

export type gfp_t = number;

export const __GFP_DMA = 0x01;
export const __GFP_HIGHMEM = 0x02;
export const __GFP_DMA32 = 0x04;
export const __GFP_MOVABLE = 0x08;
export const __GFP_RECLAIMABLE = 0x10;
export const __GFP_HIGH = 0x20;
export const __GFP_IO = 0x40;
export const __GFP_FS = 0x80;
export const __GFP_COLD = 0x100;
export const __GFP_NOWARN = 0x200;
export const __GFP_REPEAT = 0x400;
export const __GFP_NOFAIL = 0x800;
export const __GFP_NORETRY = 0x1000;
export const __GFP_MEMALLOC = 0x2000;
export const __GFP_COMP = 0x4000;
export const __GFP_ZERO = 0x8000;
export const __GFP_NOMEMALLOC = 0x10000;
export const __GFP_HARDWALL = 0x20000;
export const __GFP_THISNODE = 0x40000;
export const __GFP_ATOMIC = 0x80000;
export const __GFP_ACCOUNT = 0x100000;
export const __GFP_NOTRACK = 0x200000;
export const __GFP_DIRECT_RECLAIM = 0x400000;
export const __GFP_WRITE = 0x800000;
export const __GFP_KSWAPD_RECLAIM = 0x1000000;

export const __GFP_RECLAIM = __GFP_DIRECT_RECLAIM | __GFP_KSWAPD_RECLAIM;

export const GFP_ATOMIC = __GFP_HIGH | __GFP_ATOMIC | __GFP_KSWAPD_RECLAIM;
export const GFP_KERNEL = __GFP_RECLAIM | __GFP_IO | __GFP_FS;
export const GFP_KERNEL_ACCOUNT = GFP_KERNEL | __GFP_ACCOUNT;
export const GFP_NOWAIT = __GFP_KSWAPD_RECLAIM;
export const GFP_NOIO = __GFP_RECLAIM;
export const GFP_NOFS = __GFP_RECLAIM | __GFP_IO;
export const GFP_USER = __GFP_RECLAIM | __GFP_IO | __GFP_FS | __GFP_HARDWALL;
export const GFP_HIGHUSER = GFP_USER | __GFP_HIGHMEM;
export const GFP_HIGHUSER_MOVABLE = GFP_HIGHUSER | __GFP_MOVABLE;
/** A THP allocation that wakes nobody and may not reclaim (include/linux/gfp.h, v4.8+). */
export const GFP_TRANSHUGE_LIGHT = (GFP_HIGHUSER_MOVABLE | __GFP_COMP | __GFP_NOMEMALLOC | __GFP_NOWARN) & ~__GFP_RECLAIM;
/** A THP fault that may direct-reclaim (include/linux/gfp.h, v4.8+). */
export const GFP_TRANSHUGE = GFP_TRANSHUGE_LIGHT | __GFP_DIRECT_RECLAIM;

/** gfpflags_allow_blocking - may this allocation sleep (enter direct reclaim)? */
export function gfpflags_allow_blocking(gfp: gfp_t): boolean {
  return (gfp & __GFP_DIRECT_RECLAIM) !== 0;
}

const names: Array<[number, string]> = [
  [GFP_HIGHUSER_MOVABLE, 'GFP_HIGHUSER_MOVABLE'],
  [GFP_KERNEL_ACCOUNT, 'GFP_KERNEL_ACCOUNT'],
  [GFP_KERNEL, 'GFP_KERNEL'],
  [GFP_NOFS, 'GFP_NOFS'],
  [GFP_ATOMIC, 'GFP_ATOMIC'],
  [GFP_NOIO, 'GFP_NOIO'],
  [GFP_NOWAIT, 'GFP_NOWAIT'],
  [__GFP_HIGH, '__GFP_HIGH'],
  [__GFP_ATOMIC, '__GFP_ATOMIC'],
  [__GFP_IO, '__GFP_IO'],
  [__GFP_FS, '__GFP_FS'],
  [__GFP_NOWARN, '__GFP_NOWARN'],
  [__GFP_REPEAT, '__GFP_REPEAT'],
  [__GFP_NOFAIL, '__GFP_NOFAIL'],
  [__GFP_NORETRY, '__GFP_NORETRY'],
  [__GFP_MEMALLOC, '__GFP_MEMALLOC'],
  [__GFP_COMP, '__GFP_COMP'],
  [__GFP_ZERO, '__GFP_ZERO'],
  [__GFP_NOMEMALLOC, '__GFP_NOMEMALLOC'],
  [__GFP_HARDWALL, '__GFP_HARDWALL'],
  [__GFP_THISNODE, '__GFP_THISNODE'],
  [__GFP_ACCOUNT, '__GFP_ACCOUNT'],
  [__GFP_DIRECT_RECLAIM, '__GFP_DIRECT_RECLAIM'],
  [__GFP_KSWAPD_RECLAIM, '__GFP_KSWAPD_RECLAIM'],
  [__GFP_MOVABLE, '__GFP_MOVABLE'],
  [__GFP_RECLAIMABLE, '__GFP_RECLAIMABLE'],
  [__GFP_HIGHMEM, '__GFP_HIGHMEM'],
  [__GFP_WRITE, '__GFP_WRITE'],
  [__GFP_DMA, '__GFP_DMA'],
  [__GFP_DMA32, '__GFP_DMA32'],
  [__GFP_COLD, '__GFP_COLD'],
  [__GFP_NOTRACK, '__GFP_NOTRACK'],
];

/**
 * format_gfp - "GFP_KERNEL|__GFP_NORETRY", as printk's %pGg prints a mask:
 * composite names first, then the single flags left over.
 */
export function format_gfp(gfp: gfp_t): string {
  const parts: string[] = [];
  let left = gfp;
  for (const [mask, name] of names) {
    if (mask !== 0 && (left & mask) === mask) {
      parts.push(name);
      left &= ~mask;
    }
  }
  if (left) parts.push('0x' + left.toString(16));
  return parts.join('|') || '0';
}
