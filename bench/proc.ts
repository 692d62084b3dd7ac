// What a process row's processes cost, read from Linux's /proc: CPU time
// (user + system, of the process and of the children it has waited for) and
// peak resident memory (VmHWM). A row that runs other processes (vitest, the
// CLI and its workers, verify's lanes) is timed in wall time, which on a
// shared machine mostly measures the other helpers' load; its CPU time is
// what the code itself costs, whatever the load (session 9's rows moved
// +-30% in wall time run to run; issue #13 asks the bench to be honest
// under load). Where /proc is missing (not Linux) every reader answers null
// and the rows keep their wall time only.
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat's times (USER_HZ: 100 on every Linux the course runs on). */
const USER_HZ = 100;

interface proc_stat {
  pid: number;
  ppid: number;
  /** utime + stime, ms: the process's own CPU. */
  own_ms: number;
  /** cutime + cstime, ms: the CPU of the children it has waited for (and theirs, as they waited). */
  children_ms: number;
}

/** The fields of /proc/<pid>/stat we use, or null when the process is gone (or there is no /proc). */
function read_stat(pid: number | 'self'): proc_stat | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // "pid (comm) state ppid ...": comm may hold spaces and parentheses; the fields start after the last ')'.
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const n = (i: number) => Number(f[i - 3]);
  return { pid: Number(text.slice(0, text.indexOf(' '))), ppid: n(4), own_ms: ((n(14) + n(15)) * 1000) / USER_HZ, children_ms: ((n(16) + n(17)) * 1000) / USER_HZ };
}

/** children_cpu_ms - CPU of every child this process has waited for so far (cutime + cstime), ms; null without /proc. */
export function children_cpu_ms(): number | null {
  return read_stat('self')?.children_ms ?? null;
}

/** Every live process under @root (itself included), by one pass over /proc. */
function tree(root: number): proc_stat[] {
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return [];
  }
  const all = names.filter((n) => /^\d+$/.test(n)).map((n) => read_stat(Number(n))).filter((s): s is proc_stat => s !== null);
  const kids = new Map<number, proc_stat[]>();
  for (const s of all) kids.set(s.ppid, [...(kids.get(s.ppid) ?? []), s]);
  const out: proc_stat[] = [];
  const top = all.find((s) => s.pid === root);
  const walk = (s: proc_stat) => {
    out.push(s);
    for (const k of kids.get(s.pid) ?? []) walk(k);
  };
  if (top) walk(top);
  return out;
}

/** The command line of @pid, for naming a process ("the type check", "the checks"). */
function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return '';
  }
}

/** What a process of the loop is, from its command line (course/runner.ts spawns the workers). */
export function role_of(cmd: string): string {
  if (/typecheck_worker\.mjs\b/.test(cmd)) return 'type check';
  if (/worker\.ts\b/.test(cmd)) return cmd.includes('--typecheck-only') ? 'type check' : 'checks';
  if (/vitest/.test(cmd)) return 'vitest';
  if (/shrinker-lab\.js/.test(cmd)) return 'cli';
  return cmd.split(' ')[0]?.replace(/^.*\//, '') || 'process';
}

/** tree_cpu_ms - CPU used so far by the live processes under @root (and the children they reaped), ms, by role; null without /proc. */
export function tree_cpu_ms(root: number): { total: number; by_role: Map<string, number> } | null {
  const ps = tree(root);
  if (ps.length === 0) return null;
  const by_role = new Map<string, number>();
  let total = 0;
  for (const p of ps) {
    const ms = p.own_ms + p.children_ms;
    total += ms;
    const role = role_of(cmdline(p.pid));
    by_role.set(role, (by_role.get(role) ?? 0) + ms);
  }
  return { total, by_role };
}

/** A process's peak resident memory (VmHWM), MB, or null. */
function peak_mb(pid: number): number | null {
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

export interface peak_reading {
  /** The highest peak resident memory of one process of the tree, MB (0: nothing read). */
  mb: number;
  /** What that process was (role_of). */
  role: string;
}

/**
 * watch_peak_rss - sample the peak resident memory (VmHWM) of every process
 * under @root every @every_ms until stop(), which answers the largest. VmHWM
 * is a high-water mark, so a sample misses only what a process grew after
 * its last sample before it exited (at most @every_ms of growth).
 */
export function watch_peak_rss(root: number, every_ms = 100): { stop: () => peak_reading } {
  let best: peak_reading = { mb: 0, role: '' };
  const sample = () => {
    for (const p of tree(root)) {
      const mb = peak_mb(p.pid);
      if (mb !== null && mb > best.mb) best = { mb, role: role_of(cmdline(p.pid)) };
    }
  };
  const timer = setInterval(sample, every_ms);
  sample();
  return {
    stop: () => {
      clearInterval(timer);
      sample();
      return best;
    },
  };
}
