// The course glossary: short definitions of the kernel words the lessons and
// the thread use, written for this course from the facts in lessons/sources.md
// (each entry names its section). The generator shows them three ways:
// - glossary.html, one entry per term with the lessons that explain it;
// - on every other page, the first use of each term is a button that opens
//   the definition as a native HTML popover (keyboard: Enter or Space opens,
//   Escape closes; no framework, a few lines of site.ts place it);
// - the search index, one entry per term.
import MarkdownItCallable, { type MarkdownIt, type StateCore, type Token } from 'markdown-it';

export interface glossary_term {
  /** Anchor on glossary.html, e.g. "pf_memalloc". */
  id: string;
  /** The term as shown. */
  term: string;
  /** What else in the text is this term (code names match exactly; phrases case-insensitively, plural too). */
  also?: string[];
  /** The definition: one to three sentences of inline markdown. */
  definition: string;
  /** Lesson files that explain it, most useful first. */
  lessons: string[];
  /** The sources.md section the facts come from. */
  source: number;
}

export const GLOSSARY: readonly glossary_term[] = [
  {
    id: 'pf_memalloc',
    term: 'PF_MEMALLOC',
    definition:
      "A flag in a task's `flags` that says \"this task is reclaiming memory\". Direct reclaim and kswapd set it. While it is set, the task's own allocations may use the reserve pages below the watermarks and never enter reclaim again, so reclaim cannot recurse into itself.",
    lessons: ['03-reclaim-recursion.md', '10-save-and-restore-pf-memalloc.md', '08-never-flush-from-reclaim.md'],
    source: 4,
  },
  {
    id: 'memalloc_noreclaim_save',
    term: 'memalloc_noreclaim_save',
    also: ['memalloc_noreclaim_restore'],
    definition:
      'A helper pair added in v4.12: `memalloc_noreclaim_save()` sets PF_MEMALLOC and returns whether it was set before; `memalloc_noreclaim_restore()` puts that old value back. Nested code then never clears a flag its caller set.',
    lessons: ['10-save-and-restore-pf-memalloc.md'],
    source: 4,
  },
  {
    id: 'struct_mutex',
    term: 'struct_mutex',
    definition:
      "The i915 driver's device-wide mutex (`dev->struct_mutex`) in kernels of 2017. GEM ioctls, the shrinker and the worker that frees GEM objects all took it, which is why a wait under it could deadlock. It left the shrinker path in 2020.",
    lessons: ['03-reclaim-recursion.md', '09-no-rcu-wait-under-struct-mutex.md', '01-count-must-not-hide-memory.md'],
    source: 8,
  },
  {
    id: 'mutex_trylock_recursive',
    term: 'mutex_trylock_recursive',
    definition:
      'A mutex helper of v4.10 to v5.11: it returns RECURSIVE when the caller already owns the mutex, otherwise it tries to take it (SUCCESS or FAILED). Only i915 and msm used it; its own comment said it should not be used, and it was removed in the v5.12 cycle.',
    lessons: ['03-reclaim-recursion.md', '04-owner-word.md', '01-count-must-not-hide-memory.md'],
    source: 6,
  },
  {
    id: 'owner_word',
    term: 'owner word',
    definition:
      "The `owner` field of a `struct mutex` since v4.10: one atomic long that holds the owning task's pointer with flag bits in its low bits (WAITERS and HANDOFF; PICKUP from v4.11). `__mutex_owner()` masks the flags off; comparing the raw word with `current` fails whenever a flag is set.",
    lessons: ['04-owner-word.md'],
    source: 6,
  },
  {
    id: 'shrinker',
    term: 'shrinker',
    definition:
      "A cache's pair of callbacks, registered with `register_shrinker()`, that memory reclaim calls to ask how much the cache could free (`count_objects`) and then to free some of it (`scan_objects`).",
    lessons: ['01-count-must-not-hide-memory.md', '02-scan-must-say-stop.md', '13-write-the-shrinker.md'],
    source: 1,
  },
  {
    id: 'count_objects',
    term: 'count_objects',
    definition:
      'The shrinker callback that reports how many objects could be freed. Returning 0 means "none, or I cannot tell", and then `scan_objects` is not called at all for that round.',
    lessons: ['01-count-must-not-hide-memory.md'],
    source: 1,
  },
  {
    id: 'scan_objects',
    term: 'scan_objects',
    definition:
      'The shrinker callback that frees up to `nr_to_scan` objects and returns how many it freed, or SHRINK_STOP when it cannot make progress safely.',
    lessons: ['02-scan-must-say-stop.md'],
    source: 1,
  },
  {
    id: 'shrink_stop',
    term: 'SHRINK_STOP',
    definition:
      "What `scan_objects` returns (`~0UL`) when it cannot make progress without risking a deadlock, for example when it cannot take its lock. Reclaim stops calling that shrinker in this pass, and the work it did not do is kept in nr_deferred for a later call.",
    lessons: ['02-scan-must-say-stop.md', '11-deferred-work-windup.md'],
    source: 1,
  },
  {
    id: 'nr_deferred',
    term: 'nr_deferred',
    definition:
      "A shrinker's count (one per node for NUMA-aware shrinkers) of scan work that was asked for but not done. `do_shrink_slab()` adds it to the next call's work, so work skipped by a `GFP_NOFS` caller lands on the next caller that can do it.",
    lessons: ['11-deferred-work-windup.md', '02-scan-must-say-stop.md'],
    source: 2,
  },
  {
    id: 'kswapd',
    term: 'kswapd',
    definition:
      "The per-node kernel thread that reclaims memory in the background: it is woken when a zone's free pages fall below the low watermark and works until they are above the high one. It runs with PF_MEMALLOC set.",
    lessons: ['02-scan-must-say-stop.md', '11-deferred-work-windup.md'],
    source: 4,
  },
  {
    id: 'direct_reclaim',
    term: 'direct reclaim',
    definition:
      'Reclaim done by the allocating task itself, inside the page allocator\'s slow path, when free pages do not suffice and the GFP flags allow it (`__GFP_DIRECT_RECLAIM`). The task runs the shrinkers with PF_MEMALLOC set, on its own stack, still holding whatever locks it held when it allocated.',
    lessons: ['03-reclaim-recursion.md', '01-count-must-not-hide-memory.md'],
    source: 3,
  },
  {
    id: 'watermark',
    term: 'watermark',
    also: ['watermarks'],
    definition:
      "A zone's three free-page thresholds, min < low < high. The allocator's fast path keeps a zone above low; below it kswapd is woken and works back up to high; an allocation that would take it below min makes the task reclaim directly. PF_MEMALLOC tasks may use the reserve under min.",
    lessons: ['00-introduction.md', '02-scan-must-say-stop.md'],
    source: 3,
  },
  {
    id: 'gfp_kernel',
    term: 'GFP_KERNEL',
    definition:
      'The usual allocation flags for kernel code that may sleep: the allocation may do direct reclaim, start I/O and call into filesystems to free memory.',
    lessons: ['03-reclaim-recursion.md'],
    source: 12,
  },
  {
    id: 'gfp_nofs',
    term: 'GFP_NOFS',
    definition:
      'Allocation flags for code that holds filesystem locks: the allocation may reclaim and sleep, but `__GFP_FS` is clear, so reclaim must not call back into filesystem code. Shrinkers see it in `sc->gfp_mask`; one that needs filesystem locks returns SHRINK_STOP for it.',
    lessons: ['11-deferred-work-windup.md'],
    source: 1,
  },
  {
    id: 'oom_killer',
    term: 'OOM killer',
    definition:
      'The last resort of the page allocator: when reclaim makes no progress after its retries (16 in v4.11), `out_of_memory()` first runs the OOM notifiers and then kills a task to free its memory.',
    lessons: ['01-count-must-not-hide-memory.md', '05-report-what-you-released.md'],
    source: 3,
  },
  {
    id: 'oom_notifier',
    term: 'OOM notifier',
    definition:
      "A callback that `out_of_memory()` runs before choosing a task to kill. i915's frees every GPU buffer it can and reports how many pages it released; a large enough number spares a task from the OOM killer.",
    lessons: ['05-report-what-you-released.md'],
    source: 3,
  },
  {
    id: 'pin_before_alloc',
    term: 'pin before alloc',
    definition:
      "i915's rule: pin the objects you are working on before allocating under struct_mutex, because the shrinker can run inside that allocation (recursively, through mutex_trylock_recursive) and release anything that is not pinned.",
    lessons: ['06-pin-before-alloc.md'],
    source: 8,
  },
  {
    id: 'rcu',
    term: 'RCU',
    definition:
      'Read-copy update: readers take no lock; a writer publishes a new version and frees the old one only after a grace period, either by waiting for it (`synchronize_rcu()`) or by queueing a callback (`call_rcu()`).',
    lessons: ['07-grace-period-is-not-free-memory.md'],
    source: 7,
  },
  {
    id: 'grace_period',
    term: 'grace period',
    definition:
      'In RCU, a wait that ends once every reader that was running when it began has finished. Waiting for one (`synchronize_rcu()`) does not wait for callbacks queued earlier with `call_rcu()` to run, let alone for work those callbacks queue: a grace period is not memory being free.',
    lessons: ['07-grace-period-is-not-free-memory.md', '09-no-rcu-wait-under-struct-mutex.md'],
    source: 7,
  },
  {
    id: 'call_rcu',
    term: 'call_rcu',
    definition:
      'Queues a callback to run after a grace period, in a context that cannot sleep. i915 queues the free of a GEM object this way, and the callback only hands the object to a worker.',
    lessons: ['07-grace-period-is-not-free-memory.md'],
    source: 7,
  },
  {
    id: 'rcu_barrier',
    term: 'rcu_barrier',
    definition:
      'Waits until every callback already queued with `call_rcu()` has run. It is not a grace-period wait, it must not be called from atomic context, and it does not wait for work the callbacks queue.',
    lessons: ['07-grace-period-is-not-free-memory.md'],
    source: 7,
  },
  {
    id: 'synchronize_rcu_expedited',
    term: 'synchronize_rcu_expedited',
    definition:
      'Waits for a grace period, faster than `synchronize_rcu()`. In v4.11 it queues a work item on the system workqueue and sleeps until that work wakes it, so it hangs if that work cannot run; lockdep sees no lock in this wait.',
    lessons: ['09-no-rcu-wait-under-struct-mutex.md', '12-why-lockdep-missed-the-hang.md'],
    source: 12,
  },
  {
    id: 'workqueue',
    term: 'workqueue',
    also: ['workqueues'],
    definition:
      'A queue of work items (functions) that kernel threads called kworkers run from shared pools of workers. `schedule_work()` queues on the system workqueue, named "events" in dmesg.',
    lessons: ['08-never-flush-from-reclaim.md'],
    source: 5,
  },
  {
    id: 'kworker',
    term: 'kworker',
    definition:
      'A thread of a workqueue pool that runs work items, named like `kworker/1:1H` (CPU 1, worker 1, H for the high-priority pool). A pool makes new kworkers as needed, which itself needs memory.',
    lessons: ['08-never-flush-from-reclaim.md'],
    source: 5,
  },
  {
    id: 'wq_mem_reclaim',
    term: 'WQ_MEM_RECLAIM',
    also: ['rescuer'],
    definition:
      'A workqueue flag that gives the workqueue its own rescuer thread, so its work still runs when no new kworker can be created for lack of memory. Any workqueue that reclaim may wait for needs it.',
    lessons: ['08-never-flush-from-reclaim.md'],
    source: 5,
  },
  {
    id: 'flush_work',
    term: 'flush_work',
    definition: 'Waits until a work item that is queued or running has finished. From reclaim it is a wait on whatever that work needs.',
    lessons: ['08-never-flush-from-reclaim.md'],
    source: 5,
  },
  {
    id: 'check_flush_dependency',
    term: 'check_flush_dependency',
    definition:
      'The workqueue check (Tejun Heo, v4.5) that warns when memory reclaim flushes a workqueue without WQ_MEM_RECLAIM: "PF_MEMALLOC task … is flushing !WQ_MEM_RECLAIM …", the WARNING in the thread.',
    lessons: ['08-never-flush-from-reclaim.md'],
    source: 5,
  },
  {
    id: 'completion',
    term: 'completion',
    also: ['struct completion'],
    definition:
      'A one-shot event: one task sleeps in `wait_for_completion()` until another calls `complete()`. Without cross-release, lockdep does not link the locks the waiter holds to whoever must complete it.',
    lessons: ['12-why-lockdep-missed-the-hang.md'],
    source: 12,
  },
  {
    id: 'lockdep',
    term: 'lockdep',
    definition:
      'The kernel\'s lock validator (CONFIG_PROVE_LOCKING). It records the order in which lock classes are taken and reports a possible deadlock (a cycle, recursive locking, a lock used both inside and around reclaim) the first time the pattern appears, without the deadlock having to happen. Waits for events that are not locks are invisible to it unless annotated.',
    lessons: ['12-why-lockdep-missed-the-hang.md', '03-reclaim-recursion.md'],
    source: 12,
  },
  {
    id: 'cross_release',
    term: 'cross-release',
    also: ['crossrelease'],
    definition:
      "Byungchul Park's lockdep extension, merged in v4.14-rc1 and removed in v4.15-rc4 for its false positives. It treated a completion (and a page lock) as a lock released by another task, so lockdep could see deadlocks that run through a wait.",
    lessons: ['12-why-lockdep-missed-the-hang.md'],
    source: 9,
  },
  {
    id: 'fs_reclaim',
    term: 'fs_reclaim',
    definition:
      'A lockdep pseudo-lock from v4.14: reclaim holds it, and an allocation that may enter filesystem reclaim takes it briefly, so "lock held around an allocation" and "lock taken in a shrinker" make an ordinary lockdep cycle. v4.11 found the same with usage bits (RECLAIM_FS).',
    lessons: ['03-reclaim-recursion.md', '12-why-lockdep-missed-the-hang.md'],
    source: 12,
  },
  {
    id: 'hung_task',
    term: 'hung task',
    also: ['hung-task'],
    definition:
      'The hung-task detector reports a task that has slept uninterruptibly for longer than its timeout (120 seconds by default): "INFO: task … blocked for more than 120 seconds.", followed by its stack and, with lockdep, the locks every sleeping task holds.',
    lessons: ['09-no-rcu-wait-under-struct-mutex.md', '12-why-lockdep-missed-the-hang.md'],
    source: 12,
  },
];

/** glossary_anchor - the href of @t's entry. */
export function glossary_href(t: glossary_term): string {
  return `glossary.html#${t.id}`;
}

const plain_md: MarkdownIt = MarkdownItCallable({ html: false });

/** definition_html - @t's definition as inline HTML (no popovers inside popovers). */
export function definition_html(t: glossary_term): string {
  return plain_md.renderInline(t.definition);
}

/** definition_text - @t's definition as plain words (search index). */
export function definition_text(t: glossary_term): string {
  return t.definition.replace(/`/g, '');
}

/** Per-page popover state, kept in the markdown env so every render of one page shares it. */
export interface glossary_env {
  glossary?: { seen: Set<string>; next_id: number };
}

const is_code_name = (s: string): boolean => /^[A-Za-z_][A-Za-z0-9_]*$/.test(s) && (s.includes('_') || s === s.toUpperCase());

interface matcher {
  /** Finds any term in text: group 0 is the match. */
  text: RegExp;
  /** Matched text (lower-cased for phrases) -> term. */
  by_text: Map<string, glossary_term>;
  /** Exact inline-code content (with or without "()") -> term. */
  by_code: Map<string, glossary_term>;
}

function build_matcher(terms: readonly glossary_term[]): matcher {
  const by_text = new Map<string, glossary_term>();
  const by_code = new Map<string, glossary_term>();
  const alternatives: string[] = [];
  for (const t of terms) {
    for (const name of [t.term, ...(t.also ?? [])]) {
      by_code.set(name, t);
      const esc = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      if (is_code_name(name)) {
        by_text.set(name, t);
        alternatives.push(esc);
      } else {
        by_text.set(name.toLowerCase(), t);
        by_text.set(`${name.toLowerCase()}s`, t);
        alternatives.push(`${esc}s?`);
      }
    }
  }
  alternatives.sort((a, b) => b.length - a.length);
  // Whole words only: no letter, digit or underscore on either side.
  const text = new RegExp(`(?<![A-Za-z0-9_])(?:${alternatives.join('|')})(?![A-Za-z0-9_])`, 'gi');
  return { text, by_text, by_code };
}

const MATCHER = build_matcher(GLOSSARY);

function lookup_text(m: string): glossary_term | undefined {
  const exact = MATCHER.by_text.get(m);
  if (exact) return exact;
  const t = MATCHER.by_text.get(m.toLowerCase());
  // Code names are case-sensitive ("rcu_barrier" yes, "RCU_BARRIER" no); phrases are not.
  return t && !is_code_name(t.term) ? t : undefined;
}

function popover_html(t: glossary_term, label_html: string, id: string): string {
  return (
    `<button type="button" class="term" popovertarget="${id}" data-term="${t.id}">${label_html}</button>` +
    `<span class="term-pop" id="${id}" popover role="note" aria-label="${t.term}: definition">` +
    `<strong>${t.term}</strong>: ${definition_html(t)} <a href="${glossary_href(t)}">In the glossary</a></span>`
  );
}

/**
 * glossary_popovers - a markdown-it plugin: the first use of each glossary
 * term on a page (in text or inline code; not in headings, links or code
 * blocks) becomes a button with its definition as a popover.
 */
export function glossary_popovers(md: MarkdownIt): void {
  md.core.ruler.push('glossary_popovers', (state: StateCore) => {
    const env = state.env as glossary_env;
    env.glossary ??= { seen: new Set(), next_id: 0 };
    const page = env.glossary;
    for (let i = 0; i < state.tokens.length; i++) {
      const block = state.tokens[i]!;
      if (block.type !== 'inline' || !block.children) continue;
      if (state.tokens[i - 1]?.type === 'heading_open') continue;
      block.children = wrap_terms(state, block.children, page);
    }
  });
}

function wrap_terms(state: StateCore, children: Token[], page: NonNullable<glossary_env['glossary']>): Token[] {
  const out: Token[] = [];
  let in_link = 0;
  const html = (s: string): Token => {
    const t = new state.Token('html_inline', '', 0);
    t.content = s;
    return t;
  };
  const next_id = (): string => `gl-${page.next_id++}`;
  for (const tok of children) {
    if (tok.type === 'link_open') in_link++;
    if (tok.type === 'link_close') in_link--;
    if (in_link > 0) {
      out.push(tok);
      continue;
    }
    if (tok.type === 'code_inline') {
      const t = MATCHER.by_code.get(tok.content.replace(/\(\)$/, ''));
      if (t && !page.seen.has(t.id)) {
        page.seen.add(t.id);
        out.push(html(popover_html(t, `<code>${state.md.utils.escapeHtml(tok.content)}</code>`, next_id())));
        continue;
      }
      out.push(tok);
      continue;
    }
    if (tok.type !== 'text') {
      out.push(tok);
      continue;
    }
    let at = 0;
    const src = tok.content;
    for (const m of src.matchAll(MATCHER.text)) {
      const t = lookup_text(m[0]);
      if (!t || page.seen.has(t.id)) continue;
      page.seen.add(t.id);
      if (m.index > at) {
        const before = new state.Token('text', '', 0);
        before.content = src.slice(at, m.index);
        out.push(before);
      }
      out.push(html(popover_html(t, state.md.utils.escapeHtml(m[0]), next_id())));
      at = m.index + m[0].length;
    }
    if (at === 0) out.push(tok);
    else if (at < src.length) {
      const rest = new state.Token('text', '', 0);
      rest.content = src.slice(at);
      out.push(rest);
    }
  }
  return out;
}
