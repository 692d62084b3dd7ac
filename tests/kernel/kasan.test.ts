import { describe, expect, it } from 'vitest';
import { start_kernel } from '../../kernel/init/main';
import { user_task } from '../../kernel/fork';
import { kthread_run } from '../../kernel/kthread';
import { GFP_KERNEL } from '../../kernel/mm/gfp';
import { kasan_check_read, kasan_check_write } from '../../kernel/mm/kasan';
import type { page } from '../../kernel/mm/mm_types';
import { __free_pages, alloc_page } from '../../kernel/mm/page_alloc';
import { kfree, kmalloc, type kmem_object } from '../../kernel/mm/slab';
import { msleep } from '../../kernel/sched/core';

describe('KASAN (v4.11 report shapes)', () => {
  it('reports a read of a freed kmalloc object, with who allocated and who freed it', async () => {
    let obj: kmem_object | null = null;
    const r = await start_kernel({}, () => {
      user_task(async () => {
        obj = await kmalloc(100, GFP_KERNEL);
        await msleep(10);
        kasan_check_read(obj!, 'i915_gem_object_get_page', 8);
      }, 'reader');
      kthread_run(async () => {
        await msleep(1);
        kfree(obj);
      }, 'freer');
    });
    expect(r.stop).toBe('kasan');
    const rep = r.reports.find((x) => x.kind === 'kasan')!;
    expect(rep.title).toBe('KASAN: use-after-free in i915_gem_object_get_page');
    const lines = rep.lines;
    expect(lines[0]).toBe('==================================================================');
    expect(lines[1]).toMatch(/^BUG: KASAN: use-after-free in i915_gem_object_get_page at addr ffff8800[0-9a-f]{8}$/);
    expect(lines[2]).toBe('Read of size 8 by task reader/1');
    const text = lines.join('\n');
    expect(text).toMatch(/Object at ffff8800[0-9a-f]{8}, in cache kmalloc-128 size: 128/);
    expect(text).toContain('Allocated:\nPID = 1\n kmalloc() by reader/1');
    expect(text).toContain('Freed:\nPID = 2\n kfree() by freer/2');
    expect(lines.at(-1)).toBe('==================================================================');
  });

  it('reports a write as a Write', async () => {
    const r = await start_kernel({}, () => {
      user_task(async () => {
        const o = (await kmalloc(8, GFP_KERNEL))!;
        kfree(o);
        kasan_check_write(o, 'writer_fn', 4);
      }, 'w');
    });
    expect(r.reports[0]!.lines[2]).toBe('Write of size 4 by task w/1');
  });

  it('does not report accesses to live objects', async () => {
    const r = await start_kernel({}, () => {
      user_task(async () => {
        const o = (await kmalloc(64, GFP_KERNEL))!;
        kasan_check_read(o, 'fine');
        kfree(o);
      }, 'ok');
    });
    expect(r.reports).toEqual([]);
    expect(r.stop).toBe('completed');
  });

  it('reports a read past the size kmalloc was asked for as slab-out-of-bounds, and a read within it not at all', async () => {
    const r = await start_kernel({}, () => {
      user_task(async () => {
        const o = (await kmalloc(1, GFP_KERNEL))!;
        kasan_check_read(o, 'within', 1);
        kasan_check_read(o, 'relocate_entry', 1024);
        kfree(o);
      }, 'reloc');
    });
    expect(r.stop).toBe('kasan');
    const rep = r.reports.find((x) => x.kind === 'kasan')!;
    expect(rep.title).toBe('KASAN: slab-out-of-bounds in relocate_entry');
    expect(rep.lines[1]).toMatch(/^BUG: KASAN: slab-out-of-bounds in relocate_entry at addr ffff8800[0-9a-f]{8}$/);
    expect(rep.lines[2]).toBe('Read of size 1024 by task reloc/1');
    expect(rep.lines.join('\n')).toContain('in cache kmalloc-8 size: 8');
    expect(r.reports).toHaveLength(1);
  });

  it('reports a double free the v4.11 way and does not free twice', async () => {
    const r = await start_kernel({}, () => {
      user_task(async () => {
        const o = (await kmalloc(64, GFP_KERNEL))!;
        kfree(o);
        kfree(o);
      }, 'twice');
    });
    expect(r.stop).toBe('kasan');
    const rep = r.reports.find((x) => x.kind === 'kasan')!;
    expect(rep.title).toBe('Double free or freeing an invalid pointer');
    expect(rep.lines.slice(1, 3)).toEqual(['BUG: Double free or freeing an invalid pointer', 'Unexpected shadow byte: 0xFB']);
    expect(rep.lines.join('\n')).toContain('in cache kmalloc-64 size: 64');
  });

  it('reports a read of a freed page, naming who freed it', async () => {
    let p: page | null = null;
    const r = await start_kernel({}, () => {
      user_task(async () => {
        p = await alloc_page(GFP_KERNEL);
        __free_pages(p!, 0);
        kasan_check_read(p!, 'use_page');
      }, 'pager');
    });
    const rep = r.reports.find((x) => x.kind === 'kasan')!;
    const text = rep.lines.join('\n');
    expect(rep.lines[1]).toMatch(/^BUG: KASAN: use-after-free in use_page at addr ffff8800[0-9a-f]{8}$/);
    expect(text).toContain('page dumped because: kasan: bad access detected');
    expect(text).toContain('page last freed by __free_pages() in pager/1');
  });

  it('keeps catching a stale object even after its slot was reused', async () => {
    const r = await start_kernel({}, () => {
      user_task(async () => {
        const a = (await kmalloc(32, GFP_KERNEL))!;
        kfree(a);
        const b = (await kmalloc(32, GFP_KERNEL))!;
        expect(b.addr).toBe(a.addr);
        kasan_check_read(b, 'fresh');
        kasan_check_read(a, 'stale');
      }, 'reuse');
    });
    expect(r.reports.map((x) => x.title)).toEqual(['KASAN: use-after-free in stale']);
  });
});
