// Machines with more CPUs than the usual two (boot params nr_cpus and
// first_pid, kernel/init/params.ts). Every machine the checks booted had 2
// CPUs, so an answer keyed to the CPU it runs on (flush only on CPUs 2 and
// up, keep PF_MEMALLOC there) passed every check that never ran a task on a
// third CPU (red team 11). A task runs on pid % nr_cpus unless placed: two
// first pids 4 apart put each task once on CPU (p + 2) % 8 and once on
// (p + 6) % 8, and of any two CPUs 4 apart on 8 at least one is CPU 2 or up.
// The rules a shrinker follows do not change with the CPU.

export interface many_cpu_machine {
  nr_cpus: number;
  first_pid: number;
}

/** Two 8-CPU machines, tasks numbered from a desktop's pids 4003 and 4007: every task runs on CPU 2 or up on one of them. */
export const MANY_CPU_MACHINES: readonly many_cpu_machine[] = [
  { nr_cpus: 8, first_pid: 4003 },
  { nr_cpus: 8, first_pid: 4007 },
];

/** For workload descriptions ('' for the usual machine). */
export function describe_machine(m: many_cpu_machine | undefined): string {
  return m ? `; a machine of ${m.nr_cpus} CPUs, tasks numbered from pid ${m.first_pid} (each runs on CPU pid % ${m.nr_cpus})` : '';
}
