// What the explorer explores: a scenario is a small, self-contained program
// for the kernel model. It boots a fresh machine (with @params), creates its
// tasks in setup() (kthread_run, user_task, register_shrinker...), and may
// check the finished run. The explorer runs it again from scratch for every
// schedule, so setup() must build everything it uses anew each time (no state
// kept between calls outside the kernel's own per-boot state).
import type { boot_params } from '../kernel/init/params';
import type { run_result } from '../kernel/init/main';
import type { report_kind } from '../kernel/panic';

export interface scenario {
  /** Short id that goes into schedule strings: letters, digits, ".", "_", "/", "-". */
  id: string;
  /** Boot parameters for every run (trace is set by the explorer). */
  params?: Partial<boot_params>;
  /** Create the scenario's tasks. Runs after boot, outside any task. */
  setup(): void;
  /**
   * 'tagged': the scenario's tasks share state only through kernel objects
   * that tag their reads and writes (kernel/footprint.ts), so the explorer's
   * partial-order reduction may treat steps that touch different objects as
   * commuting. Otherwise every step is taken to touch everything (no
   * reduction, always safe).
   *
   * 'memory': the scenario's tasks (and the learner's code they run) may read
   * and write kernel memory state directly (i915 objects, pages, lists):
   * every step of theirs writes one object, FP_MEM, that stands for all of
   * it, so they are all dependent on each other. Kernel daemons that tag
   * everything they touch (kswapd until it reclaims) commute with them where
   * their tags allow (kernel/footprint.ts).
   */
  footprint?: 'tagged' | 'memory';
  /** Inspect a finished run: return a failure message (reported as kind 'assert') or null. */
  check?(result: run_result): string | null;
}

/** Every kind of report the explorer counts as a failure unless told otherwise. */
export const ALL_FAILURE_KINDS: readonly report_kind[] = [
  'deadlock',
  'hung_task',
  'lockdep',
  'warn',
  'bug',
  'oom',
  'kasan',
  'assert',
  'forgotten_await',
  'step_limit',
];
