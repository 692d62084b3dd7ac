// Models: kernel/panic.c (__warn, add_taint, panic) and lib/bug.c, v4.11.
// Every problem the model detects (WARN, BUG, lockdep splat, hung task,
// deadlock, OOM kill, KASAN, a failed scenario assertion) is printed to dmesg
// in the kernel's shape *and* recorded as a structured report, so tests and
// the explorer can ask "what went wrong" without parsing text.
import { register_initcall } from './init/initcall';
import { boot_params } from './init/params';
import { printk, KERN_ERR, KERN_WARNING } from './printk/printk';
import { ktime_get_ns } from './time/timekeeping';
import { trace } from './trace/trace';
import { save_stack_trace, type stack_frame } from './lib/dump_stack';
import { footprint_opaque } from './footprint';

export type report_kind =
  | 'warn' // WARN()/WARN_ONCE(): the task goes on
  | 'bug' // BUG(), sleeping in atomic context, an oops: the task dies
  | 'lockdep' // a lockdep splat
  | 'hung_task' // INFO: task ... blocked for more than 120 seconds
  | 'deadlock' // the model's own: every task sleeps and nothing can wake one
  | 'oom' // the OOM killer killed a task
  | 'kasan' // use-after-free, double free
  | 'assert' // a scenario's own check failed
  | 'step_limit' // the scenario never ended
  | 'forgotten_await'; // a sleeping model call without `await`

export interface kernel_report {
  kind: report_kind;
  /** One line that names the problem, e.g. "possible circular locking dependency detected". */
  title: string;
  /** The full text as printed to dmesg. */
  lines: string[];
  pid: number;
  comm: string;
  cpu: number;
  ts_ns: number;
  /** The reporting task's call chain (kernel/lib/dump_stack.ts), innermost first; empty where none is recorded. */
  call_trace: readonly stack_frame[];
}

/** Identity of the running task, provided by the scheduler (avoids an import cycle). */
let whoami: () => { pid: number; comm: string; cpu: number } = () => ({ pid: 0, comm: 'swapper/0', cpu: 0 });
let reports: kernel_report[] = [];
let warned_once = new Set<string>();
let tainted = false;
let stop_request: ((reason: report_kind) => void) | null = null;
let trace_id = 0;

register_initcall('core', 'panic', () => {
  reports = [];
  warned_once = new Set();
  tainted = false;
  trace_id = 0;
});

export function model_panic_set_whoami(fn: typeof whoami): void {
  whoami = fn;
}

/** The scheduler registers how to stop the run (panic). */
export function model_panic_set_stop(fn: (reason: report_kind) => void): void {
  stop_request = fn;
}

/**
 * print_tainted - "Not tainted", or "Tainted: " and one column per taint flag
 * as v4.11 prints it: 16 flags (G/P F S R M B U D A W C I O E L K), a space
 * for each one not set. The model only ever sets TAINT_WARN (W, the 10th).
 */
export function print_tainted(): string {
  return tainted ? 'Tainted: G        W      ' : 'Not tainted';
}

export const UTS_RELEASE = '4.11.0-shrinkerlab';

/**
 * kernel_report_add - print @lines at @level and record a report of @kind.
 * Stops the run when the kind is fatal under the boot's panic settings.
 */
export function report(kind: report_kind, title: string, lines: string[], level = KERN_ERR, call_trace?: readonly stack_frame[]): kernel_report {
  const me = whoami();
  footprint_opaque(); // a report may stop the run: order it against every step
  printk(level, lines.join('\n'));
  // dump_stack(): the reporter's own chain, unless the report is about a task that sleeps (@call_trace).
  const frames = call_trace ?? save_stack_trace(1);
  const r: kernel_report = { kind, title, lines, pid: me.pid, comm: me.comm, cpu: me.cpu, ts_ns: ktime_get_ns(), call_trace: frames };
  reports.push(r);
  trace('report', { kind, title });
  const p = boot_params();
  const fatal =
    kind === 'bug' ||
    kind === 'kasan' ||
    kind === 'deadlock' ||
    kind === 'step_limit' ||
    kind === 'forgotten_await' ||
    kind === 'assert' ||
    (kind === 'hung_task' && p.hung_task_panic) ||
    ((kind === 'warn' || kind === 'lockdep') && p.panic_on_warn);
  if (fatal && (kind !== 'bug' || p.panic_on_oops)) stop_request?.(kind);
  return r;
}

/**
 * The reports of this boot, in order: a frozen copy (like reading dmesg, not
 * holding the kernel's buffer), so code outside the model can neither erase
 * a report it caused nor forge one.
 */
export function kernel_reports(): readonly kernel_report[] {
  return Object.freeze(
    reports.map((r) => Object.freeze({ ...r, lines: Object.freeze([...r.lines]) as string[], call_trace: Object.freeze(r.call_trace.map((f) => Object.freeze({ ...f }))) })),
  );
}

function cpu_line(): string {
  const me = whoami();
  return `CPU: ${me.cpu} PID: ${me.pid} Comm: ${me.comm} ${print_tainted()} ${UTS_RELEASE} #1`;
}

function end_trace(): string {
  trace_id += 1;
  return `---[ end trace ${(0x1f2e3d4c5b6a7980 + trace_id).toString(16).padStart(16, '0')} ]---`;
}

/**
 * __warn - print a WARNING the way v4.11 does: cut here, the WARNING line with
 * CPU, PID and location, the message, the CPU line, end trace. @where is
 * "file:line function+off/size" when the model knows the real location (from
 * the thread), else "file function".
 */
export function __warn(where: string, message: string | null): kernel_report {
  const me = whoami();
  const lines = ['------------[ cut here ]------------', `WARNING: CPU: ${me.cpu} PID: ${me.pid} at ${where}`];
  if (message) lines.push(...message.split('\n'));
  lines.push(cpu_line(), end_trace());
  const r = report('warn', message ?? where, lines, KERN_WARNING);
  tainted = true;
  return r;
}

/** WARN - warn if @condition is true; returns @condition like the kernel macro. */
export function WARN(condition: boolean, where: string, message: string): boolean {
  if (condition) __warn(where, message);
  return condition;
}

/** WARN_ON - warn without a message if @condition is true. */
export function WARN_ON(condition: boolean, where: string): boolean {
  if (condition) __warn(where, null);
  return condition;
}

/** WARN_ONCE - like WARN, but only the first time per boot for this @where. */
export function WARN_ONCE(condition: boolean, where: string, message: string): boolean {
  if (!condition) return false;
  if (!warned_once.has(where)) {
    warned_once.add(where);
    __warn(where, message);
  }
  return true;
}

/**
 * Thrown to unwind a task that died (BUG, oops, forgotten await) or a task the
 * run no longer needs. The scheduler catches it; learner code should not.
 */
export class KernelOops extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KernelOops';
  }
}

/**
 * handle_stack_overflow - arch/x86/kernel/traps.c (v4.11, CONFIG_VMAP_STACK, x86_64's default unless KASAN):
 * the task ran off the bottom of its THREAD_SIZE stack into the guard page below it; the CPU cannot deliver the
 * page fault on that stack and raises a double fault, whose handler prints the guard-page line and dies ("kernel
 * stack overflow (double-fault)"). The oops kills the task (a panic with panic_on_oops). Model choice: v4.11's
 * VMAP_STACK depends on !KASAN (until v5.5) and KASAN doubles THREAD_SIZE, so no v4.11 kernel prints both this and
 * the model's KASAN reports (nor would a KASAN build's die line stop at "SMP"): the model's kernel is a composite.
 * @stack_base stands for the vmalloc'd stack's lowest address; @thread_size is its size.
 */
export function handle_stack_overflow(stack_base: number, thread_size: number): never {
  const hex = (n: number): string => `ffffc900${n.toString(16).padStart(8, '0')}`;
  const message = 'kernel stack overflow (double-fault)';
  const lines = [
    `BUG: stack guard page was hit at ${hex(stack_base - 8)} (stack is ${hex(stack_base)}..${hex(stack_base + thread_size - 1)})`,
    `${message}: 0000 [#1] SMP`,
    cpu_line(),
    end_trace(),
  ];
  report('bug', message, lines);
  throw new KernelOops(message);
}

/**
 * BUG - "kernel BUG at file!": print an oops and kill the current task by
 * throwing KernelOops. @where names the kernel file and function.
 */
export function BUG(where: string, message?: string): never {
  const lines = [`kernel BUG at ${where}!`, 'invalid opcode: 0000 [#1] SMP'];
  if (message) lines.push(message);
  lines.push(cpu_line(), end_trace());
  report('bug', `kernel BUG at ${where}`, lines);
  throw new KernelOops(`kernel BUG at ${where}`);
}
