// Models: include/linux/init.h (initcalls), v4.11.
// Each subsystem keeps its state in module variables, as the kernel keeps
// globals, and registers a boot hook that resets that state. start_kernel()
// runs the hooks level by level and, within a level, in order of name (not of
// import, which differs between programs), so every run starts from the same
// fresh machine. This file imports nothing, so any subsystem may import it without
// creating an import cycle.

export type InitcallLevel = 'core' | 'subsys' | 'late';

interface Initcall {
  level: InitcallLevel;
  name: string;
  fn: () => void;
}

const initcalls: Initcall[] = [];
const order: Record<InitcallLevel, number> = { core: 0, subsys: 1, late: 2 };
/** The hooks in boot order, sorted once per registration rather than at every boot (the explorer boots per schedule). */
let sorted: Initcall[] | null = null;

/**
 * register_initcall - run @fn at every boot, at @level.
 *
 * core hooks reset a subsystem's state (no tasks exist yet); subsys hooks may
 * create kernel threads and workqueues; late hooks see everything set up.
 */
export function register_initcall(level: InitcallLevel, name: string, fn: () => void): void {
  const same = initcalls.find((c) => c.name === name);
  if (same && same.level !== level) throw new Error(`register_initcall: "${name}" is already registered at level ${same.level}; initcall names must be unique.`);
  if (same) same.fn = fn; // the module was evaluated again (hot reload): the newest code wins
  else initcalls.push({ level, name, fn });
  sorted = null;
}

/** do_initcalls - run every registered hook, level by level. */
export function do_initcalls(): void {
  sorted ??= [...initcalls].sort((a, b) => order[a.level] - order[b.level] || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const c of sorted) c.fn();
}
