// The benchmark's output: a table for people (what, median, floor, ratio)
// and a JSON file for machines (every sample, the machine it ran on).
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { arch, cpus, loadavg, platform, release, totalmem } from 'node:os';
import { dirname } from 'node:path';
import type { row } from './row';

/** add_ratios - ratio = median / floor's median, for every row that names a floor that was measured. */
export function add_ratios(rows: row[]): void {
  const by_key = new Map(rows.map((r) => [r.key, r]));
  for (const r of rows) {
    const f = r.floor ? by_key.get(r.floor) : undefined;
    if (f && f.median > 0 && Number.isFinite(r.median)) r.ratio = r.median / f.median;
  }
}

function fmt(v: number, unit: string): string {
  if (!Number.isFinite(v)) return '-';
  if (unit === 'ms') return v < 1 ? `${(v * 1000).toFixed(1)} µs` : v >= 1000 ? `${(v / 1000).toFixed(2)} s` : v >= 10 ? `${v.toFixed(0)} ms` : `${v.toFixed(2)} ms`;
  const u = unit.replace(/^.*\//, '/');
  if (v >= 1e6) return `${(v / 1e6).toFixed(2)}M${u}`;
  if (v >= 1e3) return `${(v / 1e3).toFixed(1)}k${u}`;
  return `${v.toFixed(0)}${u}`;
}

/** A floor's short name: a "  same, CPU" row is named by the row it belongs to. */
function floor_name(f: row, by_key: Map<string, row>): string {
  const of = f.what.startsWith('  same') ? by_key.get(f.key.replace(/\.[a-z]+$/, '')) : undefined;
  return of ? `${of.what.split(/[,(]/)[0]!.trim()} CPU` : f.what.split(/[,(]/)[0]!.trim();
}

/** table - the rows as aligned text: what, median, floor (name and median), ratio, runs, load average, note. */
export function table(rows: readonly row[]): string {
  const by_key = new Map(rows.map((r) => [r.key, r]));
  const lines = rows.map((r) => {
    const f = r.floor ? by_key.get(r.floor) : undefined;
    return [
      r.what,
      fmt(r.median, r.unit),
      f ? `${floor_name(f, by_key)} ${fmt(f.median, f.unit)}` : '',
      r.ratio !== undefined ? `x${r.ratio < 0.1 ? r.ratio.toFixed(3) : r.ratio.toFixed(2)}` : '',
      `n=${r.samples.length}`,
      r.load !== undefined ? r.load.toFixed(1) : '',
      r.note ?? '',
    ];
  });
  const head = ['what', 'median', 'floor', 'ratio', 'runs', 'load', 'note'];
  const all = [head, ...lines];
  const w = head.map((_, i) => Math.max(...all.map((l) => l[i]!.length)));
  const line = (l: string[]) =>
    l
      .map((c, i) => (i === 1 || i === 3 ? c.padStart(w[i]!) : c.padEnd(w[i]!)))
      .join('  ')
      .trimEnd();
  return [line(head), w.map((n) => '-'.repeat(n)).join('  '), ...lines.map(line)].join('\n');
}

export function machine_info(repo: string): Record<string, unknown> {
  let commit = '';
  let dirty = false;
  try {
    commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: repo, encoding: 'utf8' }).trim();
    dirty = execFileSync('git', ['status', '--porcelain'], { cwd: repo, encoding: 'utf8' }).trim() !== '';
  } catch {
    // not a git checkout: the numbers are still worth keeping
  }
  const c = cpus();
  return {
    node: process.version,
    v8: process.versions.v8,
    platform: platform(),
    os_release: release(),
    arch: arch(),
    cpus: c.length,
    cpu_model: c[0]?.model ?? '',
    totalmem_mb: Math.round(totalmem() / 2 ** 20),
    loadavg_at_start: loadavg(),
    commit,
    dirty,
  };
}

/** write_json - the whole run as JSON at @path (its folder is created). */
export function write_json(path: string, data: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify(data, null, 2) + '\n');
}
