// The floors: what the machine and the test runner cost before any of our
// code runs, measured in the same run as everything else so that ratios
// hold on any machine.
//  - node -e 0: starting and stopping Node.
//  - vitest cold: `vitest run` of one trivial test file with a tiny config
//    (what any vitest-based check pays at least, once per process).
//  - vitest warm: vitest's own watch re-run of that file after a save (what
//    any watch-mode test loop pays at least per save).
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ENV, now, output_watcher, repeat_process, sleep, stop_and_reap } from './measure';
import { tree_cpu_ms } from './proc';
import { exit_note, make_row, process_rows, type row } from './row';

const TRIVIAL_TEST = "import { expect, it } from 'vitest';\nit('adds', () => expect(1 + 1).toBe(2));\n";
// No imports in the config: nothing to resolve, nothing to transform but the test.
const TINY_CONFIG = "export default { test: { include: ['*.test.ts'] } };\n";

/** trivial_vitest_dir - a folder inside @root (which has node_modules) with one trivial test and a tiny config. */
export function trivial_vitest_dir(root: string): string {
  const dir = join(root, 'bench-trivial-vitest');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'vitest.config.mjs'), TINY_CONFIG);
  writeFileSync(join(dir, 'a.test.ts'), TRIVIAL_TEST);
  return dir;
}

export async function node_floor(reps: number): Promise<row[]> {
  const r = await repeat_process(reps, process.execPath, ['-e', '0'], process.cwd());
  return process_rows('floor.node', 'node -e 0', { ...r, peak: { mb: 0, role: '' } }, { note: exit_note(r.codes) });
}

/**
 * vitest_cold_floor - `vitest run` of the trivial test. @key names the row:
 * the floor is taken again next to each section that uses it (a floor taken
 * at load 5 and a row at load 25 gave ratios about the load, not the code).
 */
export async function vitest_cold_floor(root: string, reps: number, key = 'floor.vitest_cold', where = ''): Promise<row[]> {
  const dir = trivial_vitest_dir(root);
  const bin = join(root, 'node_modules/.bin/vitest');
  const r = await repeat_process(reps, bin, ['run', 'a.test.ts', '--config', join(dir, 'vitest.config.mjs'), '--root', dir], dir);
  return process_rows(key, `vitest run, 1 trivial test${where}`, { ...r, peak: { mb: 0, role: '' } }, { floor: 'floor.node', note: exit_note(r.codes) });
}

/** vitest_warm_floor - save→result of vitest's watch mode on the trivial test (as tests/cli/bench_watch.ts); its CPU per save besides; @key as vitest_cold_floor's. */
export async function vitest_warm_floor(root: string, edits: number, key = 'floor.vitest_warm', where = ''): Promise<row[]> {
  const dir = trivial_vitest_dir(root);
  const child = spawn(join(root, 'node_modules/.bin/vitest'), ['watch', '--config', join(dir, 'vitest.config.mjs'), '--root', dir], { cwd: dir, env: ENV });
  const w = output_watcher(child.stdout, child.stderr);
  const done = /Tests\s+1 passed/;
  const times: number[] = [];
  const cpu: number[] = [];
  try {
    let { at } = await w.wait_for(done, 0, 60_000);
    // CPU per save: from one result to the next (what the watcher does between saves is the save's too).
    let cpu0 = child.pid ? tree_cpu_ms(child.pid)?.total : undefined;
    for (let i = 0; i < edits; i++) {
      await sleep(300); // let the watcher settle: one save, one re-run
      const t0 = now();
      writeFileSync(join(dir, 'a.test.ts'), `${TRIVIAL_TEST}// edit ${i}\n`);
      const r = await w.wait_for(done, at, 60_000);
      at = r.at;
      times.push(r.t - t0);
      const cpu1 = child.pid ? tree_cpu_ms(child.pid)?.total : undefined;
      if (cpu0 !== undefined && cpu1 !== undefined) cpu.push(cpu1 - cpu0);
      cpu0 = cpu1;
    }
  } finally {
    await stop_and_reap(child);
  }
  const rows = [make_row(key, `vitest watch re-run after a save${where}`, 'ms', times)];
  if (cpu.length) rows.push(make_row(`${key}.cpu`, '  same, CPU per save', 'ms', cpu));
  return rows;
}
