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
import { ENV, now, output_watcher, repeat_process, sleep } from './measure';
import { exit_note, make_row, type row } from './row';

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

export async function node_floor(reps: number): Promise<row> {
  const r = await repeat_process(reps, process.execPath, ['-e', '0'], process.cwd());
  return make_row('floor.node', 'node -e 0', 'ms', r.all, { note: exit_note(r.codes) });
}

export async function vitest_cold_floor(root: string, reps: number): Promise<row> {
  const dir = trivial_vitest_dir(root);
  const bin = join(root, 'node_modules/.bin/vitest');
  const r = await repeat_process(reps, bin, ['run', 'a.test.ts', '--config', join(dir, 'vitest.config.mjs'), '--root', dir], dir);
  return make_row('floor.vitest_cold', 'vitest run, 1 trivial test', 'ms', r.all, { floor: 'floor.node', note: exit_note(r.codes) });
}

/** vitest_warm_floor - save→result of vitest's watch mode on the trivial test (as tests/cli/bench_watch.ts). */
export async function vitest_warm_floor(root: string, edits: number): Promise<row> {
  const dir = trivial_vitest_dir(root);
  const child = spawn(join(root, 'node_modules/.bin/vitest'), ['watch', '--config', join(dir, 'vitest.config.mjs'), '--root', dir], { cwd: dir, env: ENV });
  const w = output_watcher(child.stdout, child.stderr);
  const done = /Tests\s+1 passed/;
  const times: number[] = [];
  try {
    let { at } = await w.wait_for(done, 0, 60_000);
    for (let i = 0; i < edits; i++) {
      await sleep(300); // let the watcher settle: one save, one re-run
      const t0 = now();
      writeFileSync(join(dir, 'a.test.ts'), `${TRIVIAL_TEST}// edit ${i}\n`);
      const r = await w.wait_for(done, at, 60_000);
      at = r.at;
      times.push(r.t - t0);
    }
  } finally {
    child.kill('SIGTERM');
  }
  return make_row('floor.vitest_warm', 'vitest watch re-run after a save', 'ms', times);
}
