// Models: mm/kasan/kasan.c and mm/kasan/report.c (kasan_report,
// kasan_report_double_free), v4.11.
//
// KASAN poisons memory when it is freed and checks every access against the
// poison. The model cannot instrument JavaScript, so model code checks the
// places where an access matters: kasan_check_read/kasan_check_write (the
// kernel's explicit checks, include/linux/kasan-checks.h) on a kmalloc'd
// object or a page, and kfree of an object that is already free.
//
// Report texts are v4.11's (checked against the v4.11 mm/kasan/report.c):
//   BUG: KASAN: use-after-free in <function> at addr <address>
//   Read of size <n> by task <comm>/<pid>
// and, for an access past the end of a live kmalloc'd object (kmalloc
// poisons the rest of the slot as KASAN_KMALLOC_REDZONE, which
// print_error_description names "slab-out-of-bounds"),
//   BUG: KASAN: slab-out-of-bounds in <function> at addr <address>
// and for a double free
//   BUG: Double free or freeing an invalid pointer
//   Unexpected shadow byte: 0xFB
// followed by the object, "Allocated:" / "Freed:" with "PID = <pid>". Later
// kernels (v4.12+, Konovalov's report rework) print "Read of size N at addr
// ... by task ..." and "BUG: KASAN: double-free or invalid-free in ...".
// Model choices: the stack traces are replaced by one line naming the task and
// the call; no quarantine (a freed page or object may be reused at once, and
// then, as in the kernel, an access to it is no longer caught); no shadow dump.
import { print_tainted, report, UTS_RELEASE } from '../panic';
import { current } from '../sched/core';
import { page_address, page_struct_address, format_page_flags, type free_track, type page } from './mm_types';

/** KASAN_KMALLOC_FREE: the shadow value of a freed slab object. */
const KASAN_KMALLOC_FREE = 0xfb;

/** What KASAN knows about a slab object (kmem_object implements it, mm/slab.ts). */
export interface kasan_object {
  readonly size: number;
  freed: boolean;
  /** "ffff8800..." as %p prints it. */
  readonly addr: string;
  /** Its cache's name ("kmalloc-64"). */
  readonly cache_name: string;
  /** Its cache's object size. */
  readonly object_size: number;
  alloc_track: free_track | null;
  free_track: free_track | null;
}

function is_page(x: kasan_object | page): x is page {
  return typeof (x as page).pfn === 'number';
}

/** Who is doing this (for the Allocated:/Freed: tracks). */
export function kasan_track(how: string): free_track {
  return { pid: current.pid, comm: current.comm, how };
}

function cpu_line(): string {
  return `CPU: ${current.cpu} PID: ${current.pid} Comm: ${current.comm} ${print_tainted()} ${UTS_RELEASE} #1`;
}

function track_lines(title: string, t: free_track | null): string[] {
  if (!t) return [`${title}:`, 'PID = 0', '(stack is not available)'];
  // v4.11 prints the PID and the saved stack; the model has no stacks, so it
  // names the task and the call instead.
  return [`${title}:`, `PID = ${t.pid}`, ` ${t.how}() by ${t.comm}/${t.pid}`];
}

function object_lines(o: kasan_object): string[] {
  return [
    `Object at ${o.addr}, in cache ${o.cache_name} size: ${o.object_size}`,
    ...track_lines('Allocated', o.alloc_track),
    ...track_lines('Freed', o.free_track),
  ];
}

function page_lines(p: page): string[] {
  const mapping = p.mapping ? (p.mapping.kind === 'anon' ? 'anon' : p.mapping.host) : '  (null)';
  return [
    `page:${page_struct_address(p)} count:${p._refcount} mapcount:0 mapping:${mapping} index:0x${p.index.toString(16)}`,
    `flags: ${format_page_flags(p.flags)}`,
    'page dumped because: kasan: bad access detected',
    // Not in v4.11 (it would need CONFIG_PAGE_OWNER): who freed the page.
    ...(p.free_track ? [`page last freed by ${p.free_track.how}() in ${p.free_track.comm}/${p.free_track.pid}`] : []),
  ];
}

const RULE = '==================================================================';

/** The bug types print_error_description (mm/kasan/report.c, v4.11) tells apart that the model can meet. */
type kasan_bug_type = 'use-after-free' | 'slab-out-of-bounds';

function kasan_report(x: kasan_object | page, size: number, is_write: boolean, where: string, bug_type: kasan_bug_type = 'use-after-free'): void {
  const addr = is_page(x) ? page_address(x) : x.addr;
  const lines = [
    RULE,
    `BUG: KASAN: ${bug_type} in ${where} at addr ${addr}`,
    `${is_write ? 'Write' : 'Read'} of size ${size} by task ${current.comm}/${current.pid}`,
  ];
  // print_address_description: a slab object gets kasan_object_err (which
  // dumps the stack first); any other page gets dump_page, then the stack.
  if (is_page(x)) lines.push(...page_lines(x), cpu_line());
  else lines.push(cpu_line(), ...object_lines(x));
  lines.push(RULE);
  report('kasan', `KASAN: ${bug_type} in ${where}`, lines);
}

/**
 * check_memory_region - the check behind every instrumented access
 * (mm/kasan/kasan.c, v4.11): freed memory is a use-after-free; bytes past
 * the @size a live kmalloc'd object was asked for are its redzone, a
 * slab-out-of-bounds. Model: pages are checked for use-after-free only.
 */
function check_memory_region(x: kasan_object | page, size: number, is_write: boolean, where: string): void {
  if (x.freed) kasan_report(x, size, is_write, where);
  else if (!is_page(x) && size > x.size) kasan_report(x, size, is_write, where, 'slab-out-of-bounds');
}

/**
 * kasan_check_read - @where reads @size bytes of @x (a kmalloc'd object or a
 * page) from its start. Reports a use-after-free if @x has been freed, a
 * slab-out-of-bounds if the read runs past the size kmalloc was asked for.
 */
export function kasan_check_read(x: kasan_object | page, where: string, size = 8): void {
  check_memory_region(x, size, false, where);
}

/** kasan_check_write - @where writes @size bytes of @x (checked as kasan_check_read is). */
export function kasan_check_write(x: kasan_object | page, where: string, size = 8): void {
  check_memory_region(x, size, true, where);
}

/**
 * kasan_slab_free - called by kfree/kmem_cache_free before freeing @o.
 * Returns true if the free must not go on (the object is already free: a
 * double free, reported the v4.11 way).
 */
export function kasan_slab_free(o: kasan_object): boolean {
  if (!o.freed) return false;
  report('kasan', 'Double free or freeing an invalid pointer', [
    RULE,
    'BUG: Double free or freeing an invalid pointer',
    `Unexpected shadow byte: 0x${KASAN_KMALLOC_FREE.toString(16).toUpperCase()}`,
    cpu_line(),
    ...object_lines(o),
    RULE,
  ]);
  return true;
}
