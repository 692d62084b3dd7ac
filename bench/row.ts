// One line of the benchmark's results: what was measured, every sample, the
// median, and (when there is one) the floor it is compared with.

export interface row {
  /** Stable key for the JSON file, e.g. "learner.watch_01". */
  key: string;
  /** What a reader sees in the table. */
  what: string;
  /** 'ms' (lower is better) or a rate such as 'schedules/s' (higher is better). */
  unit: string;
  median: number;
  samples: number[];
  /** Key of the floor row this one is compared with, if any. */
  floor?: string;
  /** median / floor median (for rates: median rate / floor rate). Filled in by the report. */
  ratio?: number;
  /** Anything a reader must know: non-zero exit codes, failures found, scope. */
  note?: string;
  /** The machine's 1-minute load average when the row's section ended (bench/main.ts): ratios taken at different loads do not compare well. */
  load?: number;
}

export function make_row(key: string, what: string, unit: string, samples: number[], extra: Partial<row> = {}): row {
  const s = [...samples];
  const m = [...s].sort((a, b) => a - b)[Math.floor(s.length / 2)] ?? NaN;
  return { key, what, unit, median: m, samples: s, ...extra };
}

/** exit_note - "" when every run exited 0, else the exit codes seen. */
export function exit_note(codes: readonly number[], expected = 0): string {
  return codes.every((c) => c === expected) ? '' : `exit codes ${codes.join(',')}`;
}

/**
 * process_rows - a process row's wall time, then (where /proc could say,
 * bench/proc.ts) the same runs' CPU time ("  same, CPU": what the code costs
 * whatever the machine's load; against the floor's own CPU row) and the
 * largest peak resident memory of one of its processes ("  same, peak RSS").
 */
export function process_rows(
  key: string,
  what: string,
  r: { all: number[]; cpu: number[]; peak: { mb: number; role: string } },
  extra: Partial<row> = {},
): row[] {
  const rows = [make_row(key, what, 'ms', r.all, extra)];
  if (r.cpu.length) rows.push(make_row(`${key}.cpu`, '  same, CPU (every process)', 'ms', r.cpu, { floor: extra.floor ? `${extra.floor}.cpu` : undefined }));
  if (r.peak.mb > 0) rows.push(make_row(`${key}.rss`, '  same, peak RSS of one process', 'MB', [r.peak.mb], { note: `the largest: ${r.peak.role}` }));
  return rows;
}
